/** multiply (dropout mask) and transpose on every kernel set against the float64 reference. */
import { describe, test } from 'vitest';
import { available, EDGE_SIZES, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/elementwise.js';

describe.each(KERNEL_SETS)('element-wise and layout on %s', (name) => {
  test.skipIf(!available(name))('multiply, sizes 1…1000, y aliasing x', () => {
    const K = kernels(name);
    for (const n of [...EDGE_SIZES, 1000]) {
      const rng = seeded(`multiply:${n}`);
      const x = rng.uniform(n), mask = Float64Array.from(rng.uniform(n, 0, 1), (u) => (u < 0.3 ? 0 : Math.fround(1 / 0.7)));
      withHeap((h) => {
        const X = h.put(x), Y = n % 2 ? X : h.out(n);
        K.multiply(n, X, h.put(mask), Y);
        expectClose(`multiply n=${n}`, h.read(Y), ref.multiply(x, mask), { rtol: EPS32 });
      });
    }
  });

  test.skipIf(!available(name))('transpose [outer, a, b] → [outer, b, a], a, b over the edge sizes', () => {
    const K = kernels(name);
    for (const outer of [1, 3]) {
      for (const a of EDGE_SIZES) {
        for (const b of EDGE_SIZES) {
          const x = seeded(`transpose:${outer}:${a}:${b}`).uniform(outer * a * b);
          withHeap((h) => {
            const Y = h.out(outer * a * b);
            K.transpose(outer, a, b, h.put(x), Y);
            expectClose(`transpose ${outer}×${a}×${b}`, h.read(Y), ref.transpose(outer, a, b, x), { rtol: 0 });
          });
        }
      }
    }
  });
});
