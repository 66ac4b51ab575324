/**
 * Mean squared error: loss_row = meanⱼ (p − t)², dp = 2(p − t)/(rows·cols). Returns Σ over rows of loss_row (f64).
 * rows × cols row-major, any sizes ≥ 1. Must match test/reference/losses.ts.
 * Σ_rows meanⱼ e² = (Σ e²)/cols, so the rows × cols elements run as one flat array (no per-row tails, which
 * dominate narrow rows); e² accumulates in f32 over chunks of CHUNK floats, then in f64.
 */
import { hsum, loadN, madd, storeN } from '../common/simd';

const CHUNK: usize = 1024 << 2;

export function f32_mse(rows: i32, cols: i32, p: usize, targets: usize, dp: usize): f64 {
  const count = <usize>rows * <usize>cols, full = (count & ~3) << 2, tail = <i32>(count & 3);
  const g = f32x4.splat(<f32>(2 / (<f64>rows * <f64>cols)));
  let total: f64 = 0;
  for (let c: usize = 0; c < full; c += CHUNK) {
    const end = min(full, c + CHUNK);
    // two accumulators: one chain of fused multiply-adds is latency-bound
    let acc = f32x4.splat(0), acc1 = acc, j = c;
    for (; j + 32 <= end; j += 32) {
      const e = f32x4.sub(v128.load(p + j), v128.load(targets + j)), e1 = f32x4.sub(v128.load(p + j, 16), v128.load(targets + j, 16));
      acc = madd(e, e, acc); acc1 = madd(e1, e1, acc1);
      v128.store(dp + j, f32x4.mul(e, g)); v128.store(dp + j, f32x4.mul(e1, g), 16);
    }
    if (j < end) {
      const e = f32x4.sub(v128.load(p + j), v128.load(targets + j));
      acc = madd(e, e, acc);
      v128.store(dp + j, f32x4.mul(e, g));
    }
    total += <f64>hsum(f32x4.add(acc, acc1));
  }
  if (tail) {
    const e = f32x4.sub(loadN(p + full, tail), loadN(targets + full, tail));
    total += <f64>hsum(f32x4.mul(e, e));
    storeN(dp + full, f32x4.mul(e, g), tail);
  }
  return total / <f64>cols;
}
