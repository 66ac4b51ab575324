import type { BnStatisticsResults } from './bn-statistics.js';
import type { CnnRun } from './cnn.js';
import type { Budget } from './config.js';
import type { Figure1Pair } from './figure-1.js';
import type { LearningRateRun } from './learning-rates.js';
import type { RegularizationRun } from './regularization.js';
import type { RunResult } from './runner.js';

/** Everything `experiment` measured: written to results.json and read by the figures, tables and report. */
export interface Results {
  quick: boolean;
  seed: number;
  budget: Budget;
  data: { trainRows: number; heldOutRows: number };
  /** Figure 1 is the ×1 entry of `initialization` (same run, not repeated). */
  initialization: Figure1Pair[];
  learningRates: LearningRateRun[];
  regularization: RegularizationRun[];
  /** Moving averages vs calibrated statistics, and BN vs Batch Renormalization with small batches. */
  statistics: BnStatisticsResults;
  /** The CNN on 8×8×1 images with and without BN, one pair per learning rate. */
  cnn: CnnRun[];
}

export const variant = (batchNorm: boolean) => (batchNorm ? 'with BN' : 'without BN');
export const figure1 = (r: Results) => r.initialization.find((p) => p.scale === 1)!;

/**
 * How far the unit's input distribution moved during training: the range (max − min over the
 * evaluation points) of each of the 15th, 50th and 85th percentiles, averaged, in the sigmoid's input
 * units (where |x| > 2 means the sigmoid is saturating). A stable distribution scores near 0.
 */
export function percentileDrift(run: RunResult): number {
  return mean([0, 1, 2].map((q) => {
    const v = run.curve.map((p) => p.percentiles![q]);
    return Math.max(...v) - Math.min(...v);
  }));
}

/** How a learning-rate run ended, for tables: diverged, stuck at chance, or its final accuracy. */
export function outcome(r: RunResult): 'diverged' | 'stuck' | 'trained' {
  if (r.divergedAt !== null) return 'diverged';
  return r.final.heldOutAccuracy < 0.2 ? 'stuck' : 'trained';
}

export const pct = (v: number, digits = 1) => `${(v * 100).toFixed(digits)}%`;
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
