/**
 * f32_softmax:     y = exp(x − max x)/Σ exp(x − max x) per row; y may alias x.
 * f32_softmax_bwd: dz = y ⊙ (dy − Σⱼ y·dy) per row; dz may alias dy.
 * rows × cols row-major, any rows, cols ≥ 1. Three passes over a row (max, exp + sum, scale).
 * Must match test/reference/softmax.ts.
 */
import { expv, hmax, hsum, loadN, madd, storeN } from '../common/simd';

export function f32_softmax(rows: i32, cols: i32, x: usize, y: usize): void {
  const row = <usize>cols << 2;
  let i = 0;
  // narrow rows (class scores): four rows at a time, so four exp chains overlap
  if (cols < 16) for (; i + 4 <= rows; i += 4) softmaxRows4(cols, x + <usize>i * row, y + <usize>i * row, row);
  for (; i < rows; i++) softmaxRow(cols, x + <usize>i * row, y + <usize>i * row);
}

/** Softmax of rows x, x + row, x + 2row, x + 3row (row in bytes), interleaved; y may alias x. */
function softmaxRows4(cols: i32, x: usize, y: usize, row: usize): void {
  const full = <usize>(cols & ~3) << 2, tail = cols & 3, ninf = f32x4.splat(-Infinity);
  const x1 = x + row, x2 = x1 + row, x3 = x2 + row, y1 = y + row, y2 = y1 + row, y3 = y2 + row;
  let m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
  for (let j: usize = 0; j < full; j += 16) {
    m0 = f32x4.max(m0, v128.load(x + j)); m1 = f32x4.max(m1, v128.load(x1 + j));
    m2 = f32x4.max(m2, v128.load(x2 + j)); m3 = f32x4.max(m3, v128.load(x3 + j));
  }
  const mask = tailMask(tail);
  if (tail) {
    m0 = f32x4.max(m0, v128.bitselect(loadN(x + full, tail), ninf, mask));
    m1 = f32x4.max(m1, v128.bitselect(loadN(x1 + full, tail), ninf, mask));
    m2 = f32x4.max(m2, v128.bitselect(loadN(x2 + full, tail), ninf, mask));
    m3 = f32x4.max(m3, v128.bitselect(loadN(x3 + full, tail), ninf, mask));
  }
  m0 = f32x4.splat(hmax(m0)); m1 = f32x4.splat(hmax(m1)); m2 = f32x4.splat(hmax(m2)); m3 = f32x4.splat(hmax(m3));
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  for (let j: usize = 0; j < full; j += 16) {
    const e0 = expv(f32x4.sub(v128.load(x + j), m0)), e1 = expv(f32x4.sub(v128.load(x1 + j), m1));
    const e2 = expv(f32x4.sub(v128.load(x2 + j), m2)), e3 = expv(f32x4.sub(v128.load(x3 + j), m3));
    s0 = f32x4.add(s0, e0); s1 = f32x4.add(s1, e1); s2 = f32x4.add(s2, e2); s3 = f32x4.add(s3, e3);
    v128.store(y + j, e0); v128.store(y1 + j, e1); v128.store(y2 + j, e2); v128.store(y3 + j, e3);
  }
  if (tail) {
    const e0 = expv(f32x4.sub(v128.bitselect(loadN(x + full, tail), ninf, mask), m0));
    const e1 = expv(f32x4.sub(v128.bitselect(loadN(x1 + full, tail), ninf, mask), m1));
    const e2 = expv(f32x4.sub(v128.bitselect(loadN(x2 + full, tail), ninf, mask), m2));
    const e3 = expv(f32x4.sub(v128.bitselect(loadN(x3 + full, tail), ninf, mask), m3));
    s0 = f32x4.add(s0, e0); s1 = f32x4.add(s1, e1); s2 = f32x4.add(s2, e2); s3 = f32x4.add(s3, e3);
    storeN(y + full, e0, tail); storeN(y1 + full, e1, tail); storeN(y2 + full, e2, tail); storeN(y3 + full, e3, tail);
  }
  // the four sums in one vector: one division for the four rows
  const one = f32x4.splat(1);
  const inv = f32x4.div(one, f32x4.add(
    f32x4.add(i32x4.shuffle(s0, s1, 0, 4, 0, 4), i32x4.shuffle(s0, s1, 1, 5, 1, 5)),
    f32x4.add(i32x4.shuffle(s0, s1, 2, 6, 2, 6), i32x4.shuffle(s0, s1, 3, 7, 3, 7))));
  const inv2 = f32x4.div(one, f32x4.add(
    f32x4.add(i32x4.shuffle(s2, s3, 0, 4, 0, 4), i32x4.shuffle(s2, s3, 1, 5, 1, 5)),
    f32x4.add(i32x4.shuffle(s2, s3, 2, 6, 2, 6), i32x4.shuffle(s2, s3, 3, 7, 3, 7))));
  const i0 = f32x4.splat(f32x4.extract_lane(inv, 0)), i1 = f32x4.splat(f32x4.extract_lane(inv, 1));
  const i2 = f32x4.splat(f32x4.extract_lane(inv2, 0)), i3 = f32x4.splat(f32x4.extract_lane(inv2, 1));
  for (let j: usize = 0; j < full; j += 16) {
    v128.store(y + j, f32x4.mul(v128.load(y + j), i0)); v128.store(y1 + j, f32x4.mul(v128.load(y1 + j), i1));
    v128.store(y2 + j, f32x4.mul(v128.load(y2 + j), i2)); v128.store(y3 + j, f32x4.mul(v128.load(y3 + j), i3));
  }
  if (tail) {
    storeN(y + full, f32x4.mul(loadN(y + full, tail), i0), tail); storeN(y1 + full, f32x4.mul(loadN(y1 + full, tail), i1), tail);
    storeN(y2 + full, f32x4.mul(loadN(y2 + full, tail), i2), tail); storeN(y3 + full, f32x4.mul(loadN(y3 + full, tail), i3), tail);
  }
}

