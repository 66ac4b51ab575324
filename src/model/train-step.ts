import type { Kernels } from '../backend/kernels.js';
import { heap } from '../backend/runtime.js';
import type { Layer, Param, StepContext } from '../layers/layer.js';
import { lastAxisRows } from '../layers/shape.js';
import type { Arena } from '../memory/arena.js';
import type { F32 } from '../memory/heap.js';
import type { Metric } from '../training/metrics.js';
import { activityPenalty, penalties } from '../training/penalty.js';
import { weightedLoss } from '../training/weighted-loss.js';
import { isCrossEntropy, lossAndGrad, type Loss } from './losses.js';
import type { Optimizer } from './optimizers.js';

/** Thrown by a training step whose loss is NaN or infinite; the step's changes were rolled back. */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
}

/** What one training step needs from its model. */
export interface Training {
  readonly layers: Layer[];
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  /** Accumulators that see this step's outputs and targets. */
  readonly metrics: Metric[];
  /** The batch's per-sample weights (classWeight, sampleWeight), or null. */
  readonly weights: Float32Array | null;
  /** The model's scratch arena (reset by the step). */
  readonly arena: Arena;
  readonly k: Kernels;
}

export interface StepResult { loss: number; samples: number }

/**
 * Everything a step may change, copied into the step's arena before it runs: every layer's weights,
 * trainable or not (BN's moving statistics move in the forward pass), and their optimizer slots (a memcpy
 * of the parameters: a few percent of a step). restore() puts it all back and zeroes the slots the step
 * added, so a failed step leaves the model as it was.
 */
class Snapshot {
  private readonly params: Param[] = [];
  /** Each param's slot count at the start of the step: only those slots are saved; later ones are zeroed. */
  private readonly slotCounts: number[] = [];
  private readonly at: number;

  constructor(layers: Layer[], arena: Arena) {
    let floats = 0;
    for (const layer of layers) {
      for (const p of layer.weights()) {
        this.params.push(p);
        this.slotCounts.push(p.slots.length);
        floats += p.value.length * (1 + p.slots.length);
      }
    }
    this.at = arena.take(floats).ptr;
    this.copy(true);
  }

  private copy(save: boolean): void {
    const bytes = new Uint8Array(heap().memory.buffer);
    let at = this.at;
    const move = (b: F32) => {
      if (save) bytes.copyWithin(at, b.ptr, b.ptr + 4 * b.length);
      else bytes.copyWithin(b.ptr, at, at + 4 * b.length);
      at += 4 * b.length;
    };
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      move(p.value);
      for (let s = 0; s < this.slotCounts[i]; s++) move(p.slots[s]);
    }
  }

  restore(): void {
    this.copy(false);
    const h = heap();
    this.params.forEach((p, i) => { for (const s of p.slots.slice(this.slotCounts[i])) h.f32(s).fill(0); });
  }
}

/** Sample weights repeated for each loss row of a sample (outputs with leading axes have several per sample). */
export function perLossRow(weights: Float32Array, lossRows: number): Float32Array {
  if (weights.length === lossRows) return weights;
  const per = lossRows / weights.length;
  return Float32Array.from({ length: lossRows }, (_, i) => weights[Math.floor(i / per)]);
}

/** needs[i]: whether layer i must compute its input gradient (some earlier layer has weights to train). */
function inputGradNeeded(layers: Layer[]): boolean[] {
  let any = false;
  return layers.map((l) => { const n = any; if (l.trainableParams().length) any = true; return n; });
}

/**
 * One optimizer step on `rows` samples that `fill` writes into the input and target views. Returns the
 * batch's loss (weighted per sample as Keras, weight and activity penalties included) and updates the metrics. A non-finite loss, or an
 * update that leaves a weight non-finite, throws a DivergenceError; any failure (that one, or running out
 * of memory mid-step) restores the snapshot: weights, moving statistics and optimizer state as before.
 */
