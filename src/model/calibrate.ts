/**
 * model.calibrateBatchNorm: exact population statistics for every trainable BatchNormalization layer
 * (the BN paper's inference procedure, Ioffe & Szegedy 2015, Algorithm 2).
 *
 * Why: the moving averages fit keeps are an exponential average with momentum 0.99, so after n steps they
 * still hold 0.99ⁿ of their initial values (mean 0, variance 1): 45 % after 80 steps. On a small or
 * unscaled dataset inference then normalizes with statistics that were never those of the data.
 *
 * How: the rows of x go through the model in batches, every layer as in a training step except that
 * Dropout is off and nothing is learned: each trainable BN layer normalizes with its batch statistics
 * and reports them; the per-batch moments are pooled exactly (row-weighted means, the variance including
 * the spread of the batch means), so the result is the mean and biased variance of each layer's
 * training-mode input over all rows of x, whatever the batch size. (With batches smaller than x, the
 * earlier BN layers' outputs, and so the later layers' inputs, depend on which rows share a batch, as in
 * training.) The sums over the data run in the kernels; only per-feature numbers are pooled here.
 */
import type { Tensor } from '../tensor/tensor.js';
import { heap, kernels } from '../backend/runtime.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import type { Layer, StepContext } from '../layers/layer.js';
import { PooledMoments } from '../layers/pooled-moments.js';
import { Arena } from '../memory/arena.js';
import { integer, knownKeys } from '../util/validate.js';
import { checkInputs } from './data.js';

export interface CalibrateArgs {
  batchSize?: number;
}

/** What calibration needs of a model. */
export interface CalibrationTarget {
  readonly name: string;
  readonly layers: Layer[];
  readonly inputShape: number[] | null;
  readonly built: boolean;
  build(shape: number[]): void;
}

/**
 * Replaces the moving mean and variance of every trainable BN layer of `model` with the population
 * statistics of its training-mode input over the rows of x. All or nothing: a bad argument, or statistics
 * that are not finite (NaN or infinite inputs), throw and change nothing.
 */
export function calibrateBatchNorm(model: CalibrationTarget, x: Tensor, args: CalibrateArgs = {}): void {
  const what = 'calibrateBatchNorm';
  knownKeys(args, what, ['batchSize']);
  const batchSize = integer(args?.batchSize ?? 32, `${what}: batchSize`, 1);
  if (model.layers.length === 0) throw new Error(`${what}: ${model.name} has no layers`);
  const t = checkInputs(x, `${what}: x`, model.inputShape);
  if (!model.built) model.build(t.shape.slice(1)); // as predict: a model is built by its first input
  const pools = new Map<Layer, PooledMoments>();
  for (const l of model.layers) {
    if (l instanceof BatchNormalization && l.trainable) pools.set(l, new PooledMoments(l.statistics.movingMean.value.length));
  }
  if (pools.size === 0) return;
  runBatches(model.layers, t, batchSize, pools);
  for (const [l, pool] of pools) {
    const variance = pool.variance;
    if (!pool.mean.every(Number.isFinite) || !variance.every(Number.isFinite)) {
      throw new Error(`${what}: the input of ${l.name} has non-finite statistics (NaN or infinite values in x, or activations that overflow); no statistics were changed`);
    }
  }
  for (const [l, pool] of pools) (l as BatchNormalization).setPopulationStatistics(pool.mean, pool.variance);
  cancelNotice(model);
}

/** Runs the rows of x through the layers up to the last one calibrated, pooling each target's input moments. */
function runBatches(layers: Layer[], x: Tensor, batchSize: number, pools: Map<Layer, PooledMoments>): void {
  const h = heap(), arena = new Arena(h);
  const rows = x.shape[0], xRow = x.size / rows;
  const end = Math.max(...[...pools.keys()].map((l) => layers.indexOf(l)));
  // inference context: Dropout (and any other train-only noise) is off; the BN targets are called apart
  const ctx: StepContext = { k: kernels(), training: false, scratch: (n) => arena.take(n) };
  try {
    for (let start = 0; start < rows; start += batchSize) {
      arena.reset();
      const n = Math.min(batchSize, rows - start);
      let a = arena.take(n * xRow);
      h.f32(a).set(x.values.subarray(start * xRow, (start + n) * xRow));
      for (let i = 0; i <= end; i++) {
        const l = layers[i], pool = pools.get(l);
        a = pool ? (l as BatchNormalization).calibrationForward(ctx, a, n, pool) : l.forward(ctx, a, n);
      }
    }
  } finally {
    arena.release();
  }
}

/** Layers a notice has named already: each is named once, however many fit calls follow. */
const told = new WeakSet<Layer>();

/** Above this share of initial values in a BN layer's moving statistics, fit says so when it ends. */
export const STALE_SHARE = 0.05;

/**
 * The notice fit prints when it ends with trainable BN layers whose moving statistics still hold more than 5 %
 * of their initial values (momentum^updates > 0.05), naming them and the remedy; null when there is none or
 * every such layer was named before (a loop of short fit calls hears it once).
 */
export function staleStatisticsNotice(layers: Layer[]): string | null {
  const stale = layers.filter((l): l is BatchNormalization => l instanceof BatchNormalization && l.trainable
    && l.initialStatisticsShare > STALE_SHARE && !told.has(l));
  if (stale.length === 0) return null;
  for (const l of stale) told.add(l);
  const named = stale.map((l) => `${l.name} (${Math.round(100 * l.initialStatisticsShare)} %)`).join(', ');
  return `bnwasm: the moving mean and variance of ${named} still hold that much of their initial values (mean 0, `
    + 'variance 1) after this training, so predict and evaluate normalize with statistics that are not those of the '
    + 'data. Call await model.calibrateBatchNorm(xTrain) after fit for the exact statistics (or train for more steps).';
}

/** A model's notice waiting for the event loop; calibration cancels it. Only the model points at it. */
const waiting = new WeakMap<object, { cancelled: boolean }>();

/**
 * fit's end: the notice is printed when the program next yields to the event loop, unless the model was
 * calibrated by then, so `await model.fit(…); await model.calibrateBatchNorm(x)` hears nothing. The timer holds
 * the text only, never the model: a model dropped right after fit stays collectable.
 */
export function noticeAfterFit(model: { readonly layers: Layer[] }): void {
  const text = staleStatisticsNotice(model.layers);
  if (text === null) return;
  const ticket = { cancelled: false };
  waiting.set(model, ticket);
  setTimeout(() => { if (!ticket.cancelled) console.warn(text); }, 0);
}

/** calibrateBatchNorm ran: a notice fit left waiting for this model is moot. */
function cancelNotice(model: object): void {
  const ticket = waiting.get(model);
  if (ticket) ticket.cancelled = true;
}
