/**
 * Keras's L1/L2 weight penalty, fused with its gradient: returns l1·Σ|w| + l2·Σw² (f64) and adds
 * l1·sign(w) + 2·l2·w into g (sign(0) = 0, as TF's). n elements, any n ≥ 1. Must match test/reference/regularize.ts.
 */
import { hsum, loadN, madd, storeN } from '../common/simd';

// @ts-ignore: decorator
@inline function sign(w: v128): v128 {
  const one = f32x4.splat(1);
  return v128.or(v128.and(f32x4.gt(w, f32x4.splat(0)), one), v128.and(f32x4.lt(w, f32x4.splat(0)), f32x4.neg(one)));
}

export function f32_regularize(n: i32, w: usize, g: usize, l1: f32, l2: f32): f64 {
  const a = f32x4.splat(l1), b = f32x4.splat(2 * l2);
  const full = <usize>(n & ~3) << 2, tail = n & 3;
  let abs: f64 = 0, sq: f64 = 0;
  for (let c: usize = 0; c < full; c += 4096) {
    const end = min(full, c + 4096);
    let sa = f32x4.splat(0), ss = sa;
    for (let i = c; i < end; i += 16) {
      const wi = v128.load(w + i);
      sa = f32x4.add(sa, f32x4.abs(wi));
      ss = madd(wi, wi, ss);
      v128.store(g + i, madd(wi, b, madd(sign(wi), a, v128.load(g + i))));
    }
    abs += <f64>hsum(sa);
    sq += <f64>hsum(ss);
  }
  if (tail) {
    const wi = loadN(w + full, tail); // lanes past the tail are 0: they add nothing
    abs += <f64>hsum(f32x4.abs(wi));
    sq += <f64>hsum(f32x4.mul(wi, wi));
    storeN(g + full, madd(wi, b, madd(sign(wi), a, loadN(g + full, tail))), tail);
  }
  return <f64>l1 * abs + <f64>l2 * sq;
}
