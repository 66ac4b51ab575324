/**
 * f32_act:     y = act(x), n elements (act-v128.ts); y may alias x.
 * f32_act_bwd: dx = dy·act'(x) through the output y: linear 1, relu [y > 0] (NaN where y is NaN; a NaN or
 *              infinite dy stays NaN where the unit is off, as dy·0; y must be relu's output), sigmoid y(1 − y), tanh 1 − y²;
 *              dx may alias dy.
 * Any n ≥ 1. Must match test/reference/activation.ts.
 */
import { loadN, storeN } from '../common/simd';
import { ACT_RELU, ACT_SIGMOID, ACT_TANH, reluv, sigmoidv, tanhv } from './act-v128';

export function f32_act(n: i32, x: usize, y: usize, act: i32): void {
  if (act == ACT_RELU) actLoop(ACT_RELU, n, x, y);
  else if (act == ACT_SIGMOID) actLoop(ACT_SIGMOID, n, x, y);
  else if (act == ACT_TANH) actLoop(ACT_TANH, n, x, y);
  else if (x != y) memory.copy(y, x, <usize>n << 2);
}

// @ts-ignore: decorator
@inline function actOne(act: i32, v: v128): v128 {
  if (act == ACT_RELU) return reluv(v);
  if (act == ACT_SIGMOID) return sigmoidv(v);
  return tanhv(v);
}

/** One loop per activation: `act` is a constant after inlining, so each loop body is branch-free. */
// @ts-ignore: decorator
@inline function actLoop(act: i32, n: i32, x: usize, y: usize): void {
  const full = <usize>(n & ~3) << 2, tail = n & 3, full4 = <usize>(n & ~15) << 2;
  let i: usize = 0;
  // four independent vectors per iteration: the exp chains are latency-bound one at a time
  for (; i < full4; i += 64) {
    const a = actOne(act, v128.load(x + i)), b = actOne(act, v128.load(x + i, 16));
    const c = actOne(act, v128.load(x + i, 32)), d = actOne(act, v128.load(x + i, 48));
    v128.store(y + i, a); v128.store(y + i, b, 16); v128.store(y + i, c, 32); v128.store(y + i, d, 48);
  }
  for (; i < full; i += 16) v128.store(y + i, actOne(act, v128.load(x + i)));
  if (tail) storeN(y + full, actOne(act, loadN(x + full, tail)), tail);
}

export function f32_act_bwd(n: i32, y: usize, dy: usize, dx: usize, act: i32): void {
  if (act == ACT_RELU) bwdLoop(ACT_RELU, n, y, dy, dx);
  else if (act == ACT_SIGMOID) bwdLoop(ACT_SIGMOID, n, y, dy, dx);
  else if (act == ACT_TANH) bwdLoop(ACT_TANH, n, y, dy, dx);
  else if (dx != dy) memory.copy(dx, dy, <usize>n << 2);
}

// @ts-ignore: decorator
@inline function bwdOne(act: i32, y: v128, g: v128): v128 {
  const one = f32x4.splat(1);
  if (act == ACT_RELU) {
    // dy·step(y) as a multiply, not a mask, so NaN passes. For relu's output y (> 0, ±0 or NaN),
    // step = ceil(pmin(y, 1)): 1 for any y > 0 (subnormals too), ±0 for ±0, NaN for NaN (pmin keeps it);
    // three one-instruction ops where a compare and bitselect would take five
    return f32x4.mul(g, f32x4.ceil(f32x4.pmin(y, one)));
  }
  if (act == ACT_SIGMOID) return f32x4.mul(g, f32x4.mul(y, f32x4.sub(one, y)));
  // (1 − y)(1 + y): 1 − y² cancels when |y| → 1
  return f32x4.mul(g, f32x4.mul(f32x4.sub(one, y), f32x4.add(one, y)));
}

// @ts-ignore: decorator
@inline function bwdLoop(act: i32, n: i32, y: usize, dy: usize, dx: usize): void {
  const full = <usize>(n & ~3) << 2, tail = n & 3, full2 = <usize>(n & ~7) << 2;
  let i: usize = 0;
  // two vectors per iteration: the loop's own overhead is a large share of a body this short
  for (; i < full2; i += 32) {
    const a = bwdOne(act, v128.load(y + i), v128.load(dy + i)), b = bwdOne(act, v128.load(y + i, 16), v128.load(dy + i, 16));
    v128.store(dx + i, a); v128.store(dx + i, b, 16);
  }
  for (; i < full; i += 16) v128.store(dx + i, bwdOne(act, v128.load(y + i), v128.load(dy + i)));
  if (tail) storeN(dx + full, bwdOne(act, loadN(y + full, tail), loadN(dy + full, tail)), tail);
}
