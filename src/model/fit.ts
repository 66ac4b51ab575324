import type { Tensor } from '../tensor/tensor.js';
import { CallbackList, type CallbackHooks, type Logs, type TrainingModel } from '../training/callbacks.js';
import type { Metric } from '../training/metrics.js';
import { sampleWeights, withClassWeight } from '../training/sample-weights.js';
import { nextTurn, Yielder, type YieldEvery } from '../training/yield.js';
import { rng } from '../util/rng.js';
import { boolean, fail, integer, knownKeys, number } from '../util/validate.js';
import { sliceRows, type Dataset } from './data.js';
import { History } from './history.js';
import { epochProgress } from './progress.js';
import { DivergenceError, type StepResult } from './train-step.js';

export type { Logs };
/** fit's callbacks option: one object of hooks (or a bw.callbacks one), or an array of them. */
export type Callbacks = CallbackHooks | CallbackHooks[];
export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  callbacks?: Callbacks;
  verbose?: 0 | 1 | 2;
  /** Weight of each class in the loss, by class index (a class not listed weighs 1). */
  classWeight?: Record<number, number>;
  /** Weight of each sample in the loss, shape [samples] or [samples, 1]. */
  sampleWeight?: Tensor;
  yieldEvery?: YieldEvery;
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose', 'classWeight',
  'sampleWeight', 'yieldEvery'];

/** What the fit loop needs from its model (a compiled Sequential gives these). */
export interface Fitting {
  /** Checks x and y against the model (building it when needed) and prepares the targets. */
  dataset(x: unknown, y: unknown, what: string): Dataset;
  step(rows: number, xRow: number, yRow: number, fill: (x: Float32Array, y: Float32Array) => void,
    weights: Float32Array | null, metrics: Metric[]): StepResult;
  /** Loss and metrics over a dataset (validation), keyed by name. */
  evaluate(d: Dataset, batchSize: number, weights: Float32Array | null): Record<string, number>;
  /** Throws unless the model is compiled. */
  begin(): void;
  /** Fresh accumulators of the compiled metrics; known once the datasets have built the model. */
  metrics(): Metric[];
  /** The model as callbacks see it; its stopTraining flag ends fit after the current batch (as in TF.js). */
  readonly model: TrainingModel;
}

/** Rows [from, to) of per-sample weights (null stays null). */
const sliceWeights = (w: Float32Array | null, from: number, to: number) => (w ? w.slice(from, to) : null);

/**
 * Rows order[start + i] (or start + i without a shuffle) of `src`, `width` floats each, into `dst`. Unshuffled
 * rows are one block; narrow rows are copied float by float (a subarray per row costs more than the row).
 */
function gatherRows(src: Float32Array, width: number, order: Int32Array | null, start: number, n: number,
  dst: Float32Array): void {
  if (!order) { dst.set(src.subarray(start * width, (start + n) * width)); return; }
  for (let i = 0; i < n; i++) {
    const from = order[start + i] * width, to = i * width;
    if (width < WIDE_ROW) for (let j = 0; j < width; j++) dst[to + j] = src[from + j];
    else dst.set(src.subarray(from, from + width), to);
  }
}
/** Row width (floats) from which one typed-array copy per row beats a plain loop. */
const WIDE_ROW = 32;

/** The batch's per-sample weights, in the order gatherRows takes the rows. */
function gatherWeights(w: Float32Array, order: Int32Array | null, start: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = w[order ? order[start + i] : start + i];
  return out;
}

/**
 * The training and validation sets fit runs on (Keras takes validationSplit rows from the end, before
 * shuffling), with their per-sample weights: sampleWeight is split with the rows; classWeight applies
 * to the training rows only (as in Keras).
 */
function datasets(m: Fitting, x: Tensor, y: Tensor, args: FitArgs) {
  const all = m.dataset(x, y, 'fit');
  const sw = sampleWeights('fit', all.rows, all.y, all.yRow, undefined, args.sampleWeight);
  let train = all, trainW = sw, validation: Dataset | null = null, validationW: Float32Array | null = null;
  if (args.validationData !== undefined) {
    const vd = args.validationData;
    if (!Array.isArray(vd) || vd.length !== 2) fail('fit: validationData', '[x, y]', vd);
    validation = m.dataset(vd[0], vd[1], 'fit: validationData');
  } else if (args.validationSplit !== undefined) {
    const split = number(args.validationSplit, 'fit: validationSplit', (s) => s >= 0 && s < 1, 'a number in [0, 1)');
    if (split > 0) {
      const at = Math.floor(all.rows * (1 - split));
      if (at < 1 || at >= all.rows) {
        throw new Error(`fit: validationSplit ${split} of ${all.rows} samples leaves ${at} for training and ${all.rows - at} for validation; both need at least one`);
      }
      train = sliceRows(all, 0, at);
      validation = sliceRows(all, at, all.rows);
      trainW = sliceWeights(sw, 0, at);
      validationW = sliceWeights(sw, at, all.rows);
    }
  }
  const trainWeights = withClassWeight('fit', train.rows, train.y, train.yRow, args.classWeight, trainW);
  return { train, trainWeights, validation, validationWeights: validationW };
}

