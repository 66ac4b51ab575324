/**
 * groupRows (Ghost BN's virtual batches) on every kernel set: the permutation against the float64 reference
 * for rows, groups and widths across the edges (including groups that do not divide the rows), the inverse
 * restoring x exactly, and no write outside y.
 */
import { describe, expect, test } from 'vitest';
import { available, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/ghost.js';

describe.each(KERNEL_SETS)('groupRows on %s', (name) => {
  test.skipIf(!available(name))('forward and inverse over rows × groups × width', () => {
    const K = kernels(name);
    for (const rows of [1, 3, 4, 13, 64]) {
      for (const groups of [1, 2, 3, 5, 13].filter((g) => g <= rows)) {
        for (const width of [1, 3, 4, 13, 257]) {
          const x = seeded(`group:${rows}:${groups}:${width}`).normal(rows * width);
          withHeap((h) => {
            const X = h.put(x), Y = h.out(rows * width), Z = h.out(rows * width);
            K.groupRows(rows, groups, width, X, Y, false);
            expect(Array.from(h.read(Y))).toEqual(Array.from(ref.groupRows(rows, groups, width, x, false)));
            K.groupRows(rows, groups, width, Y, Z, true);
            expect(Array.from(h.read(Z))).toEqual(Array.from(x));
          });
        }
      }
    }
  });

  test('the reference groups as tf.keras does when the group count divides the rows: [V, G] reshaped, row i in group i mod G', () => {
    expect(ref.groups(6, 2)).toEqual([[0, 2, 4], [1, 3, 5]]);
    expect(ref.groups(7, 3)).toEqual([[0, 3, 6], [1, 4], [2, 5]]);
  });
});
