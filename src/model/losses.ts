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

/** Keras's choice of accuracy for a loss and output width. */
export type AccuracyKind = 'binary' | 'categorical' | 'sparse';
export function accuracyKind(loss: Loss, outputDim: number): AccuracyKind {
  if (loss === 'sparseCategoricalCrossentropy') return 'sparse';
  if (loss === 'binaryCrossentropy' || outputDim === 1) return 'binary';
  return 'categorical';
}

/**
 * Correct predictions in a batch (for 'binary': correct elements). `targets` are the one-hot or raw targets
 * as the model trains on them (sparse labels arrive here already one-hot).
 */
export function countCorrect(kind: AccuracyKind, rows: number, cols: number, p: Float32Array, t: Float32Array): number {
  let correct = 0;
  if (kind === 'binary') {
    for (let e = 0; e < rows * cols; e++) if ((p[e] > 0.5 ? 1 : 0) === (t[e] > 0.5 ? 1 : 0)) correct++;
    return correct / cols;
  }
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    let best = 0, truth = 0;
    for (let j = 1; j < cols; j++) {
      if (p[r + j] > p[r + best]) best = j;
      if (t[r + j] > t[r + truth]) truth = j;
    }
    if (best === truth) correct++;
  }
  return correct;
}
