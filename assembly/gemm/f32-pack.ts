/**
 * GEMM operand packing into the scratch region (common/scratch.ts).
 * packB: B[pc:pc+kc, jc:jc+nc] → ⌈nc/8⌉ panels, panel q = kc rows of 8 floats (columns 8q…8q+7),
 *        columns past nc zero-filled. B is k×n row-major, or n×k when transB ('nt').
 * packA: A[ic:ic+mc, pc:pc+kc] → ⌈mc/6⌉ panels, panel r = kc groups of 6 floats (rows 6r…6r+5),
 *        rows past mc zero-filled. A is m×k row-major, or k×m when transA ('tn').
 * Byte addresses; reads only inside the given blocks. Spec: test/reference/gemm.ts (through f32-gemm.ts).
 */
import { MR } from '../common/scratch';
import { transpose4x4 } from '../common/simd';

export function packB(transB: bool, n: i32, k: i32, b: usize, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  const zero = f32x4.splat(0);
  for (let j0 = 0; j0 < nc; j0 += 8) {
    const w = min(8, nc - j0);
    let d = dst + (<usize>(j0 * kc) << 2);
    if (!transB) {
      const ld = <usize>n << 2;
      let s = b + ((<usize>pc * n + jc + j0) << 2);
      if (w == 8) {
        for (let p = 0; p < kc; p++, s += ld, d += 32) {
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
        }
      } else {
        for (let p = 0; p < kc; p++, s += ld, d += 32) {
          v128.store(d, zero);
          v128.store(d, zero, 16);
          for (let jj = 0; jj < w; jj++) store<f32>(d + (jj << 2), load<f32>(s + (jj << 2)));
        }
      }
    } else {
      // panel column jj is row jc + j0 + jj of B, contiguous along k
      const ld = <usize>k << 2;
      const s = b + ((<usize>(jc + j0) * k + pc) << 2);
      let p = 0;
      if (w == 8) {
        for (; p + 4 <= kc; p += 4) {
          const sp = s + (<usize>p << 2), dp = d + (<usize>p << 5);
          transpose4x4(sp, ld, dp, 32);
          transpose4x4(sp + 4 * ld, ld, dp + 16, 32);
        }
      }
      for (; p < kc; p++) {
        const dp = d + (<usize>p << 5);
        v128.store(dp, zero);
        v128.store(dp, zero, 16);
        for (let jj = 0; jj < w; jj++) store<f32>(dp + (jj << 2), load<f32>(s + <usize>jj * ld + (<usize>p << 2)));
      }
    }
  }
}

export function packA(transA: bool, m: i32, k: i32, a: usize, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  const zero = f32x4.splat(0);
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const h = min(MR, mc - i0);
    const d = dst + <usize>(i0 * kc) * 4;
    if (transA) {
      // A[i, p] = a[p·m + i]: the 6 rows of a panel are contiguous at each p
      const ld = <usize>m << 2;
      let s = a + ((<usize>pc * m + ic + i0) << 2), dp = d;
      if (h == MR) {
        for (let p = 0; p < kc; p++, s += ld, dp += MR * 4) {
          v128.store(dp, v128.load(s));
          if (MR == 6) store<u64>(dp, load<u64>(s, 16), 16);
          else store<f32>(dp, load<f32>(s, 16), 16);
        }
      } else {
        for (let p = 0; p < kc; p++, s += ld, dp += MR * 4) {
          v128.store(dp, zero);
          if (MR == 6) store<u64>(dp, 0, 16); else store<f32>(dp, 0, 16);
          for (let ii = 0; ii < h; ii++) store<f32>(dp + (ii << 2), load<f32>(s + (ii << 2)));
        }
      }
    } else {
      const ld = <usize>k << 2;
      const s = a + ((<usize>(ic + i0) * k + pc) << 2);
      let p = 0;
      if (h == MR) {
        // rows 0–3 by a 4×4 transpose, rows 4–5 interleaved: (r4[p], r5[p]) pairs for 4 values of p
        for (; p + 4 <= kc; p += 4) {
          const sp = s + (<usize>p << 2), dp = d + <usize>p * (MR * 4);
          transpose4x4(sp, ld, dp, MR * 4);
          if (MR == 6) {
            const r4 = v128.load(sp + 4 * ld), r5 = v128.load(sp + 5 * ld);
            const lo = i32x4.shuffle(r4, r5, 0, 4, 1, 5), hi = i32x4.shuffle(r4, r5, 2, 6, 3, 7);
            v128.store_lane<u64>(dp, lo, 0, 16);
            v128.store_lane<u64>(dp, lo, 1, 16 + 24);
            v128.store_lane<u64>(dp, hi, 0, 16 + 48);
            v128.store_lane<u64>(dp, hi, 1, 16 + 72);
          } else {
            const r4 = v128.load(sp + 4 * ld);
            v128.store_lane<f32>(dp, r4, 0, 16);
            v128.store_lane<f32>(dp, r4, 1, 16 + 20);
            v128.store_lane<f32>(dp, r4, 2, 16 + 40);
            v128.store_lane<f32>(dp, r4, 3, 16 + 60);
          }
        }
      }
      for (; p < kc; p++) {
        const dp = d + <usize>p * (MR * 4);
        v128.store(dp, zero);
        if (MR == 6) store<u64>(dp, 0, 16); else store<f32>(dp, 0, 16);
        for (let ii = 0; ii < h; ii++) store<f32>(dp + (ii << 2), load<f32>(s + <usize>ii * ld + (<usize>p << 2)));
      }
    }
  }
}
