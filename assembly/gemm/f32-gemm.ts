/**
 * f32_gemm: C = op(A, B) (+ C).  GEMM_NN: A m×k, B k×n · GEMM_TN: A stored k×m · GEMM_NT: B stored n×k.
 * f32_dense: Y = act(X·W + bias), X m×k, W k×n, bias n or 0; the epilogue runs after the last k block only.
 * f32_dense_packed: the same with W packed once by f32_pack_b (inference reuses it for every batch).
 * Row-major, byte addresses, any m, n, k ≥ 1 (k = 0 gives C = accumulate ? C : 0, then the epilogue).
 * Blocking (BLIS order): n by NC, k by KC (B block packed once per (jc, pc)), m by MC (A block packed),
 * then 8-column panels × MR-row panels into the MR×8 register tile (6×8 with relaxed FMA, 5×8 without:
 * common/scratch.ts); m < GEMM_PACK_MIN_ROWS (src/backend/abi.ts) with B not transposed streams B
 * instead (f32-gemv.ts). k is split into equal blocks of at most KC (784 → 4 × 196, not 3 × 256 + 16). C must not alias A or B.
 * Must match test/reference/gemm.ts.
 */
import { GEMM_NN, GEMM_NT, GEMM_PACK_MIN_ROWS, GEMM_TN } from '../../src/backend/abi';
import { KC, MC, MR, NC, NR, PACK_B_BYTES, scratchBase } from '../common/scratch';
import { loadN, storeN } from '../common/simd';
import { actv } from '../vunary/act-v128';
import { gemm5x8, gemm6x8 } from './f32-gemm-6x8';

// @ts-ignore: decorator
@inline function tile(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, rows: i32, cols: i32, addC: bool, bias: usize, act: i32): void {
  if (MR == 6) gemm6x8(kc, pa, pb, c, ldc, rows, cols, addC, bias, act);
  else gemm5x8(kc, pa, pb, c, ldc, rows, cols, addC, bias, act);
}
import { DOT_MAX, dot4x2, packBT } from './f32-gemm-dot';
import { gemvRows } from './f32-gemv';
import { packA, packB } from './f32-pack';

export function f32_gemm(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, op: i32, accumulate: i32): void {
  gemm(op, m, n, k, a, b, c, accumulate != 0, 0, 0, 0, m, 0, n, 0);
}

export function f32_dense(m: i32, n: i32, k: i32, x: usize, w: usize, bias: usize, y: usize, act: i32): void {
  gemm(GEMM_NN, m, n, k, x, w, y, false, bias, act, 0, m, 0, n, 0);
}

/**
 * Weights packed once for many f32_dense_packed calls (inference: the same W for every batch). The
 * layout is this file's: per k block, the 8-column panels of all n columns, then the narrow remainder
 * (packBT), i.e. exactly what the driver would pack per (column block, k block), concatenated.
 */
export function f32_packed_b_length(k: i32, n: i32): i32 {
  if (n <= 0 || k <= 0) return 0;
  const kstep = kStep(k);
  return ((k + kstep - 1) / kstep) * packedBlockFloats(n, kstep);
}

/** W (k×n) → packed (f32_packed_b_length(k, n) floats). */
export function f32_pack_b(k: i32, n: i32, w: usize, packed: usize): void {
  if (n <= 0 || k <= 0) return;
  const kstep = kStep(k), dotCols = narrowCols(n), nfull = n - dotCols, block = <usize>packedBlockFloats(n, kstep) << 2;
  for (let pc = 0; pc < k; pc += kstep, packed += block) {
    const kc = min(kstep, k - pc);
    packB(false, n, k, w, pc, kc, 0, nfull, packed);
    if (dotCols) packBT(false, n, k, w, pc, kc, nfull, dotCols, (kc + 3) & ~3, packed + (<usize>(nfull * kc) << 2));
  }
}

/** f32_dense with W already packed by f32_pack_b; w itself is still read below GEMM_PACK_MIN_ROWS rows (the gemv path). */
export function f32_dense_packed(m: i32, n: i32, k: i32, x: usize, w: usize, packed: usize, bias: usize, y: usize, act: i32): void {
  gemm(GEMM_NN, m, n, k, x, w, y, false, bias, act, 0, m, 0, n, packed);
}

/** k block size: equal blocks of at most KC, a multiple of 4 where possible (packing transposes 4 k at a time). */
// @ts-ignore: decorator
@inline function kStep(k: i32): i32 {
  const kb = (k + KC - 1) / KC;
  return min(KC, (((k + kb - 1) / kb) + 3) & ~3);
}

/** The last n mod 8 columns, when few enough for dot4x2 (A not transposed); else 0 (a padded panel). */
// @ts-ignore: decorator
@inline function narrowCols(n: i32): i32 {
  const rem = n & (NR - 1);
  return rem <= DOT_MAX ? rem : 0;
}

/** Floats of one packed k block of a k×n W (the full kstep; the last block may use fewer). */
function packedBlockFloats(n: i32, kstep: i32): i32 {
  const dotCols = narrowCols(n), nfull = n - dotCols;
  return ((nfull + NR - 1) & ~(NR - 1)) * kstep + ((dotCols + 1) & ~1) * ((kstep + 3) & ~3);
}

