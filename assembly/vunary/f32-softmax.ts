/**
 * f32_softmax:     y = exp(x − max x)/Σ exp(x − max x) per row; y may alias x.
 * f32_softmax_bwd: dz = y ⊙ (dy − Σⱼ y·dy) per row; dz may alias dy.
 * rows × cols row-major, any rows, cols ≥ 1. Three passes over a row (max, exp + sum, scale); rows of fewer
 * than 16 columns go four at a time with lane = row (softmaxRows4).
 * Must match test/reference/softmax.ts.
 */
import { pin, scratchBase } from '../common/scratch';
import { expv, hmax, hsum, loadN, madd, storeN, transpose4x4 } from '../common/simd';

export function f32_softmax(rows: i32, cols: i32, x: usize, y: usize): void {
  const row = <usize>cols << 2;
  let i = 0;
  // narrow rows (class scores): four rows at a time, so four exp chains overlap
  if (cols < 16) for (; i + 4 <= rows; i += 4) softmaxRows4(cols, x + <usize>i * row, y + <usize>i * row, row);
  for (; i < rows; i++) softmaxRow(cols, x + <usize>i * row, y + <usize>i * row);
}

/**
 * Softmax of rows x, x + row, x + 2row, x + 3row (row in bytes, cols < 16), lane = row: transposed through
 * the scratch region, so max, Σ and 1/Σ need no horizontal reductions and no lanes are padding. y may alias x.
 */
function softmaxRows4(cols: i32, x: usize, y: usize, row: usize): void {
  const end = <usize>cols << 4, xs = scratchBase(), es = xs + 256;
  const m = pin(toLanes(x, row, cols, xs), 0);
  const inv = pin(f32x4.div(f32x4.splat(1), expLanes(xs, es, end, m)), 1);
  for (let j: usize = 0; j < end; j += 16) v128.store(es + j, f32x4.mul(v128.load(es + j), inv));
  fromLanes(es, cols, y, row);
}

/** Lanes = rows x, x + row, x + 2row, x + 3row at column offset j (bytes). */
// @ts-ignore: decorator
@inline export function gather(x: usize, row: usize, j: usize): v128 {
  let v = v128.load32_zero(x + j);
  v = v128.load32_lane(x + row + j, v, 1);
  v = v128.load32_lane(x + 2 * row + j, v, 2);
  return v128.load32_lane(x + 3 * row + j, v, 3);
}

// @ts-ignore: decorator
@inline export function scatter(y: usize, row: usize, j: usize, v: v128): void {
  v128.store32_lane(y + j, v, 0);
  v128.store32_lane(y + row + j, v, 1);
  v128.store32_lane(y + 2 * row + j, v, 2);
  v128.store32_lane(y + 3 * row + j, v, 3);
}

/**
 * 4 rows × cols (row stride in bytes) → cols vectors at dst (lane = row) by 4×4 transposes, then lanes;
 * returns the lane-wise maximum of the vectors.
 */
// @ts-ignore: decorator
@inline export function toLanes(x: usize, row: usize, cols: i32, dst: usize): v128 {
  const end = <usize>cols << 2, full = <usize>(cols & ~3) << 2;
  let m0 = f32x4.splat(-Infinity), m1 = m0;
  for (let j: usize = 0; j < full; j += 16) {
    const s = x + j, d = dst + (j << 2);
    const r0 = v128.load(s), r1 = v128.load(s + row), r2 = v128.load(s + 2 * row), r3 = v128.load(s + 3 * row);
    const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
    const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    const c0 = i32x4.shuffle(t0, t2, 0, 1, 4, 5), c1 = i32x4.shuffle(t0, t2, 2, 3, 6, 7);
    const c2 = i32x4.shuffle(t1, t3, 0, 1, 4, 5), c3 = i32x4.shuffle(t1, t3, 2, 3, 6, 7);
    v128.store(d, c0); v128.store(d, c1, 16); v128.store(d, c2, 32); v128.store(d, c3, 48);
    m0 = f32x4.max(m0, f32x4.max(c0, c1)); m1 = f32x4.max(m1, f32x4.max(c2, c3));
  }
  for (let j = full; j < end; j += 4) {
    const v = gather(x, row, j);
    v128.store(dst + (j << 2), v);
    m0 = f32x4.max(m0, v);
  }
  return f32x4.max(m0, m1);
}

/** The inverse of toLanes. */
// @ts-ignore: decorator
@inline export function fromLanes(src: usize, cols: i32, y: usize, row: usize): void {
  const end = <usize>cols << 2, full = <usize>(cols & ~3) << 2;
  for (let j: usize = 0; j < full; j += 16) transpose4x4(src + (j << 2), 16, y + j, row);
  for (let j = full; j < end; j += 4) scatter(y, row, j, v128.load(src + (j << 2)));
}

