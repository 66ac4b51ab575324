import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as bw from 'bnwasm';
import { ready } from './backend.js';
import { readTable } from './csv.js';
import { featureMatrix, targets, type Task } from './dataset.js';
import { fail } from './errors.js';
import { accuracyOf, argmax, confusionMatrix, formatConfusion, rmse } from './metrics.js';
import { buildModel } from './model-builder.js';
import { consoleOutput, type Output } from './output.js';
import { applyScaling, columnScaling, writePreprocessing, type Preprocessing } from './preprocessing.js';
import { startBar } from './progress.js';
import { splitRows } from './split.js';

export interface TrainOptions {
  label: string;
  epochs: number;
  batchSize: number;
  hidden: number[];
  batchNorm: boolean;
  optimizer: 'sgd' | 'adam';
  /** Default: Keras's, 0.01 for SGD and 0.001 for Adam. */
  learningRate?: number;
  validationSplit: number;
  /** Inferred from the label column when absent. */
  task?: Task;
  seed: number;
  out: string;
}

export const TRAIN_DEFAULTS = {
  epochs: 20, batchSize: 32, hidden: [64, 64], batchNorm: true, optimizer: 'adam', validationSplit: 0.2, seed: 42, out: 'bnwasm-model',
} as const;

export interface TrainResult {
  task: Task;
  classes: string[];
  /** Final epoch values under the history's keys (loss, accuracy, val_loss, val_accuracy). */
  metrics: Record<string, number>;
  confusion: number[][] | null;
  modelDir: string;
}

/** Picks rows of a row-major matrix. */
function take(x: Float32Array, width: number, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(x.subarray(r * width, (r + 1) * width), i * width));
  return out;
}

const fmt = (v: number | undefined, digits = 4) => (v === undefined ? '-' : v.toFixed(digits));

