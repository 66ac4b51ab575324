/**
 * The activations beyond Dense's fused four, forward and backward, each as Keras 3 defines it (codes from
 * src/backend/abi.ts):
 *   0 leakyRelu   x < 0 ? αx : x                      (α = negative slope)
 *   1 elu         x > 0 ? x : α(eˣ − 1)
 *   2 selu        λ·elu(x) with Keras's α, λ
 *   3 gelu        x·Φ(x), Φ(x) = ½(1 + erf(x/√2))      (exact form, not the tanh approximation)
 *   4 swish       x·σ(x)
 *   5 softplus    log(1 + eˣ)
 *   6 softsign    x/(1 + |x|)
 *   7 hardSigmoid clip(x/6 + ½, 0, 1)                 (Keras 3; TF.js uses slope 0.2)
 * f32_unary:     y = f(x), n elements; y may alias x.
 * f32_unary_bwd: dx = dy·f'(x) through the input x; dx may alias dy. A NaN x gives a NaN dx even where
 *                f' is piecewise constant, so a NaN never turns into a silent 0 gradient.
 * ±Inf give the limits (gelu(−∞) = 0, softsign(±∞) = ±1, swish'(∞) = 1, …), never NaN. Any n ≥ 1.
 * Must match test/reference/unary.ts.
 */
import {
  UNARY_ELU, UNARY_GELU, UNARY_HARD_SIGMOID, UNARY_LEAKY_RELU, UNARY_SELU, UNARY_SOFTPLUS, UNARY_SOFTSIGN, UNARY_SWISH,
} from '../../src/backend/abi';
import { expm1v, log1pv } from '../common/expm1-log1p';
import { expv, loadN, madd, storeN } from '../common/simd';
import { sigmoidv } from './act-v128';


const SELU_ALPHA: f32 = 1.6732632423543772;
const SELU_SCALE: f32 = 1.0507009873554805;

// @ts-ignore: decorator
@inline function sel(a: v128, b: v128, mask: v128): v128 {
  return v128.bitselect(a, b, mask);
}

/**
 * Φ(x), the standard normal CDF, through erfc(z), z = |x|/√2, by the Chebyshev fit of Numerical Recipes
 * (erfcc: relative error < 1.2e-7 for every z ≥ 0), so the left tail keeps its relative accuracy.
 */
// @ts-ignore: decorator
@inline function normalCdfv(x: v128): v128 {
  const z = f32x4.mul(f32x4.abs(x), f32x4.splat(0.7071067811865476));
  const t = f32x4.div(f32x4.splat(1), madd(z, f32x4.splat(0.5), f32x4.splat(1)));
  let p = madd(t, f32x4.splat(0.17087277), f32x4.splat(-0.82215223));
  p = madd(p, t, f32x4.splat(1.48851587));
  p = madd(p, t, f32x4.splat(-1.13520398));
  p = madd(p, t, f32x4.splat(0.27886807));
  p = madd(p, t, f32x4.splat(-0.18628806));
  p = madd(p, t, f32x4.splat(0.09678418));
  p = madd(p, t, f32x4.splat(0.37409196));
  p = madd(p, t, f32x4.splat(1.00002368));
  p = madd(p, t, f32x4.splat(-1.26551223));
  const half = f32x4.mul(f32x4.mul(t, expv(f32x4.sub(p, f32x4.mul(z, z)))), f32x4.splat(0.5)); // ½·erfc(z)
  return sel(f32x4.sub(f32x4.splat(1), half), half, f32x4.ge(x, f32x4.splat(0)));
}

/** x clamped to [−c, c] with NaN kept (pmax/pmin with x first return x when it is NaN). */
// @ts-ignore: decorator
@inline function clampv(x: v128, c: f32): v128 {
  return f32x4.pmin(f32x4.pmax(x, f32x4.splat(-c)), f32x4.splat(c));
}

// @ts-ignore: decorator
@inline function forward(op: i32, x: v128, alpha: v128): v128 {
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  if (op == UNARY_LEAKY_RELU) return sel(f32x4.mul(x, alpha), x, f32x4.lt(x, zero));
  if (op == UNARY_ELU) return sel(x, f32x4.mul(alpha, expm1v(x)), f32x4.gt(x, zero));
  if (op == UNARY_SELU) {
    const neg = f32x4.mul(f32x4.splat(SELU_ALPHA), expm1v(x));
    return f32x4.mul(f32x4.splat(SELU_SCALE), sel(x, neg, f32x4.gt(x, zero)));
  }
  // below −20 (gelu) or −200 (swish) the product underflows to 0 anyway; the clamp keeps −∞·0 from being NaN
  if (op == UNARY_GELU) return f32x4.mul(f32x4.pmax(x, f32x4.splat(-20)), normalCdfv(x));
  if (op == UNARY_SWISH) return f32x4.mul(f32x4.pmax(x, f32x4.splat(-200)), sigmoidv(x));
  if (op == UNARY_SOFTPLUS) return f32x4.add(f32x4.max(x, zero), log1pv(expv(f32x4.neg(f32x4.abs(x)))));
  if (op == UNARY_SOFTSIGN) {
    const ax = f32x4.abs(x);
    const limit = v128.or(one, v128.and(x, i32x4.splat(0x80000000)));
    return sel(limit, f32x4.div(x, f32x4.add(one, ax)), f32x4.eq(ax, f32x4.splat(Infinity)));
  }
  // hardSigmoid: min/max (not pmin/pmax) propagate NaN
  return f32x4.min(f32x4.max(madd(x, f32x4.splat(1.0 / 6), f32x4.splat(0.5)), zero), one);
}

