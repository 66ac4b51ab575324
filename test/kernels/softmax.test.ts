/** Row softmax and its backward on every kernel set against the float64 reference (edge grid, aliasing, extremes). */
import { describe, expect, test } from 'vitest';
import { available, cartesian, EDGE_SIZES, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/softmax.js';

describe.each(KERNEL_SETS)('softmax on %s', (name) => {
  test.skipIf(!available(name))('forward and backward over the edge grid, y aliasing x, dz aliasing dy', () => {
    const K = kernels(name);
    for (const [rows, cols] of cartesian(EDGE_SIZES, EDGE_SIZES)) {
      const rng = seeded(`softmax:${rows}:${cols}`);
      const x = rng.uniform(rows * cols, -8, 8), dy = rng.uniform(rows * cols);
      withHeap((h) => {
        const alias = (rows + cols) % 2 === 0;
        const X = h.put(x), Y = alias ? X : h.out(rows * cols);
        K.softmax(rows, cols, X, Y);
        const y = h.read(Y);
        expectClose(`softmax ${rows}×${cols}`, y, ref.softmax(rows, cols, x), { rtol: 8 * EPS32, atol: 2 ** -126 });
        const DY = h.put(dy), DZ = alias ? DY : h.out(rows * cols);
        K.softmaxBackward(rows, cols, Y, DY, DZ);
        // error of Σ y·dy is relative to Σ|y·dy| ≤ max|dy| = 1, then scaled by y
        expectClose(`softmax' ${rows}×${cols}`, h.read(DZ), ref.softmaxBackward(rows, cols, y, dy),
          { rtol: 4 * (cols + 2) * EPS32, scale: y });
      });
    }
  });

  test.skipIf(!available(name))('extremes: huge logits, −Inf, equal rows', () => {
    const K = kernels(name);
    const x = [1000, 0, -1000, 0, 1e30, -1e30, 5, -Infinity, 7, 7, 7, 7].map(Math.fround);
    withHeap((h) => {
      const X = h.put(x), Y = h.out(12);
      K.softmax(3, 4, X, Y);
      const y = h.read(Y);
      expectClose('extremes', y, ref.softmax(3, 4, x), { rtol: 8 * EPS32, atol: 2 ** -126 });
      expect(y.every(Number.isFinite)).toBe(true);
    });
  });
});
