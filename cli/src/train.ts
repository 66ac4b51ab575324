import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as bw from 'bnwasm';
import { ready } from './backend.js';
import { listColumns, readDataset, targets, type Task } from './dataset.js';
import { fail } from './errors.js';
import { accuracyOf, argmax, confusionMatrix, formatConfusion, rmse } from './metrics.js';
import { averageNetworks } from './ensemble.js';
import { applyEncoding, encodingSummary, fillSummary, fitEncoding, inputNames } from './encoding.js';
import { buildModel } from './model-builder.js';
import { consoleOutput, type Output } from './output.js';
import { applyScaling, columnScaling, writePreprocessing, type Preprocessing } from './preprocessing.js';
import { startBar } from './progress.js';
import { checkOutDir, MODEL_FILES, replaceDir } from './out-dir.js';
import { allocating, allocatingAsync, checkMagnitudes, checkModelSize } from './limits.js';
import { permuteRows, splitRows } from './split.js';

export interface TrainOptions {
  label: string;
  /** Columns to leave out of the features. */
  ignore?: string[];
  /** Default: defaultEpochs (DEFAULT_EPOCHS, more for a small classification table). */
  epochs?: number;
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
  batchSize: 32, hidden: [64, 64], batchNorm: true, optimizer: 'adam', validationSplit: 0.2, seed: 42, out: 'bnwasm-model',
} as const;

export interface TrainResult {
  task: Task;
  classes: string[];
  /** Final epoch values under the history's keys (loss, accuracy, val_loss, val_accuracy). */
  metrics: Record<string, number>;
  confusion: number[][] | null;
  modelDir: string;
}

/** Epochs when --epochs is not given, unless a small classification table needs more to reach MIN_DEFAULT_STEPS. */
export const DEFAULT_EPOCHS = 20;
/**
 * Optimizer steps a default classification run takes at least. 20 epochs of 120 rows are 80 Adam steps
 * at 0.001, too few to fit even three classes: measured on public tables (iris 90 % → 93 % held out,
 * logistic regression 94 %; wine 95 % → 97 %), with no loss on larger ones. A small regression (the mean
 * of several networks) keeps DEFAULT_EPOCHS: more steps let its networks fit the noise (diabetes: the
 * worst split's R² 0.03 → 0.05 below least squares).
 */
export const MIN_DEFAULT_STEPS = 500;

/** The epochs of a run without --epochs. */
export function defaultEpochs(trainRows: number, batchSize: number, classification: boolean): number {
  if (!classification) return DEFAULT_EPOCHS;
  return Math.max(DEFAULT_EPOCHS, Math.ceil(MIN_DEFAULT_STEPS / Math.ceil(trainRows / batchSize)));
}

/** From this many training rows on, the default model also normalizes its hidden layers. */
export const HIDDEN_BN_MIN_ROWS = 1000;
/** Below HIDDEN_BN_MIN_ROWS a regression is the mean of this many networks (of half the --hidden width each). */
export const ENSEMBLE_MEMBERS = 5;

const fmt = (v: number | undefined, digits = 4) => (v === undefined ? '-' : v.toFixed(digits));