/** `bnwasm train`: CSV → trained model directory (model.json, weights.bin, preprocessing.json, metrics.json). */
export async function train(file: string, opts: TrainOptions, out: Output = consoleOutput()): Promise<TrainResult> {
  const table = readTable(file);
  const y = targets(table, opts.label, opts.task);
  const featureColumns = table.columns.filter((c) => c !== opts.label);
  if (featureColumns.length === 0) fail(`${file} has no feature columns besides the label '${opts.label}'`);
  const x = featureMatrix(table, featureColumns);
  const width = featureColumns.length, classification = y.task === 'classification';

  const split = splitRows(table.rows.length, opts.validationSplit, opts.seed, classification ? y.values : undefined);
  if (split.train.length < opts.batchSize) {
    const heldOut = split.heldOut.length ? ` after holding out ${split.heldOut.length} for validation` : '';
    fail(`${file} leaves ${split.train.length} training rows${heldOut}, fewer than one batch of ${opts.batchSize}; lower --batch-size or --validation-split, or add rows`);
  }
  if (classification && new Set(split.train.map((r) => y.values[r])).size < 2) {
    fail(`${file}: the training rows hold a single class of '${opts.label}'; classification needs at least two`);
  }

  // Without a leading BatchNormalization the features are z-scored here instead (saved for predict).
  const featureScaling = opts.batchNorm ? null : columnScaling(x, width, split.train);
  if (featureScaling) applyScaling(x, featureScaling);
  let targetScaling: Preprocessing['targetScaling'] = null;
  const yv = Float32Array.from(y.values);
  if (!classification) {
    // MSE on raw targets in the thousands would need a tiny learning rate; the model learns z-scores
    const s = columnScaling(yv, 1, split.train);
    targetScaling = { mean: s.mean[0], std: s.std[0] };
    applyScaling(yv, s);
  }

  await ready();
  bw.setSeed(opts.seed);
  const outputs = classification ? y.classes.length : 1;
  const model = buildModel({ inputs: width, hidden: opts.hidden, batchNorm: opts.batchNorm, task: y.task, outputs });
  const learningRate = opts.learningRate ?? (opts.optimizer === 'sgd' ? 0.01 : 0.001);
  model.compile({
    optimizer: opts.optimizer === 'sgd' ? bw.optimizers.sgd({ learningRate }) : bw.optimizers.adam({ learningRate }),
    loss: classification ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
    metrics: classification ? ['accuracy'] : [],
  });

  const xTrain = bw.tensor(take(x, width, split.train), [split.train.length, width]);
  const yTrain = bw.tensor(take(yv, 1, split.train), [split.train.length]);
  const xHeld = split.heldOut.length ? bw.tensor(take(x, width, split.heldOut), [split.heldOut.length, width]) : null;
  const yHeld = split.heldOut.length ? bw.tensor(take(yv, 1, split.heldOut), [split.heldOut.length]) : null;
  const targetShape = (t: bw.Tensor) => (classification ? t : bw.tensor(t.dataSync(), [t.shape[0], 1]));

  out.log(`Training on ${split.train.length} rows, ${split.heldOut.length} held out · ${width} features · ${classification ? `${outputs} classes` : 'regression'} · ${opts.batchNorm ? 'with' : 'without'} batch normalization · ${opts.optimizer} lr ${learningRate}`);
  let history: bw.History;
  let bar: ReturnType<typeof startBar> | null = null;
  let seen = 0;
  const status = (logs: Record<string, number>) => Object.entries(logs)
    .filter(([k]) => k !== 'batch' && k !== 'size').map(([k, v]) => `${k} ${fmt(v)}`).join(' · ');
  try {
    history = await model.fit(xTrain, targetShape(yTrain), {
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      validationData: xHeld && yHeld ? [xHeld, targetShape(yHeld)] : undefined,
      callbacks: {
        onEpochBegin: (epoch) => { seen = 0; bar = startBar(out, `Epoch ${epoch + 1}/${opts.epochs}`, split.train.length, 'samples'); },
        onBatchEnd: (_b, logs) => { seen += logs.size; bar?.update(seen, status({ loss: logs.loss, ...(logs.accuracy === undefined ? {} : { accuracy: logs.accuracy }) })); },
        onEpochEnd: (_e, logs) => bar?.stop(status(logs)),
      },
    });
  } catch (e) {
    if (e instanceof bw.DivergenceError) fail(`training diverged (the loss became NaN or infinite); try a lower --learning-rate than ${learningRate}`);
    throw e;
  }
  // the moving averages keep momentum^steps of their initial values: the saved model gets the training rows' exact statistics
  if (opts.batchNorm) await model.calibrateBatchNorm(xTrain, { batchSize: opts.batchSize });

  const metrics: Record<string, number> = {};
  for (const [key, values] of Object.entries(history.history)) metrics[key] = values[values.length - 1];
  // the summary is on the held-out rows, or on the training rows when nothing was held out
  const [evalX, evalRows, evalName] = xHeld ? [xHeld, split.heldOut, 'held-out'] : [xTrain, split.train, 'training'];
  const probs = model.predict(evalX).dataSync();
  let confusion: number[][] | null = null;
  if (classification) {
    const predicted = evalRows.map((_r, i) => argmax(probs, outputs, i));
    confusion = confusionMatrix(evalRows.map((r) => y.values[r]), predicted, outputs);
    out.log(`\n${evalName} accuracy: ${(accuracyOf(confusion) * 100).toFixed(2)}% (${evalRows.length} rows)`);
    if (outputs <= 20) out.log(`confusion matrix (${evalName} rows; rows = true label, columns = predicted):\n${formatConfusion(confusion, y.classes)}`);
  } else {
    const t = targetScaling!;
    const value = evalRows.map((_r, i) => probs[i] * t.std + t.mean);
    const error = rmse(evalRows.map((r) => y.values[r]), value);
    metrics[xHeld ? 'val_rmse' : 'rmse'] = error;
    out.log(`\n${evalName} RMSE: ${error.toPrecision(4)} (${evalRows.length} rows; the label's standard deviation is ${t.std.toPrecision(4)})`);
  }

  mkdirSync(opts.out, { recursive: true });
  await model.save(opts.out);
  writePreprocessing(opts.out, {
    format: 'bnwasm-preprocessing', version: 1, task: y.task, label: opts.label, featureColumns, classes: y.classes,
    featureScaling, targetScaling,
  });
  const record = { ...metrics, ...(confusion ? { confusion_matrix: { labels: y.classes, matrix: confusion } } : {}) };
  writeFileSync(join(opts.out, 'metrics.json'), JSON.stringify(record, null, 2) + '\n');
  out.log(`final: ${Object.entries(metrics).map(([k, v]) => `${k} ${fmt(v)}`).join(' · ')}`);
  out.log(`model saved to ${opts.out}/ (model.json, weights.bin, preprocessing.json, metrics.json)`);
  return { task: y.task, classes: y.classes, metrics, confusion, modelDir: opts.out };
}
