import type { F32, RegressionLoss } from '../kernels.js';
import type { View } from './view.js';

/** Element loss and slope of e = p − t (Keras 3). Same semantics as assembly/loss/f32-regression.ts. */
function element(loss: RegressionLoss, e: number, delta: number): [value: number, slope: number] {
  const a = Math.abs(e);
  switch (loss) {
    case 'meanAbsoluteError': return [a, Number.isNaN(e) ? NaN : Math.sign(e)];
    case 'huber': { const q = Math.min(a, delta); return [0.5 * q * q + delta * (a - q), Math.min(Math.max(e, -delta), delta)]; }
    case 'logCosh': return [a + Math.log1p(Math.exp(-2 * a)) - Math.LN2, Math.tanh(e)];
  }
}

/** Σ over rows of the per-row mean of the element loss; dp = ∂(mean over rows)/∂p. Spec: test/reference/regression-losses.ts */
export function regressionLoss(v: View, rows: number, cols: number, p: F32, targets: F32, dp: F32, delta: number,
  loss: RegressionLoss): number {
  const P = v(p), T = v(targets), D = v(dp), n = rows * cols;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const [value, slope] = element(loss, P[i] - T[i], delta);
    total += value;
    D[i] = slope / n;
  }
  return total / cols;
}
