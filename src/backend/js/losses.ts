import { PROB_EPSILON, PROB_HI as HI, type F32 } from '../kernels.js';
import type { View } from './view.js';

const clip = (p: number) => (p < PROB_EPSILON ? PROB_EPSILON : p > HI ? HI : p);
const inside = (p: number) => p > PROB_EPSILON && p <= HI;

/**
 * Keras categorical cross-entropy on probabilities: q = p/Σp, −Σ t·log(clip(q)).
 * dp is the exact gradient of the batch mean, normalisation and clip included. Spec: test/reference/losses.ts
 */
export function crossEntropy(v: View, rows: number, cols: number, p: F32, targets: F32, dp: F32): number {
  const P = v(p), T = v(targets), D = v(dp);
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += P[r + j];
    // g_j = ∂loss/∂q_j = −t·mask/q; through q = p/sum: ∂/∂p_j = (g_j − Σ_c g_c q_c)/sum
    let gq = 0;
    for (let j = 0; j < cols; j++) {
      const q = P[r + j] / sum, t = T[r + j];
      loss -= t * Math.log(clip(q));
      if (inside(q)) gq -= t;
    }
    for (let j = 0; j < cols; j++) {
      const q = P[r + j] / sum, g = inside(q) ? -T[r + j] / q : 0;
      D[r + j] = (g - gq) / sum / rows;
    }
  }
  return loss;
}

/** Binary cross-entropy on probabilities, mean over the last axis, Keras clip. */
export function binaryCrossEntropy(v: View, rows: number, cols: number, p: F32, targets: F32, dp: F32): number {
  const P = v(p), T = v(targets), D = v(dp), n = rows * cols;
  let loss = 0;
  for (let e = 0; e < n; e++) {
    const q = clip(P[e]), t = T[e];
    loss -= t * Math.log(q) + (1 - t) * Math.log(1 - q);
    D[e] = inside(P[e]) ? (q - t) / (q * (1 - q)) / n : 0;
  }
  return loss / cols;
}

/** Mean squared error, mean over the last axis. */
export function meanSquaredError(v: View, rows: number, cols: number, p: F32, targets: F32, dp: F32): number {
  const P = v(p), T = v(targets), D = v(dp), n = rows * cols;
  let loss = 0;
  for (let e = 0; e < n; e++) {
    const d = P[e] - T[e];
    loss += d * d;
    D[e] = (2 * d) / n;
  }
  return loss / cols;
}
