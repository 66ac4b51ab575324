/**
 * GEMM and Dense on every kernel set against the float64 reference, on the tile-edge grid
 * (m, n around the register tile, k across the KC block and vector widths), all ops, accumulate on/off.
 * Tolerance: 2(k + 1)·2⁻²³ relative to Σ|a·b| (+ |C₀|), the float32 dot-product bound.
 */
import { describe, test } from 'vitest';
import type { Act } from '../../src/backend/kernels.js';
import { available, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { checkDense, checkGemm } from '../helpers/gemm-checks.js';

const MS = [1, 3, 4, 5, 8, 9, 13, 17, 64];
const KS = [1, 3, 4, 5, 17, 64, 257];
const OPS = ['nn', 'tn', 'nt'] as const;

describe.each(KERNEL_SETS)('gemm on %s', (name) => {
  test.skipIf(!available(name)).each(OPS.flatMap((op) => KS.flatMap((k) => [0, 1].map((acc) => [op, k, acc] as const))))(
    '%s k=%i accumulate=%i, m, n ∈ {1…64}', (op, k, acc) => {
      const K = kernels(name);
      for (const m of MS) for (const n of MS) checkGemm(K, `gemm:${op}:${m}:${n}:${k}:${acc}`, op, m, n, k, acc === 1);
    });

  test.skipIf(!available(name)).each(OPS)('large %s: 130×520×300 crosses the MC, NC and KC blocks (seed gemm-large)', (op) => {
    checkGemm(kernels(name), `gemm-large:${op}`, op, 130, 520, 300, true);
  });
});

describe.each(KERNEL_SETS)('dense on %s', (name) => {
  const acts: Act[] = ['linear', 'relu', 'sigmoid', 'tanh'];
  test.skipIf(!available(name)).each(acts)('act=%s with and without bias, edge grid', (act) => {
    const K = kernels(name);
    for (const [m, n, k] of [[1, 1, 1], [3, 5, 4], [4, 8, 17], [5, 9, 64], [13, 17, 257], [64, 13, 5], [9, 520, 300]]) {
      for (const useBias of [false, true]) checkDense(K, `dense:${act}:${m}:${n}:${k}:${useBias}`, m, n, k, act, useBias);
    }
  });
});
