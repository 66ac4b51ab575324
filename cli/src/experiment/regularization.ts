import * as bw from 'bnwasm';
import type { Output } from '../output.js';
import type { Budget } from './config.js';
import type { Split } from './digits.js';
import { reluNetwork } from './models.js';
import { run, type RunResult } from './runner.js';

export const REGULARIZERS = ['neither', 'dropout', 'batch norm'] as const;
export type Regularizer = (typeof REGULARIZERS)[number];
export const REG_BATCH = 32;
export const REG_UNITS = 256;
export const REG_DROPOUT = 0.5;
export const REG_LEARNING_RATE = 0.1;

export interface RegularizationRun { regularizer: Regularizer; seed: number; result: RunResult }

/**
 * Two hidden layers of 256 relu units, wide enough to fit the 1,348 training rows exactly, trained
 * with plain SGD well past that point; the measure is the train / held-out accuracy gap at the end.
 */
export function regularization(data: Split, budget: Budget['regularization'], out: Output): RegularizationRun[] {
  const runs: RegularizationRun[] = [];
  for (const seed of budget.seeds) {
    for (const regularizer of REGULARIZERS) {
      bw.setSeed(seed);
      const model = reluNetwork(2, regularizer === 'batch norm', regularizer === 'dropout' ? REG_DROPOUT : 0, REG_UNITS);
      model.compile({ optimizer: bw.optimizers.sgd({ learningRate: REG_LEARNING_RATE }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const result = run({ label: `regularization: ${regularizer} (seed ${seed})`, model, data, steps: budget.steps,
        batchSize: REG_BATCH, evalEvery: budget.evalEvery, seed, trainAccuracy: true }, out);
      runs.push({ regularizer, seed, result });
    }
  }
  return runs;
}
