/**
 * GEMM and Dense with a narrow last column panel (n mod 8 ∈ 1…7, handled by 4×2 dot-product tiles when
 * A is not transposed), against the float64 reference: every remainder width, rows across the 4-row tile
 * and the MC block, k tails (k mod 4) and several KC blocks, a second NC block, all ops, accumulate on/off.
 */
import { describe, test } from 'vitest';
import type { Act } from '../../src/backend/kernels.js';
import { available, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { checkDense, checkGemm } from '../helpers/gemm-checks.js';

const MS = [4, 6, 7, 121, 130];
const NS = [2, 6, 7, 10, 14, 18, 23];
const KS = [1, 2, 3, 6, 300, 515];
const OPS = ['nn', 'tn', 'nt'] as const;

describe.each(KERNEL_SETS)('narrow-n gemm on %s', (name) => {
  test.skipIf(!available(name)).each(OPS.flatMap((op) => KS.flatMap((k) => [0, 1].map((acc) => [op, k, acc] as const))))(
    '%s k=%i accumulate=%i', (op, k, acc) => {
      const K = kernels(name);
      for (const m of MS) for (const n of NS) checkGemm(K, `gemm-narrow:${op}:${m}:${n}:${k}:${acc}`, op, m, n, k, acc === 1);
    });

  test.skipIf(!available(name)).each(OPS)('%s: n = 522 leaves a 10-column second NC block', (op) => {
    checkGemm(kernels(name), `gemm-narrow-nc:${op}`, op, 9, 522, 37, true);
  });
});

describe.each(KERNEL_SETS)('narrow-n dense on %s', (name) => {
  const acts: Act[] = ['linear', 'relu', 'sigmoid', 'tanh'];
  test.skipIf(!available(name)).each(acts)('act=%s with and without bias', (act) => {
    const K = kernels(name);
    for (const [m, n, k] of [[128, 10, 256], [5, 2, 3], [7, 7, 9], [130, 13, 300], [4, 1, 1]]) {
      for (const useBias of [false, true]) checkDense(K, `dense-narrow:${act}:${m}:${n}:${k}:${useBias}`, m, n, k, act, useBias);
    }
  });
});
