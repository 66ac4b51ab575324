import { PROB_EPSILON, PROB_HI as HI, type F32 } from '../kernels.js';
import type { View } from './view.js';

/** Row-wise softmax, max-subtracted so exp never overflows. Spec: test/reference/softmax.ts */
function softmaxRows(X: Float32Array, Y: Float32Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (X[r + j] > max) max = X[r + j];
    let sum = 0;
    for (let j = 0; j < cols; j++) { const e = Math.exp(X[r + j] - max); Y[r + j] = e; sum += e; }
    const inv = 1 / sum;
    for (let j = 0; j < cols; j++) Y[r + j] *= inv;
  }
}

export function softmax(v: View, rows: number, cols: number, x: F32, y: F32): void {
  softmaxRows(v(x), v(y), rows, cols);
}

export function softmaxBackward(v: View, rows: number, cols: number, y: F32, dy: F32, dz: F32): void {
  const Y = v(y), DY = v(dy), DZ = v(dz);
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += Y[r + j] * DY[r + j];
    for (let j = 0; j < cols; j++) DZ[r + j] = Y[r + j] * (DY[r + j] - dot);
  }
}

/** Keras's clip; NaN passes through (both comparisons are false). */
const clip = (p: number) => (p < PROB_EPSILON ? PROB_EPSILON : p > HI ? HI : p);

/** Softmax + clipped cross-entropy; the gradient includes Keras's clip (zero where p is clipped). */
export function softmaxCrossEntropy(v: View, rows: number, cols: number, logits: F32, targets: F32, probs: F32,
  dlogits: F32): number {
  const P = v(probs);
  softmaxRows(v(logits), P, rows, cols);
  const T = v(targets), D = v(dlogits);
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const p = P[r + j], t = T[r + j];
      if (t === 0 && p === p) continue;   // 0·log(clip(p)) is 0, except for a NaN p
      loss -= t * Math.log(clip(p));
      if (p > PROB_EPSILON && p <= HI) s += t;
    }
    for (let j = 0; j < cols; j++) {
      const p = P[r + j], inside = p > PROB_EPSILON && p <= HI;
      D[r + j] = (p * s - (inside ? T[r + j] : 0)) / rows;
    }
  }
  return loss;
}
