import type { F32, Kernels } from '../backend/kernels.js';

export const LOSSES = ['meanSquaredError', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy',
  'meanAbsoluteError', 'huber', 'logCosh'] as const;
export type Loss = (typeof LOSSES)[number];

/** Other spellings compile accepts for a loss (Keras's short names, TF.js's 'logcosh'). */
export const LOSS_ALIASES: Record<string, Loss> = {
  mse: 'meanSquaredError', mae: 'meanAbsoluteError', logcosh: 'logCosh', huberLoss: 'huber',
};

/** Keras's default Huber threshold. */
const HUBER_DELTA = 1;

/** Loss on the model's output (probabilities for the cross-entropies): returns Σ over rows, fills dp = ∂mean/∂p. */
export function lossAndGrad(k: Kernels, loss: Loss, rows: number, cols: number, p: F32, targets: F32, dp: F32): number {
  switch (loss) {
    case 'meanSquaredError': return k.meanSquaredError(rows, cols, p, targets, dp);
    case 'binaryCrossentropy': return k.binaryCrossEntropy(rows, cols, p, targets, dp);
    case 'meanAbsoluteError': case 'huber': case 'logCosh': return k.regressionLoss(rows, cols, p, targets, dp, HUBER_DELTA, loss);
    default: return k.crossEntropy(rows, cols, p, targets, dp);
  }
}

export const isCrossEntropy = (loss: Loss) => loss === 'categoricalCrossentropy' || loss === 'sparseCategoricalCrossentropy';