/** model.fit: epochs of (shuffled) batches, callbacks, validation after each epoch, progress. */
export async function fitLoop(m: Fitting, x: Tensor, y: Tensor, args: FitArgs): Promise<History> {
  knownKeys(args, 'fit', FIT_KEYS);
  m.begin();
  const epochs = integer(args.epochs ?? 1, 'fit: epochs', 1);
  const batchSize = integer(args.batchSize ?? 32, 'fit: batchSize', 1);
  const shuffle = boolean(args.shuffle ?? true, 'fit: shuffle');
  const verbose = integer(args.verbose ?? 0, 'fit: verbose', 0, 2);
  const yielder = new Yielder(args.yieldEvery);
  const callbacks = new CallbackList(args.callbacks, m.model);
  const { train, trainWeights, validation, validationWeights } = datasets(m, x, y, args);
  const epochMetrics = m.metrics(), batchMetrics = m.metrics();
  // without callbacks no one sees a batch's own logs: no per-batch metrics, hooks or awaits to run
  const hooked = callbacks.length > 0, stepMetrics = hooked ? [...epochMetrics, ...batchMetrics] : epochMetrics;
  const history = new History();
  const { rows, xRow, yRow } = train;
  const model = m.model;
  model.stopTraining = false;
  await callbacks.trainBegin();
  for (let epoch = 0; epoch < epochs && !model.stopTraining; epoch++) {
    await callbacks.epochBegin(epoch);
    const order = shuffle ? rng.permutation(rows) : null;
    const bar = verbose === 1 ? await epochProgress(epoch, epochs, rows) : null;
    for (const metric of epochMetrics) metric.reset();
    let lossSum = 0, samples = 0, seen = 0;
    const logs = (): Logs => {
      const l: Logs = { loss: lossSum / samples };
      for (const metric of epochMetrics) l[metric.name] = metric.result();
      return l;
    };
    const batches = Math.ceil(rows / batchSize);
    for (let b = 0; b < batches && !model.stopTraining; b++) {
      const start = b * batchSize, n = Math.min(batchSize, rows - start);
      if (hooked) await callbacks.batchBegin(b, { batch: b, size: n });
      const weights = trainWeights ? gatherWeights(trainWeights, order, start, n) : null;
      if (hooked) for (const metric of batchMetrics) metric.reset();
      let step;
      try {
        step = m.step(n, xRow, yRow, (xv, yv) => {
          gatherRows(train.x, xRow, order, start, n, xv);
          gatherRows(train.y, yRow, order, start, n, yv);
        }, weights, stepMetrics);
      } catch (e) {
        if (e instanceof DivergenceError) {
          throw new DivergenceError(`fit: training diverged at epoch ${epoch + 1}, batch ${b + 1}: ${e.message}; the model keeps the weights from before that step`);
        }
        throw e;
      }
      lossSum += step.loss * step.samples;
      samples += step.samples;
      seen += n;
      // this batch's own values, as TF.js logs them (the epoch's logs are the means over its samples);
      // built only when some callback will see them
      let batchLogs: Logs | null = null;
      if (hooked) {
        batchLogs = { batch: b, size: n, loss: step.loss };
        for (const metric of batchMetrics) batchLogs[metric.name] = metric.result();
        await callbacks.batchEnd(b, batchLogs);
      }
      bar?.update(seen, logs());
      if (yielder.afterBatch()) {
        if (batchLogs) await callbacks.yielded(epoch, b, batchLogs);
        await nextTurn();
        yielder.yielded();
      }
    }
    const epochLogs = logs();
    if (validation) {
      for (const [key, value] of Object.entries(m.evaluate(validation, batchSize, validationWeights))) epochLogs[`val_${key}`] = value;
    }
    bar?.stop(epochLogs);
    await callbacks.epochEnd(epoch, epochLogs);
    if (verbose === 2) console.log(`Epoch ${epoch + 1}/${epochs} - ${Object.entries(epochLogs).map(([k, v]) => `${k}: ${v.toFixed(4)}`).join(' - ')}`);
    history.record(epoch, epochLogs);
    if (yielder.afterEpoch()) { await nextTurn(); yielder.yielded(); }
  }
  await callbacks.trainEnd();
  return history;
}
