/**
 * Activations on one f32x4, shared by f32-act.ts and the Dense epilogue (gemm/f32-gemm.ts).
 * relu: max(x, 0) with NaN → 0 (as `x > 0 ? x : 0`); sigmoid: 1/(1 + e⁻ˣ) (accurate in both tails);
 * tanh: x + x³·P(x²) for |x| < 0.625 (Cephes tanhf: relative accuracy near 0), else ±(1 − 2/(e^{2|x|} + 1)).
 * Both saturate to exactly 0/±1 without NaN. Must match test/reference/activation.ts.
 */
import { ACT_RELU, ACT_SIGMOID, ACT_TANH } from '../../src/backend/abi';
import { expv, madd } from '../common/simd';

export { ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH } from '../../src/backend/abi';

// @ts-ignore: decorator
@inline export function reluv(x: v128): v128 {
  return f32x4.pmax(f32x4.splat(0), x);
}

/** With e = exp(−|x|): 1/(1 + e) for x ≥ 0, e/(1 + e) below, so the left tail keeps its relative accuracy. */
// @ts-ignore: decorator
@inline export function sigmoidv(x: v128): v128 {
  const e = expv(f32x4.neg(f32x4.abs(x)));
  const r = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(r, f32x4.mul(e, r), f32x4.ge(x, f32x4.splat(0)));
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
