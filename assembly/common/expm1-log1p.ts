/**
 * eˣ − 1 and log(1 + u) per lane, keeping relative accuracy near 0 where exp(x) − 1 and log(1 + u) would cancel.
 * Used by the activations (elu, selu, softplus) and the log-cosh loss.
 */
import { expv, logv, madd } from './simd';

/** eˣ − 1 keeping relative accuracy near 0: a degree-8 Taylor polynomial for |x| < ½ (error < 1e-8), else expv − 1. */
// @ts-ignore: decorator
@inline export function expm1v(x: v128): v128 {
  let p = madd(x, f32x4.splat(1.0 / 40320), f32x4.splat(1.0 / 5040));
  p = madd(p, x, f32x4.splat(1.0 / 720));
  p = madd(p, x, f32x4.splat(1.0 / 120));
  p = madd(p, x, f32x4.splat(1.0 / 24));
  p = madd(p, x, f32x4.splat(1.0 / 6));
  p = madd(p, x, f32x4.splat(0.5));
  const small = madd(f32x4.mul(p, x), x, x);
  const big = f32x4.sub(expv(x), f32x4.splat(1));
  return v128.bitselect(small, big, f32x4.lt(f32x4.abs(x), f32x4.splat(0.5)));
}

/** log(1 + u) for u ∈ [0, 1]: log(w)·u/(w − 1) with w = 1 + u cancels w's rounding (u where w rounds to 1). */
// @ts-ignore: decorator
@inline export function log1pv(u: v128): v128 {
  const w = f32x4.add(f32x4.splat(1), u), d = f32x4.sub(w, f32x4.splat(1));
  const r = f32x4.mul(logv(w), f32x4.div(u, d));
  return v128.bitselect(u, r, f32x4.eq(d, f32x4.splat(0)));
}

