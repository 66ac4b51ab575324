/**
 * Few-row GEMM (m < GEMM_PACK_MIN_ROWS, B not transposed): C[i, :] (+)= Σₚ A[i, p]·B[p, :], then the Dense epilogue.
 * Packing B would cost as much as the product itself here, so B rows are streamed in place, 32 columns
 * (8 accumulators) at a time. A element (i, p) at a + i·ra + p·ka (bytes), so 'nn' and 'tn' share it.
 * B k×n row-major, C m×n. Spec: test/reference/gemm.ts (through f32-gemm.ts).
 */
import { loadN, madd, storeN } from '../common/simd';
import { actv } from '../vunary/act-v128';

export function gemvRows(m: i32, n: i32, k: i32, a: usize, ra: usize, ka: usize, b: usize, c: usize,
  accumulate: bool, bias: usize, act: i32): void {
  const ldb = <usize>n << 2, ldc = <usize>n << 2;
  const full = n & ~31;
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * ra, ci = c + <usize>i * ldc;
    let j = 0;
    for (; j < full; j += 32) {
      const jb = <usize>j << 2;
      let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
      let pa = ai, pb = b + jb;
      for (let p = 0; p < k; p++, pa += ka, pb += ldb) {
        const s = v128.load_splat<f32>(pa);
        c0 = madd(s, v128.load(pb), c0); c1 = madd(s, v128.load(pb, 16), c1);
        c2 = madd(s, v128.load(pb, 32), c2); c3 = madd(s, v128.load(pb, 48), c3);
        c4 = madd(s, v128.load(pb, 64), c4); c5 = madd(s, v128.load(pb, 80), c5);
        c6 = madd(s, v128.load(pb, 96), c6); c7 = madd(s, v128.load(pb, 112), c7);
      }
      const cj = ci + jb, bj = bias ? bias + jb : 0;
      finish(cj, c0, 4, accumulate, bj, act); finish(cj + 16, c1, 4, accumulate, bj ? bj + 16 : 0, act);
      finish(cj + 32, c2, 4, accumulate, bj ? bj + 32 : 0, act); finish(cj + 48, c3, 4, accumulate, bj ? bj + 48 : 0, act);
      finish(cj + 64, c4, 4, accumulate, bj ? bj + 64 : 0, act); finish(cj + 80, c5, 4, accumulate, bj ? bj + 80 : 0, act);
      finish(cj + 96, c6, 4, accumulate, bj ? bj + 96 : 0, act); finish(cj + 112, c7, 4, accumulate, bj ? bj + 112 : 0, act);
    }
    // remaining columns, one vector at a time (the last one partial)
    for (; j < n; j += 4) {
      const w = min(4, n - j), jb = <usize>j << 2;
      let acc = f32x4.splat(0), pa = ai, pb = b + jb;
      for (let p = 0; p < k; p++, pa += ka, pb += ldb) acc = madd(v128.load_splat<f32>(pa), loadN(pb, w), acc);
      finish(ci + jb, acc, w, accumulate, bias ? bias + jb : 0, act);
    }
  }
}

/** (+ C) (+ bias), activation, store the first w lanes. */
// @ts-ignore: decorator
@inline function finish(c: usize, v: v128, w: i32, accumulate: bool, bias: usize, act: i32): void {
  if (accumulate) v = f32x4.add(v, loadN(c, w));
  if (bias) v = f32x4.add(v, loadN(bias, w));
  storeN(c, actv(act, v), w);
}
