/**
 * The robust regression losses, Keras 3 definitions, each a mean over the last axis (e = p − t; codes from
 * src/backend/abi.ts):
 *   0 meanAbsoluteError  |e|                                     grad sign(e) (0 at e = 0)
 *   1 huber              ½·min(|e|, δ)² + δ·(|e| − min(|e|, δ))   grad clip(e, −δ, δ)
 *   2 logCosh            log cosh e = |e| + log1p(e^(−2|e|)) − log 2   grad tanh e
 * Returns Σ over rows of the per-row mean (f64); dp = ∂(mean over rows)/∂p = grad/(rows·cols). A NaN e gives
 * a NaN loss and a NaN dp. rows × cols row-major, any sizes ≥ 1; the elements run as one flat array, as in
 * f32-mse.ts. Must match test/reference/regression-losses.ts.
 */
import { LOSS_HUBER, LOSS_LOG_COSH, LOSS_MAE } from '../../src/backend/abi';
import { log1pv } from '../common/expm1-log1p';
import { expv, hsum, loadN, storeN } from '../common/simd';
import { tanhv } from '../vunary/act-v128';


// @ts-ignore: decorator
@inline function value(kind: i32, e: v128, delta: v128): v128 {
  const a = f32x4.abs(e);
  if (kind == LOSS_MAE) return a;
  if (kind == LOSS_HUBER) {
    const q = f32x4.min(a, delta);
    return f32x4.add(f32x4.mul(f32x4.splat(0.5), f32x4.mul(q, q)), f32x4.mul(delta, f32x4.sub(a, q)));
  }
  const r = f32x4.add(a, log1pv(expv(f32x4.mul(a, f32x4.splat(-2)))));
  return f32x4.sub(r, f32x4.splat(0.6931471805599453));
}

// @ts-ignore: decorator
@inline function slope(kind: i32, e: v128, delta: v128): v128 {
  if (kind == LOSS_MAE) {
    const one = f32x4.splat(1);
    const s = v128.or(v128.and(f32x4.gt(e, f32x4.splat(0)), one), v128.and(f32x4.lt(e, f32x4.splat(0)), f32x4.neg(one)));
    return v128.bitselect(e, s, f32x4.ne(e, e));
  }
  if (kind == LOSS_HUBER) return f32x4.min(f32x4.max(e, f32x4.neg(delta)), delta);
  return tanhv(e);
}

// @ts-ignore: decorator
@inline function run(kind: i32, rows: i32, cols: i32, p: usize, targets: usize, dp: usize, d: f32): f64 {
  const count = <usize>rows * <usize>cols, full = (count & ~3) << 2, tail = <i32>(count & 3);
  const g = f32x4.splat(<f32>(1 / (<f64>rows * <f64>cols))), delta = f32x4.splat(d);
  let total: f64 = 0;
  // f32 partial sums over 256 vectors at a time, then f64
  for (let c: usize = 0; c < full; c += 4096) {
    const end = min(full, c + 4096);
    let acc = f32x4.splat(0);
    for (let j = c; j < end; j += 16) {
      const e = f32x4.sub(v128.load(p + j), v128.load(targets + j));
      acc = f32x4.add(acc, value(kind, e, delta));
      v128.store(dp + j, f32x4.mul(slope(kind, e, delta), g));
    }
    total += <f64>hsum(acc);
  }
  if (tail) {
    const e = f32x4.sub(loadN(p + full, tail), loadN(targets + full, tail));
    const v = value(kind, e, delta);
    // lanes past the tail hold e = 0, whose value is 0 for all three losses (log cosh 0 = 0 up to rounding): mask them
    const keep = tail == 1 ? i32x4(-1, 0, 0, 0) : tail == 2 ? i32x4(-1, -1, 0, 0) : i32x4(-1, -1, -1, 0);
    total += <f64>hsum(v128.and(v, keep));
    storeN(dp + full, f32x4.mul(slope(kind, e, delta), g), tail);
  }
  return total / <f64>cols;
}

export function f32_regression_loss(rows: i32, cols: i32, p: usize, targets: usize, dp: usize, delta: f32, kind: i32): f64 {
  if (kind == LOSS_MAE) return run(LOSS_MAE, rows, cols, p, targets, dp, delta);
  if (kind == LOSS_HUBER) return run(LOSS_HUBER, rows, cols, p, targets, dp, delta);
  return run(LOSS_LOG_COSH, rows, cols, p, targets, dp, delta);
}