export function trainStep(t: Training, rows: number, xRow: number, yRow: number,
  fill: (x: Float32Array, y: Float32Array) => void): StepResult {
  const h = heap(), arena = t.arena;
  arena.reset();
  const ctx: StepContext = { k: t.k, training: true, scratch: (n) => arena.take(n) };
  const xin = arena.take(rows * xRow), tgt = arena.take(rows * yRow);
  fill(h.f32(xin), h.f32(tgt));
  const snapshot = new Snapshot(t.layers, arena), iterations = t.optimizer.iterations;
  try {
    const result = forwardBackward(t, ctx, rows, xin, tgt);
    t.optimizer.apply(t.k, t.layers); // may also throw half-way (no memory for a new slot)
    // Keras applies weight constraints right after each update, to the weights that train
    for (const layer of t.layers) {
      const constraints = layer.constraints();
      if (!constraints.length) continue;
      const training = layer.trainableParams();
      for (const { param, constraint } of constraints) if (training.includes(param)) constraint.apply(h.f32(param.value), param.shape);
    }
    // the weights only: a NaN gradient or an overflowing step shows there (an Adam v that overflows alone
    // freezes that weight but poisons nothing); scanning the slots too would double the cost
    for (const layer of t.layers) {
      for (const p of layer.trainableParams()) {
        if (!t.k.allFinite(p.value.length, p.value)) throw new DivergenceError('the update made a weight NaN or infinite; the step was not applied');
      }
    }
    return result;
  } catch (e) {
    snapshot.restore();
    t.optimizer.iterations = iterations;
    throw e;
  }
}

/** Forward, loss (fused with a final softmax for cross-entropy), backward: fills every gradient. */
function forwardBackward(t: Training, ctx: StepContext, rows: number, xin: F32, tgt: F32): StepResult {
  const { layers, loss, arena, k } = t, h = heap();
  // an activity penalty on the last layer needs its probabilities' gradient, so that layer is not fused
  const last = layers.length - 1, fused = layers[last].endsInSoftmax() && isCrossEntropy(loss) && !layers[last].activityPenalty();
  let a = xin;
  const outputs: F32[] = []; // each layer's output, for its activity penalty
  for (let i = 0; i < last; i++) outputs.push(a = layers[i].forward(ctx, a, rows));
  const out = fused ? layers[last].forwardLogits(ctx, a, rows) : layers[last].forward(ctx, a, rows);
  const shape = layers[last].outputShape!, cols = shape[shape.length - 1], lossRows = lastAxisRows(rows, shape);
  const grad = arena.take(out.length), probs = fused ? arena.take(out.length) : out;
  const lossOf = (n: number, row: (f: F32) => F32) => (fused ? k.softmaxCrossEntropy(n, cols, row(out), row(tgt), row(probs), row(grad))
    : lossAndGrad(k, loss, n, cols, row(out), row(tgt), row(grad)));
  const rowWeights = t.weights && perLossRow(t.weights, lossRows);
  const sum = rowWeights ? weightedLoss(lossRows, cols, rowWeights, grad, (row) => lossOf(1, row), (f) => h.f32(f))
    : lossOf(lossRows, (f) => f);
  for (const m of t.metrics) m.update(lossRows, cols, h.f32(probs), h.f32(tgt), m.weighted ? rowWeights : null);
  const needs = inputGradNeeded(layers);
  let activity = fused ? 0 : activityPenalty(k, layers[last], out, grad, ctx.scratch);
  let g: F32 | null = fused ? layers[last].backwardLogits(ctx, grad, rows, needs[last])
    : layers[last].backward(ctx, grad, rows, needs[last]);
  for (let i = last - 1; i >= 0; i--) {
    activity += activityPenalty(k, layers[i], outputs[i], g, ctx.scratch);
    if (g) g = layers[i].backward(ctx, g, rows, needs[i]);
  }
  const mean = sum / lossRows + penalties(k, layers, ctx.scratch, true) + activity;
  if (!Number.isFinite(mean)) throw new DivergenceError(`the loss became ${mean}; the step was not applied`);
  return { loss: mean, samples: lossRows };
}
