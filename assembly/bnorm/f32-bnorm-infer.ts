/**
 * BN inference and bookkeeping:
 *   f32_bnorm_fold:      scale = gamma/√(variance + eps), shift = beta − mean·scale   (gamma/beta 0 = 1/0)
 *   f32_scale_shift:     y[i, j] = (x[i, j] − center[j])·scale[j] + shift[j]   (center, shift 0 = none; y may alias x)
 *   f32_moving_average:  moving = moving·momentum + batch·(1 − momentum), for mean and variance
 * Vectors of cols floats, x/y rows × cols row-major. Any rows, cols ≥ 1. Must match test/reference/bnorm.ts.
 */
import { loadN, madd, storeN } from '../common/simd';

export function f32_bnorm_fold(cols: i32, mean: usize, variance: usize, gamma: usize, beta: usize, eps: f32,
  scale: usize, shift: usize): void {
  const e = f32x4.splat(eps), one = f32x4.splat(1), zero = f32x4.splat(0);
  for (let j = 0; j < cols; j += 4) {
    const n = min(4, cols - j), o = <usize>j << 2;
    const sd = f32x4.sqrt(f32x4.add(loadN(variance + o, n), e));
    const s = f32x4.div(gamma ? loadN(gamma + o, n) : one, sd);
    storeN(scale + o, s, n);
    storeN(shift + o, f32x4.sub(beta ? loadN(beta + o, n) : zero, f32x4.mul(loadN(mean + o, n), s)), n);
  }
}

export function f32_scale_shift(rows: i32, cols: i32, x: usize, center: usize, scale: usize, shift: usize, y: usize): void {
  const row = <usize>cols << 2, full = <usize>(cols & ~3) << 2, tail = cols & 3, zero = f32x4.splat(0);
  let px = x, py = y;
  if (center || shift) {
    // subtract the centre before scaling: x·scale − mean·scale would cancel when |mean| ≫ std
    for (let i = 0; i < rows; i++, px += row, py += row) {
      for (let j: usize = 0; j < full; j += 16) {
        const c = center ? v128.load(center + j) : zero, t = shift ? v128.load(shift + j) : zero;
        v128.store(py + j, madd(f32x4.sub(v128.load(px + j), c), v128.load(scale + j), t));
      }
      if (tail) {
        const c = center ? loadN(center + full, tail) : zero, t = shift ? loadN(shift + full, tail) : zero;
        storeN(py + full, madd(f32x4.sub(loadN(px + full, tail), c), loadN(scale + full, tail), t), tail);
      }
    }
  } else {
    for (let i = 0; i < rows; i++, px += row, py += row) {
      for (let j: usize = 0; j < full; j += 16) v128.store(py + j, f32x4.mul(v128.load(px + j), v128.load(scale + j)));
      if (tail) storeN(py + full, f32x4.mul(loadN(px + full, tail), loadN(scale + full, tail)), tail);
    }
  }
}

export function f32_moving_average(cols: i32, mean: usize, variance: usize, momentum: f32,
  movingMean: usize, movingVariance: usize): void {
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
