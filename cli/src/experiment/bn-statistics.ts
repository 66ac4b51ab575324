import * as bw from 'bnwasm';
import { Rng as Random } from 'bnwasm';
import type { Output } from '../output.js';
import { startBar } from '../progress.js';
import type { Budget } from './config.js';
import type { Data, Split } from './digits.js';

/** The pitfall's network and data: Dense(32, relu) → BN → Dense(10, softmax) on raw pixel values (0..16) + 100. */
export const PITFALL_UNITS = 32;
export const PITFALL_OFFSET = 100;
export const PITFALL_BATCH = 32;
export const PITFALL_LEARNING_RATE = 0.01;
/** Batch Renormalization's clipping in the comparison (the paper's final values). */
export const RENORM_CLIPPING = { rmax: 3, rmin: 1 / 3, dmax: 5 };
/** The last batches of a small-batch run, seen again in training mode and in inference mode. */
export const GAP_BATCHES = 100;

/**
 * One small training set: held-out accuracy with the moving averages fit keeps and with calibrated statistics;
 * trainAccuracy is the last epoch's in training mode (what fit reports).
 */
export interface PitfallRun { trainRows: number; seed: number; steps: number; trainAccuracy: number; moving: number; calibrated: number }

/** One small-batch run: the train/inference gap on its last batches and the held-out accuracy. */
export interface RenormRun {
  batchSize: number;
  renorm: boolean;
  /** Accuracy on the last GAP_BATCHES batches in training mode (each batch normalized with its own statistics). */
  trainingMode: number;
  /** The same batches in inference mode (moving statistics). */
  inference: number;
  heldOut: number;
}

export interface BnStatisticsResults { pitfall: PitfallRun[]; renorm: RenormRun[] }

const INPUTS = 64, CLASSES = 10;

function network(units: number, bn: Record<string, unknown> = {}): bw.Sequential {
  return bw.sequential({ layers: [
    bw.layers.dense({ units, activation: 'relu', inputShape: [INPUTS] }),
    bw.layers.batchNormalization(bn),
    bw.layers.dense({ units: CLASSES, activation: 'softmax' }),
  ] });
}

const tensors = (d: Data, rows: number[], map = (v: number) => v) => {
  const x = new Float32Array(rows.length * d.width), y = new Float32Array(rows.length);
  rows.forEach((r, i) => { for (let j = 0; j < d.width; j++) x[i * d.width + j] = map(d.x[r * d.width + j]); y[i] = d.y[r]; });
  return [bw.tensor(x, [rows.length, d.width]), bw.tensor(y, [rows.length])] as const;
};

/** Seeded batches of `size` training rows, epoch after epoch of reshuffled rows (a short remainder is dropped). */
function batchOrder(rows: number[], size: number, count: number, seed: number): number[][] {
  const random = new Random(seed), out: number[][] = [];
  let order: number[] = [];
  while (out.length < count) {
    if (order.length < size) order = random.shuffle([...rows]);
    out.push(order.splice(0, size));
  }
  return out;
}

/**
 * The moving-average pitfall: the pitfall network trained for a fixed number of epochs on the first N rows
 * of the (shuffled) training split, features unscaled with an offset as many tables have them; then
 * held-out accuracy with the moving statistics and again after model.calibrateBatchNorm on the N rows.
 */
