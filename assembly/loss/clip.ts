/**
 * Keras's probability clip for cross-entropies: [1e-7, 1 − 1e-7], the upper bound rounded to float32 (1 − 2⁻²³)
 * as Keras and TF.js have it on float32 tensors; in f64 like the JS reference.
 */
import { logv } from '../common/simd';

export const PROB_LO: f64 = 1e-7;
export const PROB_HI: f64 = 0.99999988079071044921875;

/** 1 where the clip is inactive (the gradient passes), 0 where it clips. */
// @ts-ignore: decorator
@inline export function inside(p: f64): bool {
  return p > PROB_LO && p <= PROB_HI;
}

// @ts-ignore: decorator
@inline export function clip(p: f64): f64 {
  return min(max(p, PROB_LO), PROB_HI);
}

/** Smallest f32 > 1e-7 and largest f32 < 1 − 1e-7: for an f32 p, p > 1e-7 ⇔ p ≥ LO32 and p < 1 − 1e-7 ⇔ p ≤ HI32. */
export const LO32: f32 = 1.0000000116860974e-7;
export const HI32: f32 = 0.99999988079071044921875;

/** Per lane: all ones where 1e-7 < p < 1 − 1e-7 (f64 bounds, decided exactly on f32 p). */
// @ts-ignore: decorator
@inline export function insidev(p: v128): v128 {
  return v128.and(f32x4.ge(p, f32x4.splat(LO32)), f32x4.le(p, f32x4.splat(HI32)));
}

/**
 * Per lane log(clip(p, 1e-7, HI32)) with the bounds of the reference: the clipped lanes get the f32-rounded
 * log(1e-7) and log(HI32) (1e-7 is not an f32, so the low side cannot go through logv of LO32).
 */
// @ts-ignore: decorator
@inline export function logClipv(p: v128): v128 {
  const lo = f32x4.splat(LO32), hi = f32x4.splat(HI32);
  // min/max keep a NaN p, which logv would read as a finite number: NaN lanes are set to all ones (a NaN)
  const l = v128.or(logv(f32x4.min(f32x4.max(p, lo), hi)), f32x4.ne(p, p));
  return v128.bitselect(f32x4.splat(<f32>-1.1920929665620916e-7), v128.bitselect(f32x4.splat(<f32>-16.11809565095832), l,
    f32x4.lt(p, lo)), f32x4.gt(p, hi));
}
