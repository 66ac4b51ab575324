/**
 * Narrow column remainder of f32-gemm.ts (A not transposed): the last nc mod 8 ∈ [1, DOT_MAX] columns
 * of a block, which an 8-wide panel would pad (n = 10: 16 columns computed for 10). Instead each pair
 * of columns is a 4×2 tile of dot products along k: A rows read in place (contiguous along k), B columns
 * packed contiguous along k (packBT), 8 accumulators of 4 k each, reduced once after the k loop.
 * Spec: test/reference/gemm.ts (through f32-gemm.ts).
 */
import { loadN, madd } from '../common/simd';
import { actv } from '../vunary/act-v128';

/** Largest remainder handled here (3 column pairs cost less than one padded 8-wide panel). */
export const DOT_MAX: i32 = 6;

/**
 * B[pc:pc+kc, col:col+w] → ⌈w/2⌉·2 columns of kc4 floats (kc4 = kc rounded up to 4), zero-padded.
 * B is k×n row-major, or n×k when transB.
 */
export function packBT(transB: bool, n: i32, k: i32, b: usize, pc: i32, kc: i32, col: i32, w: i32, kc4: i32, dst: usize): void {
  const wp = (w + 1) & ~1;
  memory.fill(dst, 0, <usize>(wp * kc4) << 2);
  const sp: usize = transB ? 4 : <usize>n << 2, sj: usize = transB ? <usize>k << 2 : 4;
  const s0 = transB ? b + ((<usize>col * k + pc) << 2) : b + ((<usize>pc * n + col) << 2);
  for (let j = 0; j < w; j++) {
    let s = s0 + <usize>j * sj, d = dst + (<usize>(j * kc4) << 2);
    if (transB) { memory.copy(d, s, <usize>kc << 2); continue; }
    for (let p = 0; p < kc; p++, s += sp, d += 4) store<f32>(d, load<f32>(s));
  }
}

/**
 * C[0:rows, 0:w] (+)= A[0:rows, 0:kc] · Bt, then the Dense epilogue. a: A[i0, pc], lda: row stride
 * (bytes); pbt: two packed columns (kc4 floats each); rows ∈ [1, 4], w ∈ [1, 2].
 */
export function dot4x2(kc: i32, a: usize, lda: usize, rows: i32, pbt: usize, kc4: i32, c: usize, ldc: usize,
  w: i32, addC: bool, bias: usize, act: i32): void {
  // missing rows read row 0 (in bounds) and are not stored
  const a0 = a, a1 = rows > 1 ? a + lda : a, a2 = rows > 2 ? a + 2 * lda : a, a3 = rows > 3 ? a + 3 * lda : a;
  const q = pbt + (<usize>kc4 << 2);
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  const k4 = <usize>(kc & ~3) << 2;
  let off: usize = 0;
  for (; off < k4; off += 16) {
    const b0 = v128.load(pbt + off), b1 = v128.load(q + off);
    let x = v128.load(a0 + off);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = v128.load(a1 + off);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = v128.load(a2 + off);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = v128.load(a3 + off);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
  }
  const t = kc & 3;
  if (t) {
    // B is zero past kc; A is read only inside its block
    const b0 = v128.load(pbt + off), b1 = v128.load(q + off);
    let x = loadN(a0 + off, t);
    c00 = madd(x, b0, c00); c01 = madd(x, b1, c01);
    x = loadN(a1 + off, t);
    c10 = madd(x, b0, c10); c11 = madd(x, b1, c11);
    x = loadN(a2 + off, t);
    c20 = madd(x, b0, c20); c21 = madd(x, b1, c21);
    x = loadN(a3 + off, t);
    c30 = madd(x, b0, c30); c31 = madd(x, b1, c31);
  }
  const r01 = pairSum(c00, c01, c10, c11), r23 = pairSum(c20, c21, c30, c31);
  finishPair(r01, c, c + ldc, rows - 0, w, addC, bias, act);
  if (rows > 2) finishPair(r23, c + 2 * ldc, c + 3 * ldc, rows - 2, w, addC, bias, act);
}

/** [Σx0, Σy0, Σx1, Σy1]. */
// @ts-ignore: decorator
@inline function pairSum(x0: v128, y0: v128, x1: v128, y1: v128): v128 {
  const p = f32x4.add(i32x4.shuffle(x0, y0, 0, 4, 1, 5), i32x4.shuffle(x0, y0, 2, 6, 3, 7));
  const q = f32x4.add(i32x4.shuffle(x1, y1, 0, 4, 1, 5), i32x4.shuffle(x1, y1, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(p, q, 0, 1, 4, 5), i32x4.shuffle(p, q, 2, 3, 6, 7));
}

/** [p0[0], p0[1], p1[0], p1[1]], the second column only when w = 2. */
// @ts-ignore: decorator
@inline function ld2(p0: usize, p1: usize, w: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p0));
  v = f32x4.replace_lane(v, 2, load<f32>(p1));
  if (w > 1) {
    v = f32x4.replace_lane(v, 1, load<f32>(p0, 4));
    v = f32x4.replace_lane(v, 3, load<f32>(p1, 4));
  }
  return v;
}

/** v = rows (c0, c1) × w columns: (+ C) (+ bias), activation, store the valid rows (nr ≥ 1) and columns. */
function finishPair(v: v128, c0: usize, c1: usize, nr: i32, w: i32, addC: bool, bias: usize, act: i32): void {
  const q1 = nr > 1 ? c1 : c0;
  if (addC) v = f32x4.add(v, ld2(c0, q1, w));
  if (bias) v = f32x4.add(v, ld2(bias, bias, w));
  if (act) v = actv(act, v);
  store<f32>(c0, f32x4.extract_lane(v, 0));
  if (w > 1) store<f32>(c0, f32x4.extract_lane(v, 1), 4);
  if (nr > 1) {
    store<f32>(c1, f32x4.extract_lane(v, 2));
    if (w > 1) store<f32>(c1, f32x4.extract_lane(v, 3), 4);
  }
}
