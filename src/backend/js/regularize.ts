import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/** l1·Σ|w| + l2·Σw², adding l1·sign(w) + 2·l2·w into g. Spec: test/reference/regularize.ts */
export function regularize(v: View, n: number, w: F32, g: F32, l1: number, l2: number): number {
  const W = v(w), G = v(g);
  let abs = 0, sq = 0;
  for (let i = 0; i < n; i++) {
    const wi = W[i];
    abs += Math.abs(wi);
    sq += wi * wi;
    G[i] += l1 * Math.sign(wi) + 2 * l2 * wi;
  }
  return l1 * abs + l2 * sq;
}