/** e = exp(x − m) for the lane vectors [xs, xs + end) into es, x − m back into xs; returns Σ e. Two chains. */
// @ts-ignore: decorator
@inline export function expLanes(xs: usize, es: usize, end: usize, m: v128): v128 {
  let s0 = f32x4.splat(0), s1 = s0, j: usize = 0;
  for (; j + 32 <= end; j += 32) {
    const a = f32x4.sub(v128.load(xs + j), m), b = f32x4.sub(v128.load(xs + j, 16), m);
    const ea = expv(a), eb = expv(b);
    v128.store(xs + j, a); v128.store(xs + j, b, 16);
    v128.store(es + j, ea); v128.store(es + j, eb, 16);
    s0 = f32x4.add(s0, ea); s1 = f32x4.add(s1, eb);
  }
  if (j < end) {
    const a = f32x4.sub(v128.load(xs + j), m), ea = expv(a);
    v128.store(xs + j, a); v128.store(es + j, ea);
    s0 = f32x4.add(s0, ea);
  }
  return f32x4.add(s0, s1);
}

/**
 * The front half of a wide row's softmax, shared with the fused loss (loss/f32-softmax-xent.ts):
 * e = exp(x − max x) into y, unscaled; returns the lane sums of e (hsum gives Σ). Padded tail lanes hold
 * −Inf, so they contribute exp(−Inf) = 0. Four exp chains per iteration (one alone is latency-bound),
 * summed pairwise into two accumulators: both kernels must add in this one order.
 */
// @ts-ignore: decorator
@inline export function expRow(cols: i32, x: usize, y: usize): v128 {
  const full = <usize>(cols & ~3) << 2, tail = cols & 3, ninf = f32x4.splat(-Infinity);
  const mask = tailMask(tail);
  let m0 = ninf, m1 = ninf, j: usize = 0;
  for (; j + 32 <= full; j += 32) { m0 = f32x4.max(m0, v128.load(x + j)); m1 = f32x4.max(m1, v128.load(x + j, 16)); }
  for (; j < full; j += 16) m0 = f32x4.max(m0, v128.load(x + j));
  if (tail) m1 = f32x4.max(m1, v128.bitselect(loadN(x + full, tail), ninf, mask));
  const ms = pin(f32x4.splat(hmax(f32x4.max(m0, m1))), 0);
  let s0 = f32x4.splat(0), s1 = s0;
  j = 0;
  for (; j + 64 <= full; j += 64) {
    const e0 = expv(f32x4.sub(v128.load(x + j), ms)), e1 = expv(f32x4.sub(v128.load(x + j, 16), ms));
    const e2 = expv(f32x4.sub(v128.load(x + j, 32), ms)), e3 = expv(f32x4.sub(v128.load(x + j, 48), ms));
    s0 = f32x4.add(s0, f32x4.add(e0, e1)); s1 = f32x4.add(s1, f32x4.add(e2, e3));
    v128.store(y + j, e0); v128.store(y + j, e1, 16); v128.store(y + j, e2, 32); v128.store(y + j, e3, 48);
  }
  for (; j < full; j += 16) {
    const e = expv(f32x4.sub(v128.load(x + j), ms));
    s0 = f32x4.add(s0, e);
    v128.store(y + j, e);
  }
  if (tail) {
    const e = expv(f32x4.sub(v128.bitselect(loadN(x + full, tail), ninf, mask), ms));
    s1 = f32x4.add(s1, e);
    storeN(y + full, e, tail);
  }
  return f32x4.add(s0, s1);
}

/** Softmax of one row of `cols` floats; y may alias x. */
export function softmaxRow(cols: i32, x: usize, y: usize): void {
  const full = <usize>(cols & ~3) << 2, tail = cols & 3;
  const inv = pin(f32x4.splat(<f32>1 / hsum(expRow(cols, x, y))), 1);
  for (let j: usize = 0; j < full; j += 16) v128.store(y + j, f32x4.mul(v128.load(y + j), inv));
  if (tail) storeN(y + full, f32x4.mul(loadN(y + full, tail), inv), tail);
}

/** All-ones in lanes < n. */
// @ts-ignore: decorator
@inline export function tailMask(n: i32): v128 {
  return i32x4.gt_s(i32x4.splat(n), i32x4(0, 1, 2, 3));
}

export function f32_softmax_bwd(rows: i32, cols: i32, y: usize, dy: usize, dz: usize): void {
  const row = <usize>cols << 2, full = <usize>(cols & ~3) << 2, tail = cols & 3;
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * row, py = y + o, pd = dy + o, pz = dz + o;
    let sv = f32x4.splat(0), sv1 = sv, j: usize = 0;
    for (; j + 32 <= full; j += 32) {
      sv = madd(v128.load(py + j), v128.load(pd + j), sv);
      sv1 = madd(v128.load(py + j, 16), v128.load(pd + j, 16), sv1);
    }
    if (j < full) sv = madd(v128.load(py + j), v128.load(pd + j), sv);
    sv = f32x4.add(sv, sv1);
    if (tail) sv = madd(loadN(py + full, tail), loadN(pd + full, tail), sv);
    const s = pin(f32x4.splat(hsum(sv)), 0);
    for (let j: usize = 0; j < full; j += 16) {
      v128.store(pz + j, f32x4.mul(v128.load(py + j), f32x4.sub(v128.load(pd + j), s)));
    }
    if (tail) storeN(pz + full, f32x4.mul(loadN(py + full, tail), f32x4.sub(loadN(pd + full, tail), s)), tail);
  }
}
