import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/** out[j] = Σᵢ x[i, j] (+ out[j]). Spec: test/reference/batch-stats.ts */
export function sumRows(v: View, rows: number, cols: number, x: F32, out: F32, accumulate: boolean): void {
  const X = v(x), O = v(out);
  if (!accumulate) O.fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0, r = i * cols; j < cols; j++) O[j] += X[r + j];
}

/**
 * Column means and biased variances in float64, two passes: the one-pass Σx² − (Σx)²/n cancels
 * catastrophically when |mean| ≫ std.
 */
export function columnMoments(X: Float32Array, rows: number, cols: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(cols), variance = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0, r = i * cols; j < cols; j++) mean[j] += X[r + j];
  for (let j = 0; j < cols; j++) mean[j] /= rows;
  for (let i = 0; i < rows; i++) for (let j = 0, r = i * cols; j < cols; j++) { const d = X[r + j] - mean[j]; variance[j] += d * d; }
  for (let j = 0; j < cols; j++) variance[j] /= rows;
  return { mean, variance };
}

/** Column means and biased variances (the WASM kernel need not match the float64 sums bit for bit). */
export function batchStats(v: View, rows: number, cols: number, x: F32, mean: F32, variance: F32): void {
  const m = columnMoments(v(x), rows, cols);
  v(mean).set(m.mean);
  v(variance).set(m.variance);
}
