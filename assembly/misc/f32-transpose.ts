/**
 * y[o, j, i] = x[o, i, j] for x of shape [outer, a, b] (y is [outer, b, a]); y must not alias x.
 * 4×4 register transposes inside 32×32 blocks (both x rows and y rows stay cache-resident), scalar edges.
 * Any sizes ≥ 1. Must match test/reference/elementwise.ts.
 */
import { transpose4x4 } from '../common/simd';

const BLOCK: i32 = 32;

export function f32_transpose(outer: i32, a: i32, b: i32, x: usize, y: usize): void {
  const lx = <usize>b << 2, ly = <usize>a << 2, plane = <usize>a * <usize>b << 2;
  for (let o = 0; o < outer; o++, x += plane, y += plane) {
    for (let i0 = 0; i0 < a; i0 += BLOCK) {
      const i1 = min(a, i0 + BLOCK);
      for (let j0 = 0; j0 < b; j0 += BLOCK) {
        const j1 = min(b, j0 + BLOCK);
        let i = i0;
        for (; i + 4 <= i1; i += 4) {
          let j = j0;
          for (; j + 4 <= j1; j += 4) {
            transpose4x4(x + <usize>i * lx + (<usize>j << 2), lx, y + <usize>j * ly + (<usize>i << 2), ly);
          }
          for (; j < j1; j++) {
            for (let r = i; r < i + 4; r++) store<f32>(y + <usize>j * ly + (<usize>r << 2), load<f32>(x + <usize>r * lx + (<usize>j << 2)));
          }
        }
        for (; i < i1; i++) {
          for (let j = j0; j < j1; j++) store<f32>(y + <usize>j * ly + (<usize>i << 2), load<f32>(x + <usize>i * lx + (<usize>j << 2)));
        }
      }
    }
  }
}
