import type { Tensor } from '../tensor/tensor.js';
import { rng } from '../util/rng.js';
import { boolean, fail, integer, knownKeys, number } from '../util/validate.js';
import { sliceRows, type Dataset } from './data.js';
import { History } from './history.js';
import type { AccuracyKind } from './losses.js';
import { epochProgress } from './progress.js';
import { DivergenceError, type StepResult } from './train-step.js';

export type Logs = Record<string, number>;
export interface Callbacks {
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: Logs) => void | Promise<void>;
}
export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  callbacks?: Callbacks;
  verbose?: 0 | 1 | 2;
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose'];
const CALLBACK_KEYS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'];

/** What the fit loop needs from its model (a compiled Sequential gives these). */
export interface Fitting {
  /** Checks x and y against the model (building it when needed) and prepares the targets. */
  dataset(x: unknown, y: unknown, what: string): Dataset;
  step(rows: number, xRow: number, yRow: number, fill: (x: Float32Array, y: Float32Array) => void): StepResult;
  evaluate(d: Dataset, batchSize: number): { loss: number; accuracy?: number };
  /** Throws unless the model is compiled; returns the accuracy it reports (null: none). */
  begin(): AccuracyKind | null;
  /** The model's flag: a callback sets it to end fit after the current batch (as in TF.js). */
  stopTraining: boolean;
}

/** The training and validation sets fit runs on (Keras takes validationSplit rows from the end, before shuffling). */
function datasets(m: Fitting, x: Tensor, y: Tensor, args: FitArgs): { train: Dataset; validation: Dataset | null } {
  const train = m.dataset(x, y, 'fit');
  if (args.validationData !== undefined) {
    const vd = args.validationData;
    if (!Array.isArray(vd) || vd.length !== 2) fail('fit: validationData', '[x, y]', vd);
    return { train, validation: m.dataset(vd[0], vd[1], 'fit: validationData') };
  }
  if (args.validationSplit === undefined) return { train, validation: null };
  const split = number(args.validationSplit, 'fit: validationSplit', (s) => s >= 0 && s < 1, 'a number in [0, 1)');
  if (split === 0) return { train, validation: null };
  const at = Math.floor(train.rows * (1 - split));
  if (at < 1 || at >= train.rows) {
    throw new Error(`fit: validationSplit ${split} of ${train.rows} samples leaves ${at} for training and ${train.rows - at} for validation; both need at least one`);
  }
  return { train: sliceRows(train, 0, at), validation: sliceRows(train, at, train.rows) };
}

/** model.fit: epochs of (shuffled) batches, callbacks, validation after each epoch, progress. */
export async function fitLoop(m: Fitting, x: Tensor, y: Tensor, args: FitArgs): Promise<History> {
  knownKeys(args, 'fit', FIT_KEYS);
  const kind = m.begin();
  const epochs = integer(args.epochs ?? 1, 'fit: epochs', 1);
  const batchSize = integer(args.batchSize ?? 32, 'fit: batchSize', 1);
  const shuffle = boolean(args.shuffle ?? true, 'fit: shuffle');
  const verbose = integer(args.verbose ?? 0, 'fit: verbose', 0, 2);
  const callbacks = args.callbacks ?? {};
  knownKeys(callbacks, 'fit: callbacks', CALLBACK_KEYS);
  for (const [key, fn] of Object.entries(callbacks)) {
    if (typeof fn !== 'function') fail(`fit: callbacks.${key}`, 'a function', fn);
  }
  const { train, validation } = datasets(m, x, y, args);
  const history = new History();
  const { rows, xRow, yRow } = train;
  m.stopTraining = false;
  await callbacks.onTrainBegin?.();
  for (let epoch = 0; epoch < epochs && !m.stopTraining; epoch++) {
    await callbacks.onEpochBegin?.(epoch);
    const order = shuffle ? rng.permutation(rows) : null;
    const bar = verbose === 1 ? await epochProgress(epoch, epochs, rows) : null;
    let lossSum = 0, correct = 0, samples = 0, seen = 0;
    const logs = (): Logs => {
      const l: Logs = { loss: lossSum / samples };
      if (kind) l.accuracy = correct / samples;
      return l;
    };
    const batches = Math.ceil(rows / batchSize);
    for (let b = 0; b < batches && !m.stopTraining; b++) {
      const start = b * batchSize, n = Math.min(batchSize, rows - start);
      await callbacks.onBatchBegin?.(b, { batch: b, size: n });
      let step;
      try {
        step = m.step(n, xRow, yRow, (xv, yv) => {
          for (let i = 0; i < n; i++) {
            const r = order ? order[start + i] : start + i;
            xv.set(train.x.subarray(r * xRow, (r + 1) * xRow), i * xRow);
            yv.set(train.y.subarray(r * yRow, (r + 1) * yRow), i * yRow);
          }
        });
      } catch (e) {
        if (e instanceof DivergenceError) {
          throw new DivergenceError(`fit: training diverged at epoch ${epoch + 1}, batch ${b + 1}: ${e.message}; the model keeps the weights from before that step`);
        }
        throw e;
      }
      lossSum += step.loss * step.samples;
      correct += step.correct;
      samples += step.samples;
      seen += n;
      const batchLogs: Logs = { batch: b, size: n, loss: step.loss };
      if (kind) batchLogs.accuracy = step.correct / step.samples;
      await callbacks.onBatchEnd?.(b, batchLogs);
      bar?.update(seen, logs());
    }
    const epochLogs = logs();
    if (validation) {
      const v = m.evaluate(validation, batchSize);
      epochLogs.val_loss = v.loss;
      if (v.accuracy !== undefined) epochLogs.val_accuracy = v.accuracy;
    }
    bar?.stop(epochLogs);
    if (verbose === 2) console.log(`Epoch ${epoch + 1}/${epochs} - ${Object.entries(epochLogs).map(([k, v]) => `${k}: ${v.toFixed(4)}`).join(' - ')}`);
    history.record(epoch, epochLogs);
    await callbacks.onEpochEnd?.(epoch, epochLogs);
  }
  await callbacks.onTrainEnd?.();
  return history;
}