/** Softmax of one row of `cols` floats; returns nothing, y may alias x. */
export function softmaxRow(cols: i32, x: usize, y: usize): void {
  const full = <usize>(cols & ~3) << 2, tail = cols & 3;
  let mv = f32x4.splat(-Infinity);
  for (let j: usize = 0; j < full; j += 16) mv = f32x4.max(mv, v128.load(x + j));
  let m = hmax(mv);
  for (let j = full; j < (<usize>cols << 2); j += 4) m = max(m, load<f32>(x + j));
  const ms = f32x4.splat(m);
  let sv = f32x4.splat(0), j: usize = 0;
  const full4 = <usize>(cols & ~15) << 2;
  // four independent exp chains per iteration (one alone is latency-bound)
  for (; j < full4; j += 64) {
    const e0 = expv(f32x4.sub(v128.load(x + j), ms)), e1 = expv(f32x4.sub(v128.load(x + j, 16), ms));
    const e2 = expv(f32x4.sub(v128.load(x + j, 32), ms)), e3 = expv(f32x4.sub(v128.load(x + j, 48), ms));
    sv = f32x4.add(sv, f32x4.add(f32x4.add(e0, e1), f32x4.add(e2, e3)));
    v128.store(y + j, e0); v128.store(y + j, e1, 16); v128.store(y + j, e2, 32); v128.store(y + j, e3, 48);
  }
  for (; j < full; j += 16) {
    const e = expv(f32x4.sub(v128.load(x + j), ms));
    sv = f32x4.add(sv, e);
    v128.store(y + j, e);
  }
  if (tail) {
    // padded lanes hold −Inf, so they contribute exp(−Inf) = 0
    const pad = v128.bitselect(loadN(x + full, tail), f32x4.splat(-Infinity), tailMask(tail));
    const e = expv(f32x4.sub(pad, ms));
    sv = f32x4.add(sv, e);
    storeN(y + full, e, tail);
  }
  const inv = f32x4.splat(<f32>1 / hsum(sv));
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
    let sv = f32x4.splat(0);
    for (let j: usize = 0; j < full; j += 16) sv = madd(v128.load(py + j), v128.load(pd + j), sv);
    if (tail) sv = madd(loadN(py + full, tail), loadN(pd + full, tail), sv);
    const s = f32x4.splat(hsum(sv));
    for (let j: usize = 0; j < full; j += 16) {
      v128.store(pz + j, f32x4.mul(v128.load(py + j), f32x4.sub(v128.load(pd + j), s)));
    }
    if (tail) storeN(pz + full, f32x4.mul(loadN(py + full, tail), f32x4.sub(loadN(pd + full, tail), s)), tail);
  }
}
