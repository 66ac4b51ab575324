/**
 * Mean absolute error, Huber and log-cosh, float64 (Keras 3): the spec for assembly/loss/f32-regression.ts and
 * src/backend/js/regression-losses.ts. Each is a mean over the last axis of an element loss of e = p − t;
 * the result is Σ over rows, the gradient that of the mean over rows.
 */
import type { RegressionLoss } from '../../src/backend/kernels.js';

export function element(loss: RegressionLoss, e: number, delta: number): number {
  const a = Math.abs(e);
  if (loss === 'meanAbsoluteError') return a;
  if (loss === 'huber') return a <= delta ? 0.5 * e * e : delta * (a - 0.5 * delta);
  // log cosh, without overflow: |e| + log((1 + e^(−2|e|))/2)
  return a < 1e-4 ? e * e / 2 - e ** 4 / 12 : a + Math.log1p(Math.exp(-2 * a)) - Math.LN2;
}

export function slope(loss: RegressionLoss, e: number, delta: number): number {
  if (Number.isNaN(e)) return NaN;
  if (loss === 'meanAbsoluteError') return Math.sign(e);
  if (loss === 'huber') return Math.min(Math.max(e, -delta), delta);
  return Math.tanh(e);
}

export function regressionLoss(loss: RegressionLoss, rows: number, cols: number, p: ArrayLike<number>, t: ArrayLike<number>,
  delta: number): { loss: number; dp: Float64Array } {
  const n = rows * cols, dp = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += element(loss, p[i] - t[i], delta);
    dp[i] = slope(loss, p[i] - t[i], delta) / n;
  }
  return { loss: total / cols, dp };
}
