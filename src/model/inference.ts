import { GEMM_PACK_MIN_ROWS } from '../backend/abi.js';
import { heap, kernels } from '../backend/runtime.js';
import type { Layer, StepContext } from '../layers/layer.js';
import { lastAxisRows } from '../layers/shape.js';
import type { Arena } from '../memory/arena.js';
import type { F32 } from '../memory/heap.js';
import { Tensor } from '../tensor/tensor.js';
import type { Dataset } from './data.js';
import { InferencePlan } from './inference-plan.js';
import type { Metric } from '../training/metrics.js';
import { activityPenalty, penalties } from '../training/penalty.js';
import { weightedLoss } from '../training/weighted-loss.js';
import { lossAndGrad, type Loss } from './losses.js';
import { perLossRow } from './train-step.js';

/**
 * Inference on `rows` samples, given as JS values (copied into the arena) or as an array already in WASM
 * memory (read in place: inference layers never write into their input); calls `read` with the output
 * view (valid only inside the call).
 */
function inferBatch(arena: Arena, rows: number, xs: Float32Array | F32, plan: InferencePlan, read: (out: Float32Array, out32: F32) => void): void {
  const h = heap();
  arena.reset();
  const ctx: StepContext = { k: kernels(), training: false, scratch: (n) => arena.take(n) };
  let xin: F32;
  if (xs instanceof Float32Array) {
    xin = arena.take(xs.length);
    h.f32(xin).set(xs);
  } else {
    xin = xs;
  }
  const a = plan.run(ctx, xin, rows);
  read(h.f32(a), a);
}

/**
 * Runs `body` with the inference plan for `rows` samples in batches of `batchSize`: BN folded into the
 * Dense layers in front; weights packed once when that pays (several batches that reach the GEMM's
 * packing path; one batch packs them once anyway, and fewer rows take the gemv path, which reads W as is).
 */
function withFoldedPlan<T>(layers: Layer[], rows: number, batchSize: number, body: (plan: InferencePlan) => T): T {
  const plan = new InferencePlan(layers, kernels(), rows > batchSize && batchSize >= GEMM_PACK_MIN_ROWS);
  try {
    return body(plan);
  } finally {
    plan.release();
  }
}

/** Inputs up to this size get a WASM copy kept with the tensor (an eighth of the resident-copy budget). */
const KEEP_INPUT_BYTES = 16 * 2 ** 20;

/** The model's output for every row of x, in batches of `batchSize`. */
export function predictRows(layers: Layer[], arena: Arena, x: Tensor, batchSize: number): Tensor {
  const rows = x.shape[0], xRow = x.size / rows, outShape = layers[layers.length - 1].outputShape!;
  const outRow = outShape.reduce((a, b) => a * b, 1);
  const result = new Float32Array(rows * outRow);
  withFoldedPlan(layers, rows, batchSize, (plan) => {
    // an op's result is in WASM memory already: each batch reads its rows there in place. Values on the JS
    // heap: a small input gets a WASM copy kept with the tensor (as an op's input does), so predicting on
    // it again copies nothing (3 MB took 0.3–0.5 ms of a 12 ms predict); a large one is copied in batch
    // by batch, since a WASM copy of it would hold its whole size until the tensor is collected
    const resident = x.wasmValuesIfResident() ?? (4 * x.size <= KEEP_INPUT_BYTES ? x.wasmValues() : null);
    const host = resident ? null : x.values;
    for (let start = 0; start < rows; start += batchSize) {
      const n = Math.min(batchSize, rows - start);
      const batch = resident ? { ptr: resident.ptr + 4 * start * xRow, length: n * xRow } : host!.subarray(start * xRow, (start + n) * xRow);
      inferBatch(arena, n, batch, plan, (out) => result.set(out, start * outRow));
    }
  });
  return new Tensor(result, [rows, ...outShape]);
}

/**
 * The activity penalties of one batch: the layers run one by one in inference mode, unfolded, since a folded
 * BatchNormalization changes the outputs a penalty reads (only models with an activityRegularizer pay this).
 */
function batchActivity(arena: Arena, layers: Layer[], xs: Float32Array, rows: number): number {
  arena.reset();
  const ctx: StepContext = { k: kernels(), training: false, scratch: (n) => arena.take(n) };
  let a = arena.take(xs.length), total = 0;
  heap().f32(a).set(xs);
  for (const layer of layers) {
    a = layer.forward(ctx, a, rows);
    total += activityPenalty(ctx.k, layer, a, null, ctx.scratch);
  }
  return total;
}

/**
 * The loss over a dataset (mean over samples, weighted per sample when `weights` are given, as Keras; the
 * weight and activity penalties added, as Keras 3's evaluate does) and each metric, keyed by its name; on the same
 * inference path as predict (BN folded). The metrics are reset first.
 */
export function evaluateRows(layers: Layer[], arena: Arena, loss: Loss, metrics: Metric[], d: Dataset, batchSize: number,
  weights: Float32Array | null = null): Record<string, number> {
  const shape = layers[layers.length - 1].outputShape!, cols = shape[shape.length - 1], h = heap(), k = kernels();
  let lossSum = 0, samples = 0, activitySum = 0;
  const activity = layers.some((l) => l.activityPenalty());
  for (const m of metrics) m.reset();
  withFoldedPlan(layers, d.rows, batchSize, (plan) => {
    for (let start = 0; start < d.rows; start += batchSize) {
      const n = Math.min(batchSize, d.rows - start);
      const targets = d.y.subarray(start * d.yRow, (start + n) * d.yRow);
      inferBatch(arena, n, d.x.subarray(start * d.xRow, (start + n) * d.xRow), plan, (_view, out) => {
        const lossRows = lastAxisRows(n, shape);
        const tgt = arena.take(out.length), dp = arena.take(out.length);
        h.f32(tgt).set(targets);
        const rowWeights = weights && perLossRow(weights.subarray(start, start + n), lossRows);
        lossSum += rowWeights
          ? weightedLoss(lossRows, cols, rowWeights, dp,
            (row) => lossAndGrad(k, loss, 1, cols, row(out), row(tgt), row(dp)), (f) => h.f32(f))
          : lossAndGrad(k, loss, lossRows, cols, out, tgt, dp);
        for (const m of metrics) m.update(lossRows, cols, h.f32(out), targets, m.weighted ? rowWeights : null);
        samples += lossRows;
      });
      // Keras 3 averages each batch's loss, penalty included, weighted by its size
      if (activity) activitySum += n * batchActivity(arena, layers, d.x.subarray(start * d.xRow, (start + n) * d.xRow), n);
    }
  });
  arena.reset();
  const result: Record<string, number> = { loss: lossSum / samples + activitySum / d.rows + penalties(k, layers, (n) => arena.take(n), false) };
  for (const m of metrics) result[m.name] = m.result();
  return result;
}
