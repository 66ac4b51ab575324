import type { F32 } from '../kernels.js';
import type { View } from './view.js';

export function multiply(v: View, n: number, x: F32, mask: F32, y: F32): void {
  const X = v(x), K = v(mask), Y = v(y);
  for (let i = 0; i < n; i++) Y[i] = X[i] * K[i];
}

/** y[o, j, i] = x[o, i, j] for x of shape [outer, a, b]. */
export function transpose(v: View, outer: number, a: number, b: number, x: F32, y: F32): void {
  const X = v(x), Y = v(y), plane = a * b;
  for (let o = 0; o < outer; o++) {
    const base = o * plane;
    for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) Y[base + j * a + i] = X[base + i * b + j];
  }
}
