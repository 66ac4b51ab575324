/**
 * out[j] = Σᵢ x[i, j] (+ out[j] when accumulate).  x rows × cols row-major, out cols. Any rows, cols ≥ 1.
 * Streams x row by row, accumulating into out (L1-resident for usual widths); two rows per step
 * halve the accumulator traffic. Must match test/reference/batch-stats.ts (sumRows).
 */
import { loadN, storeN } from '../common/simd';

export function f32_sum_rows(rows: i32, cols: i32, x: usize, out: usize, accumulate: i32): void {
  if (!accumulate) memory.fill(out, 0, <usize>cols << 2);
  const ld = <usize>cols << 2, full = <usize>(cols & ~3) << 2, tail = cols & 3;
  let i = 0, p = x;
  for (; i + 2 <= rows; i += 2, p += 2 * ld) {
    for (let j: usize = 0; j < full; j += 16) {
      v128.store(out + j, f32x4.add(v128.load(out + j), f32x4.add(v128.load(p + j), v128.load(p + ld + j))));
    }
    if (tail) {
      const o = out + full;
      storeN(o, f32x4.add(loadN(o, tail), f32x4.add(loadN(p + full, tail), loadN(p + ld + full, tail))), tail);
    }
  }
  if (i < rows) {
    for (let j: usize = 0; j < full; j += 16) v128.store(out + j, f32x4.add(v128.load(out + j), v128.load(p + j)));
    if (tail) storeN(out + full, f32x4.add(loadN(out + full, tail), loadN(p + full, tail)), tail);
  }
}
