/**
 * Activations and their backward on every kernel set against the float64 reference: edge sizes,
 * y aliasing x / dx aliasing dy, and the special values (tiny x keeps its relative accuracy, large |x|
 * saturates without NaN, exp under/overflow, ±Inf, NaN).
 */
import { describe, expect, test } from 'vitest';
import type { Act } from '../../src/backend/kernels.js';
import { available, EDGE_SIZES, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/activation.js';

const ACTS: Act[] = ['linear', 'relu', 'sigmoid', 'tanh'];
/** ulps of float32 allowed for the transcendental activations (the vectorised exp is ≲ 2 ulp). */
const ULPS: Record<Act, number> = { linear: 0, relu: 0, sigmoid: 4, tanh: 4 };
/** below this, float32 results are subnormal and only absolute accuracy makes sense */
const TINY = 2 ** -126;

describe.each(KERNEL_SETS)('activations on %s', (name) => {
  test.skipIf(!available(name)).each(ACTS)('%s forward and backward, sizes 1…1000, aliasing', (act) => {
    const K = kernels(name);
    for (const n of [...EDGE_SIZES, 1000]) {
      const rng = seeded(`act:${act}:${n}`);
      const x = rng.uniform(n, -12, 12), dy = rng.uniform(n);
      withHeap((h) => {
        const alias = n % 2 === 1;
        const X = h.put(x), Y = alias ? X : h.out(n);
        K.activation(n, X, Y, act);
        const y = h.read(Y);
        expectClose(`${act} n=${n}`, y, ref.act(act, x), { rtol: ULPS[act] * EPS32, atol: TINY });
        const DY = h.put(dy), DX = alias ? DY : h.out(n);
        K.activationBackward(n, Y, DY, DX, act);
        // reference on the kernel's own y: only backward's rounding is measured
        expectClose(`${act}' n=${n}`, h.read(DX), ref.actBackward(act, y, dy), { rtol: 4 * EPS32, atol: TINY });
      });
    }
  });

  test.skipIf(!available(name))('special values: tiny, huge, ±Inf, NaN, exp under/overflow', () => {
    const K = kernels(name);
    const xs = [0, -0, 1e-8, -1e-8, 1e-30, 0.3, 0.6249, 0.6251, -0.7, 5, -5, 9, 15, -15, 20, 50, -50, 87, -87, 88.5, 89, 100,
      -100, -104, -150, 1e30, -1e30, Infinity, -Infinity, NaN].map(Math.fround);
    withHeap((h) => {
      const X = h.put(xs), Y = h.out(xs.length);
      for (const act of ['sigmoid', 'tanh'] as const) {
        K.activation(xs.length, X, Y, act);
        const y = h.read(Y), want = ref.act(act, xs);
        expectClose(act, y, want, { rtol: ULPS[act] * EPS32, atol: 2 ** -140 });
        expect(y.slice(0, -1).some(Number.isNaN)).toBe(false);
        expect(Number.isNaN(y[y.length - 1])).toBe(true);
      }
      K.activation(3, X, Y, 'tanh');
      expect(h.read(Y)[2] / Math.fround(1e-8)).toBeCloseTo(1, 6); // tanh(1e-8) ≈ 1e-8, not 0
    });
  });

  test.skipIf(!available(name))('relu maps NaN and −0 like `x > 0 ? x : 0`', () => {
    const K = kernels(name);
    withHeap((h) => {
      const X = h.put([NaN, -0, -1, 2]), Y = h.out(4);
      K.activation(4, X, Y, 'relu');
      expect(Array.from(h.read(Y))).toEqual([0, 0, 0, 2]);
    });
  });
});
