/**
 * GEMM edges of the register tile and blocking that test/kernels/gemm.test.ts does not reach: the tile is
 * 6×8 in the relaxed build and 5×8 in the plain SIMD build (assembly/common/scratch.ts), so m runs over
 * multiples of 5 and 6 and one past them; k = 784 is split into equal KC blocks (4 × 196); m = 250 crosses
 * MC = 120 twice. Dense checks the fused epilogue (bias + activation after the last k block) on those edges.
 * Tolerance as in gemm.test.ts: 2(k + 1)·2⁻²³ relative to Σ|a·b| (+ |C₀|).
 */
import { describe, test } from 'vitest';
import { available, cached, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/gemm.js';

const MS = [5, 6, 7, 10, 11, 12, 15, 18, 19, 30, 31];
const NS = [7, 8, 10, 16, 17];
const OPS = ['nn', 'tn', 'nt'] as const;

describe.each(KERNEL_SETS.filter((s) => s !== 'js'))('gemm tile edges on %s', (name) => {
  test.skipIf(!available(name)).each(OPS.flatMap((op) => [0, 1].map((acc) => [op, acc] as const)))(
    '%s accumulate=%i, m around 5/6-row tiles, k = 9 and 784', (op, acc) => {
      const K = kernels(name);
      for (const k of [9, 784]) {
        for (const m of MS) {
          for (const n of NS) {
            const seed = `gemm-tile:${op}:${m}:${n}:${k}:${acc}`;
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
            });
          }
        }
      }
    });

  test.skipIf(!available(name)).each(OPS)('%s 250×784×40 crosses MC twice and splits k evenly', (op) => {
    const K = kernels(name), m = 250, n = 40, k = 784;
    const rng = seeded(`gemm-tile-large:${op}`);
    const a = rng.uniform(m * k), b = rng.uniform(k * n), c0 = rng.uniform(m * n);
    const want = ref.gemm(op, m, n, k, a, b, c0);
    withHeap((h) => {
      const A = h.put(a), B = h.put(b), C = h.put(c0);
      K.gemm(op, m, n, k, A, B, C, true);
      expectClose(`${op} 250×784×40`, h.read(C), want.c, { rtol: 2 * (k + 1) * EPS32, scale: want.mag });
    });
  });

  test.skipIf(!available(name))('dense relu/sigmoid with bias on tile edges, k = 784', () => {
    const K = kernels(name), k = 784;
    for (const act of ['relu', 'sigmoid', 'linear'] as const) {
      for (const [m, n] of [[6, 8], [11, 10], [12, 16], [19, 17], [31, 8]]) {
        const rng = seeded(`dense-tile:${act}:${m}:${n}`);
        const x = rng.uniform(m * k), w = rng.uniform(k * n, -0.5, 0.5), bias = rng.uniform(n);
        withHeap((h) => {
          const X = h.put(x), W = h.put(w), Bi = h.put(bias), Y = h.out(m * n);
          K.dense(m, n, k, X, W, Bi, act, Y);
          const want = ref.dense(m, n, k, x, w, bias, act);
          expectClose(`dense ${act} ${m}×${n}×${k}`, h.read(Y), want.y,
            { rtol: 2 * (k + 2) * EPS32, scale: want.mag, atol: 8 * EPS32 * (act === 'sigmoid' ? 1 : 0) });
        });
      }
    }
  });
});
