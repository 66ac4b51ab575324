/**
 * Mean squared error: loss_row = meanⱼ (p − t)², dp = 2(p − t)/(rows·cols). Returns Σ over rows of loss_row (f64).
 * rows × cols row-major, any sizes ≥ 1. Must match test/reference/losses.ts.
 */
import { hsum, loadN, madd, storeN } from '../common/simd';

export function f32_mse(rows: i32, cols: i32, p: usize, targets: usize, dp: usize): f64 {
  const row = <usize>cols << 2, full = <usize>(cols & ~3) << 2, tail = cols & 3;
  const g = f32x4.splat(<f32>(2 / (<f64>rows * <f64>cols)));
  let total: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * row, pr = p + o, t = targets + o, d = dp + o;
    let acc = f32x4.splat(0);
    for (let j: usize = 0; j < full; j += 16) {
      const e = f32x4.sub(v128.load(pr + j), v128.load(t + j));
      acc = madd(e, e, acc);
      v128.store(d + j, f32x4.mul(e, g));
    }
    if (tail) {
      const e = f32x4.sub(loadN(pr + full, tail), loadN(t + full, tail));
      acc = madd(e, e, acc);
      storeN(d + full, f32x4.mul(e, g), tail);
    }
    total += <f64>hsum(acc);
  }
  return total / <f64>cols;
}
