/**
 * GEMM edges of the register tile and blocking that test/kernels/gemm.test.ts does not reach: the tile is
 * 6×8 in the relaxed build and 5×8 in the plain SIMD build (assembly/common/scratch.ts), so m runs over
 * multiples of 5 and 6 and one past them; k = 784 is split into equal KC blocks (4 × 196); m = 250 crosses
 * MC = 120 twice. Dense checks the fused epilogue (bias + activation after the last k block) on those edges.
 * Tolerance as in gemm.test.ts: 2(k + 1)·2⁻²³ relative to Σ|a·b| (+ |C₀|).
 */
import { describe, test } from 'vitest';
import { available, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { checkDense, checkGemm } from '../helpers/gemm-checks.js';

const MS = [5, 6, 7, 10, 11, 12, 15, 18, 19, 30, 31];
const NS = [7, 8, 10, 16, 17];
const OPS = ['nn', 'tn', 'nt'] as const;

describe.each(KERNEL_SETS.filter((s) => s !== 'js'))('gemm tile edges on %s', (name) => {
  test.skipIf(!available(name)).each(OPS.flatMap((op) => [0, 1].map((acc) => [op, acc] as const)))(
    '%s accumulate=%i, m around 5/6-row tiles, k = 9 and 784', (op, acc) => {
      const K = kernels(name);
      for (const k of [9, 784]) {
        for (const m of MS) for (const n of NS) checkGemm(K, `gemm-tile:${op}:${m}:${n}:${k}:${acc}`, op, m, n, k, acc === 1);
      }
    });

  test.skipIf(!available(name)).each(OPS)('%s 250×784×40 crosses MC twice and splits k evenly', (op) => {
    checkGemm(kernels(name), `gemm-tile-large:${op}`, op, 250, 40, 784, true);
  });

  test.skipIf(!available(name))('dense relu/sigmoid with bias on tile edges, k = 784', () => {
    const K = kernels(name), k = 784;
    for (const act of ['relu', 'sigmoid', 'linear'] as const) {
      for (const [m, n] of [[6, 8], [11, 10], [12, 16], [19, 17], [31, 8]]) checkDense(K, `dense-tile:${act}:${m}:${n}`, m, n, k, act, true);
    }
  });
});