async function pitfall(data: Split, budget: Budget['statistics'], out: Output): Promise<PitfallRun[]> {
  const runs: PitfallRun[] = [];
  const raw = (v: number) => 16 * v + PITFALL_OFFSET;
  const [xHeld, yHeld] = tensors(data.heldOut, [...Array(data.heldOut.rows).keys()], raw);
  const bar = startBar(out, 'BN statistics: moving vs calibrated'.padEnd(34), budget.trainRows.length * budget.seeds.length, 'runs');
  for (const seed of budget.seeds) {
    const shuffled = new Random(seed).shuffle([...Array(data.train.rows).keys()]);
    for (const n of budget.trainRows) {
      const rows = shuffled.slice(0, n), [xTrain] = tensors(data.train, rows, raw);
      const batches = batchOrder(rows, PITFALL_BATCH, budget.epochs * Math.floor(n / PITFALL_BATCH), seed);
      bw.setSeed(seed);
      const model = network(PITFALL_UNITS);
      model.compile({ optimizer: bw.optimizers.adam({ learningRate: PITFALL_LEARNING_RATE }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      for (const b of batches) model.trainOnBatch(...tensors(data.train, b, raw));
      const moving = model.evaluate(xHeld, yHeld, { batchSize: 512 }).accuracy!;
      // what fit would report: the last epoch's batches, each normalized with its own statistics
      const trainAccuracy = trainingModeAccuracy(model, batches.slice(-Math.floor(n / PITFALL_BATCH)).map((b) => tensors(data.train, b, raw)));
      await model.calibrateBatchNorm(xTrain);
      runs.push({ trainRows: n, seed, steps: batches.length, trainAccuracy, moving, calibrated: model.evaluate(xHeld, yHeld, { batchSize: 512 }).accuracy! });
      bar.update(runs.length, `${n} rows: ${(moving * 100).toFixed(1)}% → ${(runs[runs.length - 1].calibrated * 100).toFixed(1)}%`);
    }
  }
  bar.stop(`${runs.length} runs`);
  return runs;
}

/** Accuracy on `batches` in training mode (each batch normalized with its own statistics); the weights are restored. */
function trainingModeAccuracy(model: bw.Sequential, batches: ReadonlyArray<readonly [bw.Tensor, bw.Tensor]>): number {
  const saved = model.getWeights();
  let correct = 0, total = 0;
  for (const [x, y] of batches) {
    const p = model.layers.reduce((a, l) => l.apply(a, { training: true }), x).dataSync(), labels = y.dataSync();
    for (let i = 0; i < labels.length; i++) {
      const row = p.subarray(i * CLASSES, (i + 1) * CLASSES);
      correct += row.indexOf(Math.max(...row)) === labels[i] ? 1 : 0;
      total++;
    }
  }
  model.setWeights(saved);
  return correct / total;
}

/**
 * BN vs Batch Renormalization with tiny batches: the seed model (Dense(64, relu) → BN → Dense(10, softmax),
 * Adam) trained on the same batches of 2, 4 or 8 rows with plain BN and with renorm; the gap between the
 * last batches' accuracy in training mode and in inference mode, and the held-out accuracy.
 */
function smallBatches(data: Split, budget: Budget['renorm'], seed: number, out: Output): RenormRun[] {
  const runs: RenormRun[] = [];
  const all = [...Array(data.train.rows).keys()];
  const [xHeld, yHeld] = tensors(data.heldOut, [...Array(data.heldOut.rows).keys()]);
  const bar = startBar(out, 'BN vs Batch Renormalization'.padEnd(34), budget.batchSizes.length * 2, 'runs');
  for (const batchSize of budget.batchSizes) {
    const batches = batchOrder(all, batchSize, budget.steps, seed).map((b) => tensors(data.train, b));
    for (const renorm of [false, true]) {
      bw.setSeed(seed);
      const model = network(64, renorm ? { renorm: true, renormClipping: RENORM_CLIPPING } : {});
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      for (const [x, y] of batches) model.trainOnBatch(x, y);
      const last = batches.slice(-GAP_BATCHES);
      const trainingMode = trainingModeAccuracy(model, last);
      const inference = last.reduce((s, [x, y]) => s + model.evaluate(x, y).accuracy! * y.size, 0) / last.reduce((s, [, y]) => s + y.size, 0);
      runs.push({ batchSize, renorm, trainingMode, inference, heldOut: model.evaluate(xHeld, yHeld, { batchSize: 512 }).accuracy! });
      bar.update(runs.length, `batch ${batchSize} ${renorm ? 'renorm' : 'BN'}`);
    }
  }
  bar.stop(`${runs.length} runs`);
  return runs;
}

export async function bnStatistics(data: Split, budget: Pick<Budget, 'statistics' | 'renorm'>, seed: number, out: Output): Promise<BnStatisticsResults> {
  return { pitfall: await pitfall(data, budget.statistics, out), renorm: smallBatches(data, budget.renorm, seed, out) };
}
