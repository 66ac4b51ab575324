/**
 * BN inference:
 *   f32_bnorm_scale:  scale = gamma/√(variance + eps)   (gamma 0 = 1)
 *   f32_bnorm_fold:   the same scale, and shift = beta − mean·scale   (beta 0 = 0)
 *   f32_scale_shift:  y[i, j] = (x[i, j] − center[j])·scale[j] + shift[j]   (center, shift 0 = none; y may alias x)
 * Inference BN is scale, then scale_shift with center = moving mean and shift = beta (centring first keeps
 * precision when |mean| ≫ std); fold gives the one multiply-add form for a consumer that needs it.
 * Vectors of cols floats, x/y rows × cols row-major. Any rows, cols ≥ 1. Must match test/reference/bnorm.ts.
 */
import { loadN, madd, storeN } from '../common/simd';

/** gamma/√(variance + eps) for the n ≤ 4 columns at byte offset o. */
// @ts-ignore: decorator
@inline function scaleAt(variance: usize, gamma: usize, e: v128, o: usize, n: i32): v128 {
  const sd = f32x4.sqrt(f32x4.add(loadN(variance + o, n), e));
  return f32x4.div(gamma ? loadN(gamma + o, n) : f32x4.splat(1), sd);
}

export function f32_bnorm_scale(cols: i32, variance: usize, gamma: usize, scale: usize, eps: f32): void {
  const e = f32x4.splat(eps);
  for (let j = 0; j < cols; j += 4) {
    const n = min(4, cols - j), o = <usize>j << 2;
    storeN(scale + o, scaleAt(variance, gamma, e, o, n), n);
  }
}

export function f32_bnorm_fold(cols: i32, mean: usize, variance: usize, gamma: usize, beta: usize,
  scale: usize, shift: usize, eps: f32): void {
  const e = f32x4.splat(eps), zero = f32x4.splat(0);
  for (let j = 0; j < cols; j += 4) {
    const n = min(4, cols - j), o = <usize>j << 2;
    const s = scaleAt(variance, gamma, e, o, n);
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
