import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/** Whether every value is finite: x − x is 0 for finite x and NaN for NaN and ±Infinity (branch-free, 4 sums). */
export function allFinite(v: View, n: number, x: F32): boolean {
  const X = v(x);
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  for (const end = n & ~3; i < end; i += 4) {
    s0 += X[i] - X[i]; s1 += X[i + 1] - X[i + 1]; s2 += X[i + 2] - X[i + 2]; s3 += X[i + 3] - X[i + 3];
  }
  for (; i < n; i++) s0 += X[i] - X[i];
  return s0 + s1 + s2 + s3 === 0;
}
