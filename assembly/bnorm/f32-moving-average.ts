/**
 * f32_moving_average: moving = moving·momentum + batch·(1 − momentum), for mean and variance (BN's
 * moving statistics, updated in place after each training forward). cols floats each, any cols ≥ 1.
 * Must match test/reference/bnorm.ts.
 */
import { loadN, madd, storeN } from '../common/simd';

export function f32_moving_average(cols: i32, mean: usize, variance: usize, movingMean: usize, movingVariance: usize,
  momentum: f32): void {
  const mo = f32x4.splat(momentum), rest = f32x4.splat(<f32>1 - momentum);
  const full = <usize>(cols & ~3) << 2, tail = cols & 3;
  for (let o: usize = 0; o < full; o += 16) {
    v128.store(movingMean + o, madd(v128.load(movingMean + o), mo, f32x4.mul(v128.load(mean + o), rest)));
    v128.store(movingVariance + o, madd(v128.load(movingVariance + o), mo, f32x4.mul(v128.load(variance + o), rest)));
  }
  if (tail) {
    storeN(movingMean + full, madd(loadN(movingMean + full, tail), mo, f32x4.mul(loadN(mean + full, tail), rest)), tail);
    storeN(movingVariance + full, madd(loadN(movingVariance + full, tail), mo, f32x4.mul(loadN(variance + full, tail), rest)), tail);
  }
}
