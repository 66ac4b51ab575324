/**
 * sumRows and batchStats on every kernel set against the float64 reference (edge grid), plus the hard
 * numerics: 10000 + N(0, 0.01²) keeps its variance to 1 %, constant columns give exactly 0, one row.
 */
import { describe, expect, test } from 'vitest';
import { available, cartesian, EDGE_SIZES, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/batch-stats.js';

/** Σ|x| per column: the scale of a float32 column sum's rounding error. */
const absSums = (rows: number, cols: number, x: ArrayLike<number>) => ref.sumRows(rows, cols, Array.from(x, Math.abs), null);

describe.each(KERNEL_SETS)('batch statistics on %s', (name) => {
  const grid = cartesian(EDGE_SIZES, EDGE_SIZES);

  test.skipIf(!available(name))('sumRows, rows × cols over the edge grid, accumulate 0 and 1', () => {
    const K = kernels(name);
    for (const [rows, cols] of grid) {
      for (const acc of [false, true]) {
        const rng = seeded(`sumRows:${rows}:${cols}:${acc}`);
        const x = rng.uniform(rows * cols), out0 = rng.uniform(cols);
        withHeap((h) => {
          const X = h.put(x), O = acc ? h.put(out0) : h.out(cols);
          K.sumRows(rows, cols, X, O, acc);
          const scale = absSums(rows, cols, x).map((s, j) => s + Math.abs(out0[j]));
          expectClose(`sumRows ${rows}×${cols} acc=${acc}`, h.read(O), ref.sumRows(rows, cols, x, acc ? out0 : null),
            { rtol: 2 * (rows + 1) * EPS32, scale });
        });
      }
    }
  });

  test.skipIf(!available(name))('batchStats over the edge grid, offset data (seed batchStats:rows:cols)', () => {
    const K = kernels(name);
    for (const [rows, cols] of grid) {
      const x = seeded(`batchStats:${rows}:${cols}`).normal(rows * cols, 3, 2);
      withHeap((h) => {
        const X = h.put(x), M = h.out(cols), V = h.out(cols);
        K.batchStats(rows, cols, X, M, V);
        const want = ref.batchStats(rows, cols, x);
        const scale = absSums(rows, cols, x).map((s) => s / rows);
        expectClose(`mean ${rows}×${cols}`, h.read(M), want.mean, { rtol: 2 * (rows + 1) * EPS32, scale });
        // variance error: rounding of the centred squares, relative to the mean square about the mean
        const vscale = want.variance.map((v, j) => v + (scale[j] * 4 * EPS32) ** 2);
        expectClose(`variance ${rows}×${cols}`, h.read(V), want.variance, { rtol: 4 * (rows + 1) * EPS32, scale: vscale, atol: 1e-30 });
      });
    }
  });

  test.skipIf(!available(name))('10000 + N(0, 0.01²): variance within 1 % of float64 (seed stats-offset)', () => {
    const K = kernels(name), rows = 4096, cols = 7;
    const x = seeded('stats-offset').normal(rows * cols, 10000, 0.01);
    withHeap((h) => {
      const X = h.put(x), M = h.out(cols), V = h.out(cols);
      K.batchStats(rows, cols, X, M, V);
      const want = ref.batchStats(rows, cols, x);
      expectClose('variance', h.read(V), want.variance, { rtol: 0.01 });
      expectClose('mean', h.read(M), want.mean, { rtol: 2 * EPS32 });
    });
  });

  test.skipIf(!available(name))('constant columns: variance exactly 0; one row: variance 0, mean = x', () => {
    const K = kernels(name);
    for (const [rows, cols] of [[1000, 5], [1, 13], [7, 1]]) {
      const x = Float64Array.from({ length: rows * cols }, (_, i) => Math.fround(rows === 1 ? i * 0.37 : 1e4 + (i % cols) * 0.1));
      withHeap((h) => {
        const X = h.put(x), M = h.out(cols), V = h.out(cols);
        K.batchStats(rows, cols, X, M, V);
        expect(Array.from(h.read(V))).toEqual(new Array(cols).fill(0));
        expectClose(`mean ${rows}×${cols}`, h.read(M), x.slice(0, cols), { rtol: EPS32 });
      });
    }
  });
});