/** f'(x). */
// @ts-ignore: decorator
@inline function derivative(op: i32, x: v128, alpha: v128): v128 {
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  if (op == UNARY_LEAKY_RELU) return sel(one, alpha, f32x4.gt(x, zero));
  if (op == UNARY_ELU) return sel(one, f32x4.mul(alpha, expv(x)), f32x4.gt(x, zero));
  if (op == UNARY_SELU) {
    const neg = f32x4.mul(f32x4.splat(SELU_SCALE * SELU_ALPHA), expv(x));
    return sel(f32x4.splat(SELU_SCALE), neg, f32x4.gt(x, zero));
  }
  if (op == UNARY_GELU) {
    // Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π); φ underflows beyond |x| = 20, where the clamp avoids ∞·0
    const xc = clampv(x, 20);
    const pdf = f32x4.mul(expv(f32x4.mul(f32x4.mul(xc, xc), f32x4.splat(-0.5))), f32x4.splat(0.3989422804014327));
    return madd(xc, pdf, normalCdfv(x));
  }
  if (op == UNARY_SWISH) {
    // σ + x·σ(1 − σ)
    const s = sigmoidv(x);
    return madd(clampv(x, 200), f32x4.mul(s, f32x4.sub(one, s)), s);
  }
  if (op == UNARY_SOFTPLUS) return sigmoidv(x);
  if (op == UNARY_SOFTSIGN) {
    const d = f32x4.add(one, f32x4.abs(x));
    return f32x4.div(one, f32x4.mul(d, d));
  }
  const inside = v128.and(f32x4.gt(x, f32x4.splat(-3)), f32x4.lt(x, f32x4.splat(3)));
  return v128.and(f32x4.splat(1.0 / 6), inside);
}

// @ts-ignore: decorator
@inline function backward(op: i32, x: v128, dy: v128, alpha: v128): v128 {
  return sel(x, f32x4.mul(dy, derivative(op, x, alpha)), f32x4.ne(x, x));
}

/** One loop per op: `op` is a constant after inlining, so each loop body is branch-free. */
// @ts-ignore: decorator
@inline function forwardLoop(op: i32, n: i32, x: usize, y: usize, a: f32): void {
  const alpha = f32x4.splat(a), full = <usize>(n & ~3) << 2, tail = n & 3;
  for (let i: usize = 0; i < full; i += 16) v128.store(y + i, forward(op, v128.load(x + i), alpha));
  if (tail) storeN(y + full, forward(op, loadN(x + full, tail), alpha), tail);
}

// @ts-ignore: decorator
@inline function backwardLoop(op: i32, n: i32, x: usize, dy: usize, dx: usize, a: f32): void {
  const alpha = f32x4.splat(a), full = <usize>(n & ~3) << 2, tail = n & 3;
  for (let i: usize = 0; i < full; i += 16) v128.store(dx + i, backward(op, v128.load(x + i), v128.load(dy + i), alpha));
  if (tail) storeN(dx + full, backward(op, loadN(x + full, tail), loadN(dy + full, tail), alpha), tail);
}

export function f32_unary(n: i32, x: usize, y: usize, alpha: f32, op: i32): void {
  if (op == UNARY_LEAKY_RELU) forwardLoop(UNARY_LEAKY_RELU, n, x, y, alpha);
  else if (op == UNARY_ELU) forwardLoop(UNARY_ELU, n, x, y, alpha);
  else if (op == UNARY_SELU) forwardLoop(UNARY_SELU, n, x, y, alpha);
  else if (op == UNARY_GELU) forwardLoop(UNARY_GELU, n, x, y, alpha);
  else if (op == UNARY_SWISH) forwardLoop(UNARY_SWISH, n, x, y, alpha);
  else if (op == UNARY_SOFTPLUS) forwardLoop(UNARY_SOFTPLUS, n, x, y, alpha);
  else if (op == UNARY_SOFTSIGN) forwardLoop(UNARY_SOFTSIGN, n, x, y, alpha);
  else forwardLoop(UNARY_HARD_SIGMOID, n, x, y, alpha);
}

export function f32_unary_bwd(n: i32, x: usize, dy: usize, dx: usize, alpha: f32, op: i32): void {
  if (op == UNARY_LEAKY_RELU) backwardLoop(UNARY_LEAKY_RELU, n, x, dy, dx, alpha);
  else if (op == UNARY_ELU) backwardLoop(UNARY_ELU, n, x, dy, dx, alpha);
  else if (op == UNARY_SELU) backwardLoop(UNARY_SELU, n, x, dy, dx, alpha);
  else if (op == UNARY_GELU) backwardLoop(UNARY_GELU, n, x, dy, dx, alpha);
  else if (op == UNARY_SWISH) backwardLoop(UNARY_SWISH, n, x, dy, dx, alpha);
  else if (op == UNARY_SOFTPLUS) backwardLoop(UNARY_SOFTPLUS, n, x, dy, dx, alpha);
  else if (op == UNARY_SOFTSIGN) backwardLoop(UNARY_SOFTSIGN, n, x, dy, dx, alpha);
  else backwardLoop(UNARY_HARD_SIGMOID, n, x, dy, dx, alpha);
}
