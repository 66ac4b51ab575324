import type { Act, F32, Kernels, UnaryOp } from '../backend/kernels.js';
import { heap } from '../backend/runtime.js';
import { Activation } from '../layers/activation.js';
import { elementwise, unaryOf } from '../layers/activations.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Conv2D } from '../layers/conv2d.js';
import { Dense } from '../layers/dense.js';
import type { Layer, StepContext } from '../layers/layer.js';
import { lastAxisRows } from '../layers/shape.js';

/**
 * Inference with every BatchNormalization folded into the Dense or Conv2D in front of it:
 *   W' = W·diag(s),  b' = (b − μ)·s + β,  s = γ/√(var + ε)
 * and an Activation right after folded into the same fused GEMM epilogue, so Dense → BN → relu is one
 * kernel call. Only a linear Dense over the feature axis BN normalises can absorb it; anything else
 * runs as its layer. The folded weights are computed once per predict call, by the kernels, and with
 * `pack` every Dense's weights (folded or not) are packed once in the GEMM's panel layout, so the
 * batches of one predict call do not repack the same weights.
 */
type Step =
  | { kind: 'dense'; inputShape: number[]; inputDim: number; units: number; w: F32; packed: F32 | null; b: F32 | null; act: Act; softmax: boolean;
      unary: { op: UnaryOp; alpha: number } | null }
  | { kind: 'conv'; layer: Conv2D; w: F32; b: F32 | null; act: Act; softmax: boolean; unary: { op: UnaryOp; alpha: number } | null }
  | { kind: 'layer'; layer: Layer };

/** Whether `bn` can be folded into `layer`: a linear Dense or Conv2D, and BN over the last (its output) axis. */
export function foldable(layer: Layer, bn: Layer | undefined): layer is Dense | Conv2D {
  return (layer instanceof Dense || layer instanceof Conv2D) && layer.activation === 'linear'
    && bn instanceof BatchNormalization && bn.normalizesLastAxis;
}

/**
 * Writes W' and b' (units) of `dense` with `bn` folded in, using the kernels. A Conv2D kernel
 * [kH, kW, in, filters] is the (kH·kW·in) × filters matrix its GEMM reads, so both fold alike.
 */
export function foldInto(k: Kernels, dense: Dense | Conv2D, bn: BatchNormalization, w: F32, b: F32, scratch: (n: number) => F32): void {
  const shape = dense.kernelParam.shape, units = shape[shape.length - 1], inputDim = dense.kernelParam.value.length / units;
  const { gamma, beta, movingMean, movingVariance } = bn.statistics;
  const s = scratch(units);
  k.bnormScale(units, movingVariance.value, gamma?.value ?? null, s, bn.epsilon);
  k.scaleShift(inputDim, units, dense.kernelParam.value, null, s, null, w);
  if (!dense.biasParam) heap().f32(b).fill(0);
  k.scaleShift(1, units, dense.biasParam?.value ?? b, movingMean.value, s, beta?.value ?? null, b);
}

export class InferencePlan {
  readonly steps: Step[] = [];
  private owned: F32[] = [];

  constructor(layers: Layer[], k: Kernels, pack: boolean) {
    for (let i = 0; i < layers.length; i++) {
      const dense = layers[i], bn = layers[i + 1];
      if (!(dense instanceof Dense || dense instanceof Conv2D)) {
        this.steps.push({ kind: 'layer', layer: dense });
        continue;
      }
      const shape = dense.kernelParam.shape, units = shape[shape.length - 1], inputDim = dense.kernelParam.value.length / units;
      let w = dense.kernelParam.value, b = dense.biasParam?.value ?? null, act = elementwise(dense.activation);
      let softmax = dense.activation === 'softmax', unary = unaryOf(dense.activation);
      if (foldable(dense, bn)) {
        w = this.alloc(inputDim * units);
        b = this.alloc(units);
        foldInto(k, dense, bn as BatchNormalization, w, b, (n) => this.alloc(n));
        i++;
      }
      // a linear Dense (folded or not) takes a following Activation into its epilogue
      const next = layers[i + 1];
      if (act === 'linear' && !softmax && !unary && next instanceof Activation) {
        if (next.activation === 'softmax') softmax = true;
        else if (unaryOf(next.activation)) unary = unaryOf(next.activation);
        else act = elementwise(next.activation);
        i++;
      }
      if (dense instanceof Conv2D) {
        this.steps.push({ kind: 'conv', layer: dense, w, b, act, softmax, unary });
        continue;
      }
      const packed = pack ? this.alloc(k.packedWeightsLength(inputDim, units)) : null;
      if (packed) k.packWeights(inputDim, units, w, packed);
      this.steps.push({ kind: 'dense', inputShape: dense.inputShape!, inputDim, units, w, packed, b, act, softmax, unary });
    }
  }

  private alloc(n: number): F32 {
    const f = heap().alloc(n);
    this.owned.push(f);
    return f;
  }

  run(ctx: StepContext, x: F32, rows: number): F32 {
    let a = x;
    for (const s of this.steps) {
      if (s.kind === 'layer') { a = s.layer.forward(ctx, a, rows); continue; }
      if (s.kind === 'conv') {
        a = s.layer.run(ctx, a, rows, s.w, s.b, s.act);
        if (s.softmax) ctx.k.softmax(lastAxisRows(rows, s.layer.outputShape!), s.layer.filters, a, a);
        if (s.unary) ctx.k.unary(a.length, a, a, s.unary.alpha, s.unary.op);
        continue;
      }
      const m = lastAxisRows(rows, s.inputShape), y = ctx.scratch(m * s.units);
      if (s.packed) ctx.k.densePacked(m, s.units, s.inputDim, a, s.w, s.packed, s.b, y, s.act);
      else ctx.k.dense(m, s.units, s.inputDim, a, s.w, s.b, y, s.act);
      if (s.softmax) ctx.k.softmax(m, s.units, y, y);
      if (s.unary) ctx.k.unary(y.length, y, y, s.unary.alpha, s.unary.op);
      a = y;
    }
    return a;
  }

  release(): void {
    const h = heap();
    for (const f of this.owned) h.release(f);
    this.owned = [];
  }
}
