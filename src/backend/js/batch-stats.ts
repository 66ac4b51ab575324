import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/** out[j] = Σᵢ x[i, j] (+ out[j]). Spec: test/reference/batch-stats.ts */
export function sumRows(v: View, rows: number, cols: number, x: F32, out: F32, accumulate: boolean): void {
  const X = v(x), O = v(out);
  if (!accumulate) O.fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0, r = i * cols; j < cols; j++) O[j] += X[r + j];
}

/**
 * Column means and biased variances, two passes: the one-pass Σx² − (Σx)²/n cancels catastrophically
 * when |mean| ≫ std. Sums are float64 here (JS numbers), which the WASM kernel does not need to match
 * bit for bit: both stay within the tests' tolerance of the float64 spec.
 */
export function batchStats(v: View, rows: number, cols: number, x: F32, mean: F32, variance: F32): void {
  const X = v(x), M = v(mean), V = v(variance);
  const s = new Float64Array(cols), q = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0, r = i * cols; j < cols; j++) s[j] += X[r + j];
  for (let j = 0; j < cols; j++) M[j] = s[j] / rows;
  for (let i = 0; i < rows; i++) for (let j = 0, r = i * cols; j < cols; j++) { const d = X[r + j] - M[j]; q[j] += d * d; }
  for (let j = 0; j < cols; j++) V[j] = q[j] / rows;
}
