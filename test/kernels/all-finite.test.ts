/** allFinite on every kernel set: sizes over the SIMD blocks and tails, NaN/±Infinity at every position, extremes. */
import { describe, expect, test } from 'vitest';
import { available, EDGE_SIZES, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';

const MAX = 3.4028234663852886e38; // the largest float32: finite, and x − x is still 0

describe.each(KERNEL_SETS)('allFinite on %s', (name) => {
  test.skipIf(!available(name))('finite values (including ±max float32, -0 and subnormals) pass; sizes 0…1000', () => {
    const K = kernels(name);
    for (const n of [0, ...EDGE_SIZES, 16, 17, 63, 64, 65, 1000]) {
      const x = Array.from(seeded(`all-finite:${n}`).uniform(n, -1e30, 1e30));
      if (n > 3) { x[0] = MAX; x[1] = -MAX; x[2] = -0; x[3] = 1e-45; }
      withHeap((h) => expect(K.allFinite(n, h.put(x)), `n=${n}`).toBe(true));
    }
  });

  test.skipIf(!available(name))('one NaN, Infinity or -Infinity anywhere fails, in the SIMD body and the tail', () => {
    const K = kernels(name);
    for (const n of [1, 3, 13, 64, 67, 257]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        for (const at of new Set([0, n >> 1, n - 1])) {
          const x = Array.from(seeded(`all-finite-bad:${n}`).uniform(n));
          x[at] = bad;
          withHeap((h) => expect(K.allFinite(n, h.put(x)), `n=${n} ${bad} at ${at}`).toBe(false));
        }
      }
    }
  });

  test.skipIf(!available(name))('reads exactly n floats: a NaN just past the end is not seen', () => {
    const K = kernels(name);
    for (const n of [0, 1, 13, 16, 257]) {
      const x = [...Array.from(seeded(`all-finite-end:${n}`).uniform(n)), NaN, Infinity];
      withHeap((h) => expect(K.allFinite(n, h.put(x)), `n=${n}`).toBe(true));
    }
  });
});
