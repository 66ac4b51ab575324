import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/** Rows regrouped by index modulo `groups` (or back). Spec: test/reference/ghost.ts */
export function groupRows(v: View, rows: number, groups: number, width: number, x: F32, y: F32, inverse: boolean): void {
  const X = v(x), Y = v(y);
  let k = 0;
  for (let g = 0; g < groups; g++) {
    for (let i = g; i < rows; i += groups, k++) {
      const [from, to] = inverse ? [k, i] : [i, k];
      Y.set(X.subarray(from * width, (from + 1) * width), to * width);
    }
  }
}
