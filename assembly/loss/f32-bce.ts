/**
 * Binary cross-entropy on probabilities: pc = clip(p, 1e-7, 1 − 2⁻²³) (1 − 1e-7 in float32),
 *   loss_row = meanⱼ −(t·log pc + (1 − t)·log(1 − pc)),
 *   dp = mask·(−t/pc + (1 − t)/(1 − pc))/(rows·cols),  mask = [1e-7 < p < 1 − 1e-7].
 * Returns Σ over rows of loss_row (f64). Vectorised (f32x4 log, f64 accumulation); the mask bounds are the
 * f32 values that make the f32 comparisons equal to the f64 ones of the reference.
 * rows × cols row-major, any sizes ≥ 1. Must match test/reference/losses.ts.
 */
import { loadN, logv, storeN } from '../common/simd';
import { tailMask } from '../vunary/f32-softmax';
import { HI32, LO32 } from './clip';

/** Smallest f32 > 1e-7 and largest f32 < 1 − 1e-7: p > 1e-7 ⇔ p ≥ LO, p < 1 − 1e-7 ⇔ p ≤ HI. */
const LO: f32 = LO32;
const HI: f32 = HI32;

// @ts-ignore: decorator
@inline function term(p: v128, t: v128, scale: v128, d: usize, n: i32): v128 {
  const lo = f32x4.splat(LO), hi = f32x4.splat(HI), one = f32x4.splat(1);
  // 1 − clip(p) as clip(1 − p, 1 − HI, 1 − 1e-7): 1 − p is exact for p ≥ 0.5, and the min matters for p below 0
  // (a linear output, −Infinity), where 1 − p would exceed 1
  const pc = f32x4.min(f32x4.max(p, lo), hi), u = f32x4.sub(one, t);
  const q = f32x4.min(f32x4.max(f32x4.sub(one, p), f32x4.splat(<f32>1.1920928955078125e-7)), f32x4.splat(<f32>(1 - 1e-7)));
  const inside = v128.and(f32x4.ge(p, lo), f32x4.le(p, hi));
  // −t/p + (1 − t)/(1 − p) = (p − t)/(p(1 − p)): no cancellation when t ≈ p
  const g = f32x4.div(f32x4.sub(pc, t), f32x4.mul(pc, q));
  storeN(d, v128.and(f32x4.mul(g, scale), inside), n);
  // a NaN p would come out of logv as a finite number: NaN lanes are set to all ones (a NaN)
  return v128.or(f32x4.add(f32x4.mul(t, logv(pc)), f32x4.mul(u, logv(q))), f32x4.ne(p, p));
}

export function f32_bce(rows: i32, cols: i32, p: usize, targets: usize, dp: usize): f64 {
  const count = <usize>rows * <usize>cols, full = (count & ~3) << 2, tail = <i32>(count & 3);
  const scale = f32x4.splat(<f32>(1 / (<f64>rows * <f64>cols)));
  let lo = f64x2.splat(0), hi = lo;
  for (let i: usize = 0; i < full; i += 16) {
    const s = term(v128.load(p + i), v128.load(targets + i), scale, dp + i, 4);
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(s));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(s, s, 2, 3, 0, 1)));
  }
  if (tail) {
    const s = v128.and(term(loadN(p + full, tail), loadN(targets + full, tail), scale, dp + full, tail), tailMask(tail));
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(s));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(s, s, 2, 3, 0, 1)));
  }
  const sum = f64x2.add(lo, hi);
  return -(f64x2.extract_lane(sum, 0) + f64x2.extract_lane(sum, 1)) / <f64>cols;
}
