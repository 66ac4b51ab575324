/**
 * Training budgets. The default run has to finish in under two minutes on a 2-core machine and
 * `--quick` in under 20 s, so the budgets are in steps, not epochs, and sized from
 * measured step times (≈1.2 ms for the Figure 1 network at batch 60 on the WASM backend).
 */
export interface Budget {
  /** Figure 1 and the initialization runs: steps of 60 samples, held-out evaluation every `evalEvery`. */
  figure1: { steps: number; evalEvery: number; learningRate: number };
  learningRates: { steps: number; evalEvery: number; rates: number[] };
  regularization: { steps: number; evalEvery: number; seeds: number[] };
  /** BN statistics: training-set sizes, epochs over each, seeds (moving averages vs calibrated statistics). */
  statistics: { trainRows: number[]; epochs: number; seeds: number[] };
  /** BN vs Batch Renormalization: batch sizes and Adam steps per run. */
  renorm: { batchSizes: number[]; steps: number };
  /** BN in a CNN on 8×8×1 images: plain-SGD steps of 32 per run, held-out evaluation every `evalEvery`, learning rates. */
  cnn: { steps: number; evalEvery: number; rates: number[] };
}

export const SEED = 1;

export const DEFAULT_BUDGET: Budget = {
  figure1: { steps: 3000, evalEvery: 30, learningRate: 0.5 },
  learningRates: { steps: 1200, evalEvery: 20, rates: [0.01, 0.03, 0.1, 0.3, 1, 2] },
  regularization: { steps: 1500, evalEvery: 100, seeds: [1, 2, 3] },
  statistics: { trainRows: [100, 200, 300, 400], epochs: 12, seeds: [1, 2, 3] },
  renorm: { batchSizes: [2, 4, 8], steps: 600 },
  cnn: { steps: 600, evalEvery: 20, rates: [0.1, 0.5, 1] },
};

export const QUICK_BUDGET: Budget = {
  figure1: { steps: 240, evalEvery: 20, learningRate: 0.5 },
  learningRates: { steps: 150, evalEvery: 25, rates: [0.01, 0.3, 2] },
  regularization: { steps: 200, evalEvery: 50, seeds: [1] },
  statistics: { trainRows: [100, 400], epochs: 12, seeds: [1] },
  renorm: { batchSizes: [2, 8], steps: 200 },
  cnn: { steps: 60, evalEvery: 20, rates: [1] },
};