/**
 * One thread's share of f32_gemm / f32_dense: only C[i0:i1, j0:j1], j0 and (unless j1 = n) j1 multiples
 * of 8. Each element is then computed with the same arithmetic in the same k order as in the whole call
 * (rows are independent lanes of the tile; the < 8 leftover columns stay in the last share), so
 * threaded results are bitwise equal to single-threaded ones. Not for m < GEMM_PACK_MIN_ROWS with op ≠ 'nt'
 * (the gemv path computes all of C; the host never splits those). bias, packed: 0 or as in f32_dense_packed.
 */
export function f32_gemm_part(m: i32, n: i32, k: i32, i0: i32, i1: i32, j0: i32, j1: i32, a: usize, b: usize,
  bias: usize, packed: usize, c: usize, op: i32, accumulate: i32, act: i32): void {
  gemm(op, m, n, k, a, b, c, accumulate != 0, bias, act, i0, i1, j0, j1, packed);
}

/** packed: B pre-packed by f32_pack_b (op 'nn' only), or 0 to pack B here per block. */
function gemm(op: i32, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, accumulate: bool,
  bias: usize, act: i32, i0: i32, i1: i32, j0: i32, j1: i32, packed: usize): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) { epilogueOnly(n, c, accumulate, bias, act, i0, i1, j0, j1); return; }
  const transA = op == GEMM_TN, transB = op == GEMM_NT;
  if (m < GEMM_PACK_MIN_ROWS && !transB) {
    // a vector-matrix product: stream B instead of packing it
    gemvRows(m, n, k, a, transA ? 4 : <usize>k << 2, transA ? <usize>m << 2 : 4, b, c, accumulate, bias, act);
    return;
  }
  const scratch = scratchBase(), pa = scratch + PACK_B_BYTES;
  const ldc = <usize>n << 2;
  const kstep = kStep(k), packedBlock = packed ? <usize>packedBlockFloats(n, kstep) << 2 : 0;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    // a narrow last panel (A not transposed) goes to dot4x2 instead of a zero-padded 8-wide tile
    const rem = nc & (NR - 1), dotCols = !transA && rem <= DOT_MAX ? rem : 0, nfull = nc - dotCols;
    for (let pc = 0, block: usize = packed; pc < k; pc += kstep, block += packedBlock) {
      const kc = min(kstep, k - pc), kc4 = (kc + 3) & ~3;
      // this (column block, k block) of packed B: in the pre-packed weights, or packed now
      const pb = packed ? block + (<usize>(jc * kc) << 2) : scratch;
      const pbt = pb + (<usize>(nfull * kc) << 2);
      if (!packed) {
        packB(transB, n, k, b, pc, kc, jc, nfull, pb);
        if (dotCols) packBT(transB, n, k, b, pc, kc, jc + nfull, dotCols, kc4, pbt);
      }
      const addC = accumulate || pc > 0, last = pc + kc >= k;
      const tileAct = last ? act : 0;
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        if (dotCols) {
          const lda = <usize>k << 2;
          for (let jp = 0; jp < dotCols; jp += 2) {
            const col = jc + nfull + jp, w = min(2, dotCols - jp);
            const pbp = pbt + (<usize>(jp * kc4) << 2);
            const tileBias = last && bias ? bias + (<usize>col << 2) : 0;
            for (let i = 0; i < mc; i += 4) {
              dot4x2(kc, a + ((<usize>(ic + i) * k + pc) << 2), lda, min(4, mc - i), pbp, kc4,
                c + <usize>(ic + i) * ldc + (<usize>col << 2), ldc, w, addC, tileBias, tileAct);
            }
          }
          if (!nfull) continue;
        }
        packA(transA, m, k, a, ic, mc, pc, kc, pa);
        for (let jr = 0; jr < nfull; jr += NR) {
          const cols = min(NR, nfull - jr);
          const pbj = pb + (<usize>(jr * kc) << 2);
          const tileBias = last && bias ? bias + (<usize>(jc + jr) << 2) : 0;
          let cij = c + <usize>(ic) * ldc + (<usize>(jc + jr) << 2);
          for (let ir = 0; ir < mc; ir += MR, cij += ldc * MR) {
            const rows = min(MR, mc - ir);
            // two call sites keep the tile out of line: inlined into this loop nest, V8 spills its accumulators
            if (rows == MR && cols == NR) tile(kc, pa + (<usize>(ir * kc) << 2), pbj, cij, ldc, MR, NR, addC, tileBias, tileAct);
            else tile(kc, pa + (<usize>(ir * kc) << 2), pbj, cij, ldc, rows, cols, addC, tileBias, tileAct);
          }
        }
      }
    }
  }
}

/** k = 0: C[i0:i1, j0:j1] = (accumulate ? C : 0) + bias, then act. */
function epilogueOnly(n: i32, c: usize, accumulate: bool, bias: usize, act: i32, i0: i32, i1: i32, j0: i32, j1: i32): void {
  for (let i = i0; i < i1; i++) {
    for (let j = j0; j < j1; j += 4) {
      const w = min(4, j1 - j), p = c + ((<usize>i * n + j) << 2);
      let v = accumulate ? loadN(p, w) : f32x4.splat(0);
      if (bias) v = f32x4.add(v, loadN(bias + (<usize>j << 2), w));
      storeN(p, actv(act, v), w);
    }
  }
}
