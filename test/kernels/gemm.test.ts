/**
 * GEMM and Dense on every kernel set against the float64 reference, on the tile-edge grid
 * (m, n around the 4×8 register tile, k across the KC block and vector widths), all ops, accumulate on/off.
 * Tolerance: 2(k + 1)·2⁻²³ relative to Σ|a·b| (+ |C₀|), the float32 dot-product bound.
 */
import { describe, test } from 'vitest';
import type { Act } from '../../src/backend/kernels.js';
import { available, cached, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/gemm.js';

const MS = [1, 3, 4, 5, 8, 9, 13, 17, 64];
const KS = [1, 3, 4, 5, 17, 64, 257];
const OPS = ['nn', 'tn', 'nt'] as const;

describe.each(KERNEL_SETS)('gemm on %s', (name) => {
  test.skipIf(!available(name)).each(OPS.flatMap((op) => KS.flatMap((k) => [0, 1].map((acc) => [op, k, acc] as const))))(
    '%s k=%i accumulate=%i, m, n ∈ {1…64}', (op, k, acc) => {
      const K = kernels(name);
      for (const m of MS) {
        for (const n of MS) {
          const seed = `gemm:${op}:${m}:${n}:${k}:${acc}`;
          const { a, b, c0, want } = cached(seed, () => {
            const rng = seeded(seed);
            const a = rng.uniform(m * k), b = rng.uniform(k * n), c0 = rng.uniform(m * n);
            return { a, b, c0, want: ref.gemm(op, m, n, k, a, b, acc ? c0 : null) };
          });
          withHeap((h) => {
            const A = h.put(a), B = h.put(b), C = acc ? h.put(c0) : h.out(m * n);
            K.gemm(op, m, n, k, A, B, C, acc === 1);
            expectClose(`${op} m=${m} n=${n} k=${k} acc=${acc}`, h.read(C), want.c,
              { rtol: 2 * (k + 1) * EPS32, scale: want.mag, atol: 1e-30 });
            expectClose('A untouched', h.read(A), a, { rtol: 0 });
            expectClose('B untouched', h.read(B), b, { rtol: 0 });
          });
        }
      }
    });

  test.skipIf(!available(name)).each(OPS)('large %s: 130×520×300 crosses the MC, NC and KC blocks (seed gemm-large)', (op) => {
    const K = kernels(name), m = 130, n = 520, k = 300;
    const { a, b, c0, want } = cached(`gemm-large:${op}`, () => {
      const rng = seeded(`gemm-large:${op}`);
      const a = rng.uniform(m * k), b = rng.uniform(k * n), c0 = rng.uniform(m * n);
      return { a, b, c0, want: ref.gemm(op, m, n, k, a, b, c0) };
    });
    {
      withHeap((h) => {
        const A = h.put(a), B = h.put(b), C = h.put(c0);
        K.gemm(op, m, n, k, A, B, C, true);
        expectClose(`${op} large`, h.read(C), want.c, { rtol: 2 * (k + 1) * EPS32, scale: want.mag });
      });
    }
  });
});

describe.each(KERNEL_SETS)('dense on %s', (name) => {
  const acts: Act[] = ['linear', 'relu', 'sigmoid', 'tanh'];
  test.skipIf(!available(name)).each(acts)('act=%s with and without bias, edge grid', (act) => {
    const K = kernels(name);
    for (const [m, n, k] of [[1, 1, 1], [3, 5, 4], [4, 8, 17], [5, 9, 64], [13, 17, 257], [64, 13, 5], [9, 520, 300]]) {
      for (const useBias of [false, true]) {
        const rng = seeded(`dense:${act}:${m}:${n}:${k}:${useBias}`);
        const x = rng.uniform(m * k), w = rng.uniform(k * n, -0.5, 0.5), bias = rng.uniform(n);
        withHeap((h) => {
          const X = h.put(x), W = h.put(w), Bi = useBias ? h.put(bias) : null, Y = h.out(m * n);
          K.dense(m, n, k, X, W, Bi, act, Y);
          const want = ref.dense(m, n, k, x, w, useBias ? bias : null, act);
          // the activation adds its own few ulps on top of the dot-product bound
          expectClose(`dense ${act} ${m}×${n}×${k} bias=${useBias}`, h.read(Y), want.y,
            { rtol: 2 * (k + 2) * EPS32, scale: want.mag, atol: 8 * EPS32 * (act === 'sigmoid' || act === 'tanh' ? 1 : 0) });
        });
      }
    }
  });
});
