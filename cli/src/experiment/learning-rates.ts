import * as bw from 'bnwasm';
import type { Output } from '../output.js';
import type { Budget } from './config.js';
import type { Split } from './digits.js';
import { compileSgd, reluNetwork } from './models.js';
import { run, type RunResult } from './runner.js';

export const ARCHITECTURES = [
  { name: 'seed model', blocks: 1, description: 'Dense(64, relu) → BN → Dense(10, softmax)' },
  { name: 'deeper', blocks: 4, description: '4 × [Dense(64, relu) → BN] → Dense(10, softmax)' },
] as const;
export const LR_BATCH = 32;

export interface LearningRateRun { architecture: string; learningRate: number; batchNorm: boolean; result: RunResult }

/**
 * Plain SGD at each learning rate, for each architecture with and without its BN layers. The same
 * bw.setSeed before every build gives both variants the same Dense initial weights (BN layers draw
 * no random numbers), and the same run seed gives the same batches.
 */
export function learningRateSweep(data: Split, budget: Budget['learningRates'], seed: number, out: Output): LearningRateRun[] {
  const runs: LearningRateRun[] = [];
  for (const arch of ARCHITECTURES) {
    for (const learningRate of budget.rates) {
      for (const batchNorm of [false, true]) {
        bw.setSeed(seed);
        const model = compileSgd(reluNetwork(arch.blocks, batchNorm), learningRate);
        const label = `${arch.name} lr ${learningRate} ${batchNorm ? 'with BN' : 'without BN'}`;
        const result = run({ label, model, data, steps: budget.steps, batchSize: LR_BATCH, evalEvery: budget.evalEvery, seed }, out);
        runs.push({ architecture: arch.name, learningRate, batchNorm, result });
      }
    }
  }
  return runs;
}
