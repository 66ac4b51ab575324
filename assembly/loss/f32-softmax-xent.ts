/**
 * Softmax + categorical cross-entropy, fused. Per row: probs = softmax(logits);
 *   loss = −Σⱼ t·log(clip(p)),  dlogits = (p·S − t·mask)/rows,  S = Σⱼ t·mask,  mask = [1e-7 < p < 1 − 1e-7]
 * (the exact gradient of the mean loss through the clip). Returns Σ over rows of loss (f64).
 * rows × cols row-major, any rows, cols ≥ 1. Must match test/reference/losses.ts.
 *
 * Wide rows: max, exp (into probs, unscaled; vunary/f32-softmax.ts expRow, as the softmax kernel), a scan of the targets that computes S and the loss only
 * where a group of 4 targets is nonzero (one-hot: one group per row), then one pass writing p and dlogits.
 * Narrow rows (cols < 16, class scores): four rows at a time with lane = row, gathered into the scratch
 * region, so max, sum and 1/Σ need no horizontal reductions and no tail lanes are wasted.
 * S and the loss accumulate in f64 (promoted lanes); log is logv (≲ 2 ulp) on the clipped p.
 */
import { pin, scratchBase } from '../common/scratch';
import { hsum, loadN, logv, madd, storeN } from '../common/simd';
import { expLanes, expRow, fromLanes, toLanes } from '../vunary/f32-softmax';
import { insidev, logClipv } from './clip';

export function f32_softmax_xent(rows: i32, cols: i32, logits: usize, targets: usize, probs: usize, dlogits: usize): f64 {
  const row = <usize>cols << 2, invRows = f32x4.splat(<f32>(1 / <f64>rows));
  let total: f64 = 0, i = 0;
  if (cols < 16) {
    for (; i + 4 <= rows; i += 4) {
      const o = <usize>i * row;
      total += rows4(cols, logits + o, targets + o, probs + o, dlogits + o, row, invRows);
    }
  }
  for (; i < rows; i++) {
    const o = <usize>i * row;
    total += wideRow(cols, logits + o, targets + o, probs + o, dlogits + o, invRows);
  }
  return total;
}

/** f64 lane sum of the promoted f32 lanes of v, added to (lo, hi). */
// @ts-ignore: decorator
@inline function lanes(v: v128): v128 {
  return f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
}

function wideRow(cols: i32, x: usize, t: usize, y: usize, d: usize, invRows: v128): f64 {
  const full = <usize>(cols & ~3) << 2, tail = cols & 3;
  // exp, unscaled, into y (the softmax kernel's own row routine)
  const sum = hsum(expRow(cols, x, y)), inv = pin(f32x4.splat(<f32>1 / sum), 1);
  let j: usize = 0;
  // S and the loss, only where targets are nonzero
  let sv = f64x2.splat(0), lv = sv;
  for (j = 0; j < full; j += 16) {
    const tv = v128.load(t + j);
    if (v128.any_true(tv)) {
      const p = f32x4.mul(v128.load(y + j), inv);
      sv = f64x2.add(sv, lanes(v128.and(tv, insidev(p))));
      lv = f64x2.add(lv, lanes(f32x4.mul(tv, logClipv(p))));
    }
  }
  if (tail) {
    const tv = loadN(t + full, tail);   // lanes ≥ tail are 0
    const p = f32x4.mul(loadN(y + full, tail), inv);
    sv = f64x2.add(sv, lanes(v128.and(tv, insidev(p))));
    lv = f64x2.add(lv, lanes(f32x4.mul(tv, logClipv(p))));
  }
  const s = pin(f32x4.splat(<f32>(f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1))), 2);
  // p and dlogits
  for (j = 0; j < full; j += 16) {
    const p = f32x4.mul(v128.load(y + j), inv), tv = v128.load(t + j);
    v128.store(y + j, p);
    v128.store(d + j, f32x4.mul(f32x4.sub(f32x4.mul(p, s), v128.and(tv, insidev(p))), invRows));
  }
  if (tail) {
    const p = f32x4.mul(loadN(y + full, tail), inv), tv = loadN(t + full, tail);
    storeN(y + full, p, tail);
    storeN(d + full, f32x4.mul(f32x4.sub(f32x4.mul(p, s), v128.and(tv, insidev(p))), invRows), tail);
  }
  // a NaN or +Infinity logit makes every p of the row NaN, and 0·log(NaN) is NaN even where no target is
  if (isNaN(sum)) return NaN;
  return -(f64x2.extract_lane(lv, 0) + f64x2.extract_lane(lv, 1));
}

/**
 * Four rows of cols < 16, lane = row, transposed through the scratch region. log p = (x − max) − log Σ,
 * so one logv per four rows replaces a log per element; clipped in the log domain to the f32-rounded
 * log(1e-7) and log(1 − 2⁻²³) (1 − 1e-7 in float32).
 */
function rows4(cols: i32, x: usize, t: usize, y: usize, d: usize, row: usize, invRows: v128): f64 {
  const end = <usize>cols << 4, xs = scratchBase(), es = xs + 256, ts = es + 256, ds = ts + 256;
  const m = pin(toLanes(x, row, cols, xs), 3);
  toLanes(t, row, cols, ts);
  const sum = expLanes(xs, es, end, m);
  const inv = pin(f32x4.div(f32x4.splat(1), sum), 0), logSum = pin(logv(sum), 1);   // Σ ≥ 1: the max term is exp(0)
  // log(clip(p)) = clip(log p) (log is monotonic); log p = (x − max) − log Σ
  const logLo = f32x4.splat(<f32>-16.11809565095832), logHi = f32x4.splat(<f32>-1.1920929665620916e-7);
  let s0 = f64x2.splat(0), s1 = s0, l = f32x4.splat(0);
  for (let j: usize = 0; j < end; j += 16) {
    const p = f32x4.mul(v128.load(es + j), inv), tv = v128.load(ts + j);
    v128.store(es + j, p);
    const st = v128.and(tv, insidev(p));
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(st));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(st, st, 2, 3, 0, 1)));
    // the loss terms of a row share a sign: ≤ 15 of them summed in f32 lose under 8 ulp of the row loss
    l = madd(tv, f32x4.min(f32x4.max(f32x4.sub(v128.load(xs + j), logSum), logLo), logHi), l);
  }
  // S per row (lane): demote both halves back into one f32x4
  const s = pin(i32x4.shuffle(f32x4.demote_f64x2_zero(s0), f32x4.demote_f64x2_zero(s1), 0, 1, 4, 5), 2);
  for (let j: usize = 0; j < end; j += 16) {
    const p = v128.load(es + j), tv = v128.load(ts + j);
    v128.store(ds + j, f32x4.mul(f32x4.sub(f32x4.mul(p, s), v128.and(tv, insidev(p))), invRows));
  }
  fromLanes(es, cols, y, row);
  fromLanes(ds, cols, d, row);
  const ld = lanes(l);
  return -(f64x2.extract_lane(ld, 0) + f64x2.extract_lane(ld, 1));
}
