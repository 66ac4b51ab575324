import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/** BN's moving statistics, in place: moving = moving·momentum + batch·(1 − momentum). Spec: test/reference/bnorm.ts */
export function movingAverage(v: View, cols: number, mean: F32, variance: F32, movingMean: F32, movingVariance: F32,
  momentum: number): void {
  const M = v(mean), V = v(variance), MM = v(movingMean), MV = v(movingVariance);
  for (let j = 0; j < cols; j++) {
    MM[j] = MM[j] * momentum + M[j] * (1 - momentum);
    MV[j] = MV[j] * momentum + V[j] * (1 - momentum);
  }
}
