/**
 * Dense with weights packed once (packWeights + densePacked, what inference uses for every batch):
 * bitwise equal to dense() on the same kernel set for every column remainder (the dot-product tail and
 * the padded panel), several k blocks, a second column block, m < 4 (which reads W, not the packing),
 * every activation, with and without bias, on 1 and 2 threads; packing writes exactly
 * packedWeightsLength floats (guard zones) and leaves W untouched; and it is right against float64 and
 * agrees with the JS baseline kernel.
 */
import { afterAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';
import type { Act } from '../../src/backend/kernels.js';
import { GEMM_PACK_MIN_ROWS } from '../../src/backend/abi.js';
import { threadPool } from '../../src/backend/runtime.js';
import { MIN_PARALLEL_FLOPS } from '../../src/backend/threads/pool.js';
import { available, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/gemm.js';

afterAll(() => bw.setThreads(2));

// n: remainders 0…7 (1-6 take the dot tail, 7 a padded panel), and a second 512-column block
const SHAPES: Array<[number, number, number]> = [
  [4, 8, 1], [5, 9, 3], [7, 10, 13], [6, 15, 257], [121, 13, 300], [130, 14, 784], [64, 256, 784], [32, 522, 100],
  [33, 7, 1000], [1, 256, 784], [3, 10, 64], [2, 1, 5],
];
const ACTS: Act[] = ['linear', 'relu', 'sigmoid', 'tanh'];

describe.each(KERNEL_SETS)('densePacked on %s', (name) => {
  test.skipIf(!available(name)).each(SHAPES)('m=%i n=%i k=%i: bitwise equal to dense, right against float64', async (m, n, k) => {
    const K = kernels(name);
    const rng = seeded(`packed ${m} ${n} ${k}`);
    const x = rng.uniform(m * k), w = rng.uniform(k * n, -0.5, 0.5), bias = rng.uniform(n);
    for (const threads of name === 'js' ? [1] : [1, 2]) {
      await bw.setThreads(threads);
      const parallelBefore = threadPool()?.parallelCalls ?? 0;
      withHeap((h) => {
        const X = h.put(x), W = h.put(w), Bi = h.put(bias);
        const packed = h.out(K.packedWeightsLength(k, n));
        K.packWeights(k, n, W, packed);
        for (const act of ACTS) {
          for (const b of [Bi, null]) {
            const want = h.out(m * n), got = h.out(m * n);
            K.dense(m, n, k, X, W, b, want, act);
            K.densePacked(m, n, k, X, W, packed, b, got, act);
            const wanted = h.read(want), bad = h.read(got).findIndex((v, i) => !Object.is(v, wanted[i]));
            expect(bad, `act=${act} bias=${b !== null} threads=${threads}: first difference at ${bad}`).toBe(-1);
          }
        }
        const exact = ref.dense(m, n, k, x, w, bias, 'relu');
        const got = h.out(m * n), js = h.out(m * n);
        K.densePacked(m, n, k, X, W, packed, Bi, got, 'relu');
        expectClose(`m=${m} n=${n} k=${k}`, h.read(got), exact.y, { rtol: 2 * (k + 2) * EPS32, scale: exact.mag });
        // and against the JS baseline kernel on the same bytes
        kernels('js').dense(m, n, k, X, W, Bi, js, 'relu');
        expectClose(`m=${m} n=${n} k=${k} vs js`, h.read(got), h.read(js), { rtol: 4 * (k + 2) * EPS32, scale: exact.mag });
        expectClose('W untouched', h.read(W), w, { rtol: 0 });
      }); // withHeap checks the guard zones: packWeights wrote only its packedWeightsLength floats
      const parallel = (threadPool()?.parallelCalls ?? 0) - parallelBefore;
      if (threads === 2 && name !== 'js' && 2 * m * n * k >= MIN_PARALLEL_FLOPS && m >= GEMM_PACK_MIN_ROWS) expect(parallel).toBeGreaterThan(0);
    }
  });
});

test('the WASM packing is a real layout (k blocks of 8-column panels), the JS set packs nothing', () => {
  expect(kernels('js').packedWeightsLength(784, 256)).toBe(0);
  const K = kernels('wasm');
  expect(K.packedWeightsLength(784, 256)).toBe(784 * 256); // 4 k blocks of 196, 32 full panels
  expect(K.packedWeightsLength(13, 10)).toBe(16 * 8 + 2 * 16); // one panel, then 2 dot columns of k rounded to 16
  expect(K.packedWeightsLength(13, 15)).toBe(16 * 16); // 7 left over: a zero-padded second panel, k rounded to 16
});
