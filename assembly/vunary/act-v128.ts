/**
 * Activations on one f32x4, shared by f32-act.ts and the Dense epilogue (gemm/f32-gemm.ts).
 * relu: max(x, 0) as IEEE max (TF.js's Math.max(0, x)): NaN stays NaN, −0 gives +0; sigmoid: 1/(1 + e⁻ˣ) (accurate in both tails);
 * tanh: x + x³·P(x²) for |x| < 0.625 (Cephes tanhf: relative accuracy near 0), else ±(1 − 2/(e^{2|x|} + 1)).
 * Both saturate to exactly 0/±1 without NaN. Must match test/reference/activation.ts.
 */
import { ACT_RELU, ACT_SIGMOID, ACT_TANH } from '../../src/backend/abi';
import { expv, madd } from '../common/simd';

export { ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH } from '../../src/backend/abi';

// @ts-ignore: decorator
@inline export function reluv(x: v128): v128 {
  // pmax(x, 0) = x < 0 ? 0 : x is one instruction and keeps NaN; + 0 turns its −0 into +0. (f32x4.max gives
  // the same lanes but costs several instructions on x86; pmax(0, x) would turn NaN into 0.)
  const zero = f32x4.splat(0);
  return f32x4.add(f32x4.pmax(x, zero), zero);
}

/**
 * With e = exp(−|x|) and q = e/(1 + e): q below 0, 1 − q from 0 up. Both tails keep their accuracy: q is
 * relatively accurate, and 1 − q rounds once, where 1/(1 + e) would round e away in 1 + e and land up to
 * 1.8 ulp from the true value near 1 (what log(1 − p) in binary cross-entropy then magnifies).
 */
// @ts-ignore: decorator
@inline export function sigmoidv(x: v128): v128 {
  const e = expv(f32x4.neg(f32x4.abs(x)));
  const q = f32x4.div(e, f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(f32x4.sub(f32x4.splat(1), q), q, f32x4.ge(x, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline export function tanhv(x: v128): v128 {
  const one = f32x4.splat(1);
  const ax = f32x4.abs(x), z = f32x4.mul(x, x);
  let p = madd(f32x4.splat(-5.70498872745e-3), z, f32x4.splat(2.06390887954e-2));
  p = madd(p, z, f32x4.splat(-5.37397155531e-2));
  p = madd(p, z, f32x4.splat(1.33314422036e-1));
  p = madd(p, z, f32x4.splat(-3.33332819422e-1));
  const small = madd(f32x4.mul(p, z), x, x);
  const big = f32x4.sub(one, f32x4.div(f32x4.splat(2), f32x4.add(expv(f32x4.add(ax, ax)), one)));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(ax, f32x4.splat(0.625)));
}

/** act(x) for an activation code (0 linear, 1 relu, 2 sigmoid, 3 tanh). */
// @ts-ignore: decorator
@inline export function actv(act: i32, x: v128): v128 {
  if (act == ACT_RELU) return reluv(x);
  if (act == ACT_SIGMOID) return sigmoidv(x);
  if (act == ACT_TANH) return tanhv(x);
  return x;
}
