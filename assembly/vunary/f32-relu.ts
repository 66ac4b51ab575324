/**
 * Keras 3's ReLU with its three parameters (the ReLU and ThresholdedReLU layers):
 *   f(x)  = x > threshold ? min(x, maxValue) : slope·(x − threshold)
 *   f'(x) = x > threshold ? (x <= maxValue ? 1 : 0) : slope
 * maxValue +Inf means no cap. f32_relu: y = f(x), n elements, y may alias x. f32_relu_bwd: dx = dy·f'(x),
 * dx may alias dy. A NaN x gives a NaN y and dx; with slope 0 the negative part is exactly 0, so −∞ gives 0
 * (not 0·−∞). Any n ≥ 1. Must match src/backend/js/relu.ts and test/reference/relu.ts.
 */
import { loadN, storeN } from '../common/simd';

// @ts-ignore: decorator
@inline function sel(a: v128, b: v128, mask: v128): v128 {
  return v128.bitselect(a, b, mask);
}

// @ts-ignore: decorator
@inline function forward(x: v128, max: v128, slope: v128, thr: v128, hasSlope: v128): v128 {
  const neg = v128.and(f32x4.mul(slope, f32x4.sub(x, thr)), hasSlope);
  return sel(x, sel(f32x4.min(x, max), neg, f32x4.gt(x, thr)), f32x4.ne(x, x));
}

// @ts-ignore: decorator
@inline function backward(x: v128, dy: v128, max: v128, slope: v128, thr: v128): v128 {
  const inside = v128.and(f32x4.splat(1), f32x4.le(x, max));
  const d = sel(inside, slope, f32x4.gt(x, thr));
  return sel(x, f32x4.mul(dy, d), f32x4.ne(x, x));
}

export function f32_relu(n: i32, x: usize, y: usize, maxValue: f32, slope: f32, threshold: f32): void {
  const max = f32x4.splat(maxValue), s = f32x4.splat(slope), thr = f32x4.splat(threshold);
  const hasSlope = i32x4.splat(slope != 0 ? -1 : 0), full = <usize>(n & ~3) << 2, tail = n & 3;
  for (let i: usize = 0; i < full; i += 16) v128.store(y + i, forward(v128.load(x + i), max, s, thr, hasSlope));
  if (tail) storeN(y + full, forward(loadN(x + full, tail), max, s, thr, hasSlope), tail);
}

export function f32_relu_bwd(n: i32, x: usize, dy: usize, dx: usize, maxValue: f32, slope: f32, threshold: f32): void {
  const max = f32x4.splat(maxValue), s = f32x4.splat(slope), thr = f32x4.splat(threshold);
  const full = <usize>(n & ~3) << 2, tail = n & 3;
  for (let i: usize = 0; i < full; i += 16) v128.store(dx + i, backward(v128.load(x + i), v128.load(dy + i), max, s, thr));
  if (tail) storeN(dx + full, backward(loadN(x + full, tail), loadN(dy + full, tail), max, s, thr), tail);
}
