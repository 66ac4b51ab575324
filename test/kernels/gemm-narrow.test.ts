/**
 * GEMM and Dense with a narrow last column panel (n mod 8 ∈ 1…7, handled by 4×2 dot-product tiles when
 * A is not transposed), against the float64 reference: every remainder width, rows across the 4-row tile
 * and the MC block, k tails (k mod 4) and several KC blocks, a second NC block, all ops, accumulate on/off.
 */
import { describe, test } from 'vitest';
import type { Act } from '../../src/backend/kernels.js';
import { available, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/gemm.js';

const MS = [4, 6, 7, 121, 130];
const NS = [2, 6, 7, 10, 14, 18, 23];
const KS = [1, 2, 3, 6, 300, 515];
const OPS = ['nn', 'tn', 'nt'] as const;

describe.each(KERNEL_SETS)('narrow-n gemm on %s', (name) => {
  test.skipIf(!available(name)).each(OPS.flatMap((op) => KS.flatMap((k) => [0, 1].map((acc) => [op, k, acc] as const))))(
    '%s k=%i accumulate=%i', (op, k, acc) => {
      const K = kernels(name);
      for (const m of MS) {
        for (const n of NS) {
          const rng = seeded(`gemm-narrow:${op}:${m}:${n}:${k}:${acc}`);
          const a = rng.uniform(m * k), b = rng.uniform(k * n), c0 = rng.uniform(m * n);
          const want = ref.gemm(op, m, n, k, a, b, acc ? c0 : null);
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

  test.skipIf(!available(name)).each(OPS)('%s: n = 522 leaves a 10-column second NC block', (op) => {
    const K = kernels(name), m = 9, n = 522, k = 37;
    const rng = seeded(`gemm-narrow-nc:${op}`);
    const a = rng.uniform(m * k), b = rng.uniform(k * n), c0 = rng.uniform(m * n);
    const want = ref.gemm(op, m, n, k, a, b, c0);
    withHeap((h) => {
      const A = h.put(a), B = h.put(b), C = h.put(c0);
      K.gemm(op, m, n, k, A, B, C, true);
      expectClose(`${op} n=522`, h.read(C), want.c, { rtol: 2 * (k + 1) * EPS32, scale: want.mag });
    });
  });
});

describe.each(KERNEL_SETS)('narrow-n dense on %s', (name) => {
  const acts: Act[] = ['linear', 'relu', 'sigmoid', 'tanh'];
  test.skipIf(!available(name)).each(acts)('act=%s with and without bias', (act) => {
    const K = kernels(name);
    for (const [m, n, k] of [[128, 10, 256], [5, 2, 3], [7, 7, 9], [130, 13, 300], [4, 1, 1]]) {
      for (const useBias of [false, true]) {
        const rng = seeded(`dense-narrow:${act}:${m}:${n}:${k}:${useBias}`);
        const x = rng.uniform(m * k), w = rng.uniform(k * n, -0.5, 0.5), bias = rng.uniform(n);
        withHeap((h) => {
          const X = h.put(x), W = h.put(w), Bi = useBias ? h.put(bias) : null, Y = h.out(m * n);
          K.dense(m, n, k, X, W, Bi, act, Y);
          const want = ref.dense(m, n, k, x, w, useBias ? bias : null, act);
          expectClose(`dense ${act} ${m}×${n}×${k} bias=${useBias}`, h.read(Y), want.y,
            { rtol: 2 * (k + 2) * EPS32, scale: want.mag, atol: 8 * EPS32 * (act === 'sigmoid' || act === 'tanh' ? 1 : 0) });
        });
      }
    }
  });
});