/** `bnwasm train`: CSV → trained model directory (model.json, weights.bin, preprocessing.json, metrics.json). */
export async function train(file: string, opts: TrainOptions, out: Output = consoleOutput()): Promise<TrainResult> {
  // the output is checked before the data is read, so a bad --out never costs a training run
  checkOutDir(opts.out, '--out', MODEL_FILES);
  await ready(); // checks BNWASM_BACKEND / BNWASM_THREADS before the data is read
  const data = await readDataset(file, { label: opts.label, ignore: opts.ignore });
  if (data.rowLabels) out.log(`the first column has no name: read as row labels (a pandas index or R row names), not a feature`);
  const { missing, firstMissing } = data.label!;
  if (missing) out.warn(`${missing} row${missing === 1 ? ' has' : 's have'} no label (an empty cell or a missing-value marker in '${opts.label}', first on line ${firstMissing}): left out`);
  const y = targets(data, opts.task);
  if (y.reason) out.log(`task: ${y.reason}`);
  const classification = y.task === 'classification';

  const split = splitRows(data.rows, opts.validationSplit, opts.seed, classification ? y.values : undefined);
  const nTrain = split.train.length, nHeld = split.heldOut.length;
  if (nTrain < opts.batchSize) {
    const heldOut = nHeld ? ` after holding out ${nHeld} for validation` : '';
    fail(`${file} leaves ${nTrain} training rows${heldOut}, fewer than one batch of ${opts.batchSize}; lower --batch-size or --validation-split, or add rows`);
  }
  if (opts.validationSplit > 0 && nHeld === 0) out.warn(`--validation-split ${opts.validationSplit} holds out no rows of ${data.rows}; the summary is on the training rows`);
  if (classification && split.classesNotHeldOut.length && nHeld > 0) {
    const names = split.classesNotHeldOut.map((c) => `'${y.classes[c]}'`);
    out.warn(`class${names.length > 1 ? 'es' : ''} ${listColumns(names, 5)} of '${opts.label}' ha${names.length > 1 ? 've' : 's'} a single row, kept for training: the held-out rows do not include ${names.length > 1 ? 'them' : 'it'}`);
  }

  // the rows in place as [training | held out]: no second copy of a large file's features
  const order = new Uint32Array(data.rows);
  order.set(split.train);
  order.set(split.heldOut, nTrain);
  permuteRows(data.x, data.width, order);
  const yv = new Float32Array(data.rows);
  for (let i = 0; i < data.rows; i++) yv[i] = y.values[order[i]];
  const trainRows = (m: Float32Array, w: number) => m.subarray(0, nTrain * w);
  const heldRows = (m: Float32Array, w: number) => m.subarray(nTrain * w, data.rows * w);

  // columns to model inputs, learned from the training rows (now the first nTrain)
  const fitted = fitEncoding(data, nTrain);
  for (const note of fitted.notes) out.log(note);
  for (const warning of fitted.warnings) out.warn(warning);
  if (fitted.encodings.length === 0) fail(`${file} has no usable feature columns (${listColumns(data.featureColumns)}): none holds numbers or categories`);
  const { encodings, sources } = fitted;
  const encoded = applyEncoding(data.x, data.rows, data.width, encodings, sources);
  const { x, width } = encoded;
  const inputs = inputNames(encodings), featureColumns = encodings.map((e) => e.column);
  for (const line of [encodingSummary(encodings), fillSummary(encodings, encoded.filled)]) if (line) out.log(line);

  if (opts.batchNorm) checkMagnitudes(trainRows(x, width), width, inputs);
  // Without a leading BatchNormalization the features are z-scored here instead (saved for predict).
  const featureScaling = opts.batchNorm ? null : columnScaling(trainRows(x, width), width);
  if (featureScaling) applyScaling(x, featureScaling);
  let targetScaling: Preprocessing['targetScaling'] = null;
  if (!classification) {
    // MSE on raw targets in the thousands would need a tiny learning rate; the model learns z-scores
    const s = columnScaling(trainRows(yv, 1), 1);
    targetScaling = { mean: s.mean[0], std: s.std[0] };
    applyScaling(yv, s);
  }

  const epochs = opts.epochs ?? defaultEpochs(nTrain, opts.batchSize, classification);
  const outputs = classification ? y.classes.length : 1;
  const learningRate = opts.learningRate ?? (opts.optimizer === 'sgd' ? 0.01 : 0.001);
  // Measured on small generated tables (see the default-model tests): after calibration, BN between the
  // hidden layers costs accuracy below about a thousand training rows (2-6 points of accuracy, 0.05-0.2 of
  // R²), while the input BN matches standardizing the columns. Small tables get the input BN only.
  const hiddenBatchNorm = nTrain >= HIDDEN_BN_MIN_ROWS;
  // A regression on a small table: one network fits the noise of the few rows (held-out R² 0.06 below least
  // squares on average, up to 0.16); the mean of five networks of half the width is one network that
  // does not (0.014, at most 0.036): see averageNetworks.
  const members = opts.batchNorm && !hiddenBatchNorm && !classification ? ENSEMBLE_MEMBERS : 1;
  const hidden = members > 1 ? opts.hidden.map((h) => Math.ceil(h / 2)) : opts.hidden;
  checkModelSize(opts, width, outputs);
  const network = (seed: number) => allocating(opts, () => {
    bw.setSeed(seed);
    const m = buildModel({ inputs: width, hidden, batchNorm: opts.batchNorm, hiddenBatchNorm, task: y.task, outputs });
    m.compile({
      optimizer: opts.optimizer === 'sgd' ? bw.optimizers.sgd({ learningRate }) : bw.optimizers.adam({ learningRate }),
      loss: classification ? 'sparseCategoricalCrossentropy' : 'meanSquaredError',
      metrics: classification ? ['accuracy'] : [],
    });
    return m;
  });

  // views, not copies: a Tensor keeps the array it is given
  const targetShape = (v: Float32Array) => new bw.Tensor(v, classification ? [v.length] : [v.length, 1]);
  const xTrain = new bw.Tensor(trainRows(x, width), [nTrain, width]);
  const yTrain = targetShape(trainRows(yv, 1));
  const xHeld = nHeld ? new bw.Tensor(heldRows(x, width), [nHeld, width]) : null;
  const yHeld = nHeld ? targetShape(heldRows(yv, 1)) : null;

  const normalization = !opts.batchNorm ? 'without batch normalization' : hiddenBatchNorm ? 'with batch normalization'
    : `batch normalization of the inputs only (fewer than ${HIDDEN_BN_MIN_ROWS} training rows)`;
  const averaged = members > 1 ? ` · the mean of ${members} networks of hidden ${hidden.join(',') || 'none'}` : '';
  out.log(`Training on ${nTrain} rows, ${nHeld} held out · ${width === featureColumns.length ? `${width} features` : `${featureColumns.length} features as ${width} inputs`} · ${classification ? `${outputs} classes` : 'regression'} · ${normalization}${averaged} · ${opts.optimizer} lr ${learningRate} · ${epochs} epochs${opts.epochs === undefined && epochs > DEFAULT_EPOCHS ? ` (at least ${MIN_DEFAULT_STEPS} steps on a small table)` : ''}`);
  let bar: ReturnType<typeof startBar> | null = null;
  let seen = 0;
  const status = (logs: Record<string, number>) => Object.entries(logs)
    .filter(([k]) => k !== 'batch' && k !== 'size').map(([k, v]) => `${k} ${fmt(v)}`).join(' · ');
  // The moving averages keep momentum^steps of their initial mean 0 and variance 1 (a small table never
  // outgrows them): the saved model normalizes with the training rows' population statistics instead,
  // computed in batches as in training (the BN paper's inference procedure), and is evaluated as saved.
  const calibrate = async (model: bw.Sequential) => {
    try {
      await model.calibrateBatchNorm(xTrain, { batchSize: opts.batchSize });
    } catch (e) {
      fail(`the batch normalization statistics could not be computed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); try --no-batchnorm`);
    }
  };
  // On a small table the moving averages trail the data for the whole run, so each epoch's validation
  // with them says nothing (iris: val_accuracy 0.33 every epoch, 0.93 calibrated). There each epoch is
  // validated calibrated, for one inference pass over fewer than HIDDEN_BN_MIN_ROWS training rows; the
  // weights are trained exactly as without (training-mode BN never reads the moving statistics).
  const calibrateEachEpoch = opts.batchNorm && !hiddenBatchNorm && xHeld !== null;
  const trained: bw.Sequential[] = [];
  const metrics: Record<string, number> = {};
  for (let member = 0; member < members; member++) {
    const model = network(opts.seed + member);
    const label = members > 1 ? `Network ${member + 1}/${members} · ` : '';
    let history: bw.History;
    try {
      history = await allocatingAsync(opts, () => model.fit(xTrain, yTrain, {
        epochs,
        batchSize: opts.batchSize,
        validationData: xHeld && yHeld && !calibrateEachEpoch ? [xHeld, yHeld] : undefined,
        callbacks: {
          onEpochBegin: (epoch) => { seen = 0; bar = startBar(out, `${label}Epoch ${epoch + 1}/${epochs}`, nTrain, 'samples'); },
          onBatchEnd: (_b, logs) => { seen += logs.size; bar?.update(seen, status({ loss: logs.loss, ...(logs.accuracy === undefined ? {} : { accuracy: logs.accuracy }) })); },
          onEpochEnd: async (_e, logs) => {
            if (calibrateEachEpoch) {
              await calibrate(model);
              for (const [key, value] of Object.entries(model.evaluate(xHeld!, yHeld!, { batchSize: opts.batchSize }))) logs[`val_${key}`] = value;
            }
            bar?.stop(status(logs));
          },
        },
      }));
    } catch (e) {
      if (e instanceof bw.DivergenceError) fail(`training diverged (the loss became NaN or infinite); try a lower --learning-rate than ${learningRate}`);
      throw e;
    }
    // the history's final values (averaged over the networks when there are several)
    for (const [key, values] of Object.entries(history.history)) metrics[key] = (metrics[key] ?? 0) + values[values.length - 1] / members;
    if (opts.batchNorm && !calibrateEachEpoch) await calibrate(model);
    trained.push(model);
  }
  const model = members > 1 ? averageNetworks(trained, width, hidden) : trained[0];
  if (members > 1) model.compile({ optimizer: bw.optimizers.sgd({ learningRate }), loss: 'meanSquaredError' }); // for evaluate
  if (opts.batchNorm && xHeld && yHeld) {
    const moving = { loss: metrics.val_loss, accuracy: metrics.val_accuracy };
    const calibrated = model.evaluate(xHeld, yHeld, { batchSize: 1024 });
    metrics.val_loss = calibrated.loss;
    if (calibrated.accuracy !== undefined) metrics.val_accuracy = calibrated.accuracy;
    const what = calibrateEachEpoch ? (calibrated.accuracy === undefined ? `val_loss ${fmt(calibrated.loss)}` : `val_accuracy ${fmt(calibrated.accuracy)}`)
      : moving.accuracy === undefined ? `val_loss ${fmt(moving.loss)} → ${fmt(calibrated.loss)}` : `val_accuracy ${fmt(moving.accuracy)} → ${fmt(calibrated.accuracy)}`;
    out.log(`batch normalization statistics calibrated on the ${nTrain} training rows${calibrateEachEpoch ? ' after every epoch' : ''}${members > 1 ? `, networks averaged` : ''} (${what})`);
  }
  // the summary is on the held-out rows, or on the training rows when nothing was held out
  const [evalX, evalFrom, evalRows, evalName] = xHeld ? [xHeld, nTrain, nHeld, 'held-out'] : [xTrain, 0, nTrain, 'training'];
  const probs = model.predict(evalX).dataSync();
  let confusion: number[][] | null = null;
  if (classification) {
    const truth = yv.subarray(evalFrom, evalFrom + evalRows);
    const predicted = Array.from({ length: evalRows }, (_r, i) => argmax(probs, outputs, i));
    confusion = confusionMatrix(truth, predicted, outputs);
    out.log(`\n${evalName} accuracy: ${(accuracyOf(confusion) * 100).toFixed(2)}% (${evalRows} rows)`);
    if (outputs <= 20) out.log(`confusion matrix (${evalName} rows; rows = true label, columns = predicted):\n${formatConfusion(confusion, y.classes)}`);
  } else {
    const t = targetScaling!;
    const truth = new Float64Array(evalRows), value = new Float64Array(evalRows);
    for (let i = 0; i < evalRows; i++) { truth[i] = y.values[order[evalFrom + i]]; value[i] = probs[i] * t.std + t.mean; }
    const error = rmse(truth, value);
    metrics[xHeld ? 'val_rmse' : 'rmse'] = error;
    out.log(`\n${evalName} RMSE: ${error.toPrecision(4)} (${evalRows} rows; the label's standard deviation is ${t.std.toPrecision(4)})`);
  }

  const record = { ...metrics, ...(confusion ? { confusion_matrix: { labels: y.classes, matrix: confusion } } : {}) };
  await replaceDir(opts.out, async (dir) => {
    await model.save(dir);
    writePreprocessing(dir, {
      format: 'bnwasm-preprocessing', version: 2, task: y.task, label: opts.label, featureColumns, encoding: encodings, inputs,
      classes: y.classes, featureScaling, targetScaling,
    });
    writeFileSync(join(dir, 'metrics.json'), JSON.stringify(record, null, 2) + '\n');
  });
  out.log(`final: ${Object.entries(metrics).map(([k, v]) => `${k} ${fmt(v)}`).join(' · ')}`);
  out.log(`model saved to ${opts.out}/ (model.json, weights.bin, preprocessing.json, metrics.json)`);
  return { task: y.task, classes: y.classes, metrics, confusion, modelDir: opts.out };
}
