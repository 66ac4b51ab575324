import * as bw from 'bnwasm';
import type { Output } from '../output.js';
import type { Budget } from './config.js';
import type { Split } from './digits.js';
import { compileSgd } from './models.js';
import { run, type RunResult } from './runner.js';

/** The digits' 64 pixels as the 8×8 grayscale images they are. */
export const IMAGE: [number, number, number] = [8, 8, 1];
export const CNN_BATCH = 32;
export const CNN_DESCRIPTION = 'conv 8 3×3 → [BN] → relu → maxpool 2 → conv 16 3×3 → [BN] → relu → flatten → dense 10 softmax';

export interface CnnRun { learningRate: number; withBN: RunResult; withoutBN: RunResult }

/**
 * A small CNN on 8×8×1 images ('same' padding keeps 8×8, then 4×4 after the pooling). Each convolution is
 * linear and followed by [BatchNormalization] → relu, so removing BN leaves the same function as conv2d with
 * activation 'relu'.
 */
export function cnnNetwork(batchNorm: boolean): bw.Sequential {
  const model = bw.sequential();
  const block = (filters: number, first: boolean) => {
    model.add(bw.layers.conv2d({ filters, kernelSize: [3, 3], padding: 'same', ...(first ? { inputShape: IMAGE } : {}) }));
    if (batchNorm) model.add(bw.layers.batchNormalization());
    model.add(bw.layers.activation({ activation: 'relu' }));
  };
  block(8, true);
  model.add(bw.layers.maxPooling2d({ poolSize: [2, 2] }));
  block(16, false);
  model.add(bw.layers.flatten());
  model.add(bw.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

/** The layers that hold the network's initial weights (every Conv2D and Dense), in order. */
const weighted = (m: bw.Sequential) => m.layers.filter((l) => l instanceof bw.Conv2D || l instanceof bw.Dense);

/** Gives `to` the Conv2D and Dense weights of `from`, layer by layer (BN layers are skipped). */
export function copyWeights(from: bw.Sequential, to: bw.Sequential): void {
  const source = weighted(from), target = weighted(to);
  if (source.length !== target.length) throw new Error(`copyWeights: expected networks with the same weighted layers, got ${source.length} and ${target.length}`);
  target.forEach((layer, i) => layer.setWeights(source[i].getWeights()));
}

/**
 * The CNN with and without BN at each learning rate of the budget, plain SGD, batches of 32. The BN network
 * is built from the seed and the BN-free one gets its convolution and Dense weights, so both start from the
 * same kernels; the same run seed gives them the same batches.
 */
export function cnnComparison(data: Split, budget: Budget['cnn'], seed: number, out: Output): CnnRun[] {
  return budget.rates.map((learningRate) => {
    bw.setSeed(seed);
    const bn = cnnNetwork(true), plain = cnnNetwork(false);
    copyWeights(bn, plain);
    const one = (model: bw.Sequential, batchNorm: boolean) => run({
      label: `CNN lr ${learningRate} ${batchNorm ? 'with BN' : 'without BN'}`, model: compileSgd(model, learningRate), data,
      steps: budget.steps, batchSize: CNN_BATCH, evalEvery: budget.evalEvery, seed, rowShape: IMAGE,
    }, out);
    return { learningRate, withoutBN: one(plain, false), withBN: one(bn, true) };
  });
}
