import type { Output } from '../output.js';
import type { Budget } from './config.js';
import type { Split } from './digits.js';
import { compileSgd, figure1Network, gaussianInit } from './models.js';
import { sigmoidInputProbe } from './probe.js';
import { run, type RunResult } from './runner.js';

/** The paper's "small random Gaussian values": N(0, 0.1²), about Glorot's scale for 100-unit layers. */
export const FIGURE1_STD = 0.1;
export const FIGURE1_BATCH = 60;

export interface Figure1Pair { scale: number; withBN: RunResult; withoutBN: RunResult }

/**
 * Figure 1's MLP with and without BN, kernels N(0, (0.1·scale)²), mini-batches of 60, plain SGD;
 * held-out accuracy and the last hidden layer's first unit's sigmoid input over training.
 * Both runs share the Dense weights, the batch order and the probe batch (the held-out set).
 */
export function figure1Pair(data: Split, budget: Budget['figure1'], seed: number, scale: number, out: Output): Figure1Pair {
  const probe = sigmoidInputProbe(data.heldOut);
  const one = (batchNorm: boolean) => {
    const model = figure1Network(batchNorm);
    gaussianInit(model, FIGURE1_STD * scale, seed);
    compileSgd(model, budget.learningRate);
    const label = `init ×${scale} ${batchNorm ? 'with BN' : 'without BN'}`;
    return run({ label: scale === 1 ? `Fig. 1 ${batchNorm ? 'with BN' : 'without BN'}` : label, model, data, steps: budget.steps,
      batchSize: FIGURE1_BATCH, evalEvery: budget.evalEvery, seed, probe }, out);
  };
  return { scale, withoutBN: one(false), withBN: one(true) };
}
