/** The fused L1/L2 penalty on every kernel set: float64 reference, finite differences, TF.js's regularizers, NaN. */
import { describe, expect, test } from 'vitest';
import { available, EDGE_SIZES, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose, expectCloseScalar } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import { setupTf, tf } from '../helpers/tfjs.js';
import * as ref from '../reference/regularize.js';

const f = Math.fround;
const PAIRS = [[f(0.01), 0], [0, f(0.01)], [f(0.003), f(0.02)]] as const;

describe.each(KERNEL_SETS)('regularize on %s', (name) => {
  test.skipIf(!available(name))('penalty and accumulated gradient vs float64; l1, l2, both; sizes 1…5000; zeros keep sign 0', () => {
    const K = kernels(name);
    for (const n of [...EDGE_SIZES, 5000]) {
      for (const [l1, l2] of PAIRS) {
        const rng = seeded(`regularize:${n}:${l1}:${l2}`);
        const w = rng.uniform(n, -2, 2).map((v, i) => (i % 7 === 3 ? 0 : v)), g = rng.uniform(n);
        withHeap((h) => {
          const G = h.put(g);
          const got = K.regularize(n, h.put(w), G, l1, l2);
          const want = ref.regularize(w, g, l1, l2);
          expectCloseScalar(`penalty n=${n} l1=${l1} l2=${l2}`, got, want.penalty, 16 * EPS32);
          expectClose(`g n=${n} l1=${l1} l2=${l2}`, h.read(G), want.g, { rtol: 4 * EPS32, atol: 4 * EPS32 * 0.05 });
        });
      }
    }
  });

  test.skipIf(!available(name))('gradient matches finite differences of the float64 penalty', () => {
    const K = kernels(name), n = 13, l1 = 0.003, l2 = 0.02;
    const w = Array.from(seeded('regularize-fd').uniform(n, -2, 2)).map((v) => (Math.abs(v) < 1e-3 ? 0.5 : v));
    const hstep = 1e-6;
    const fd = w.map((_, i) => {
      const up = w.slice(), down = w.slice();
      up[i] += hstep; down[i] -= hstep;
      return (ref.regularize(up, up, l1, l2).penalty - ref.regularize(down, down, l1, l2).penalty) / (2 * hstep);
    });
    withHeap((h) => {
      const G = h.out(n, 0);
      K.regularize(n, h.put(w), G, l1, l2);
      expectClose('penalty gradient vs finite differences', h.read(G), fd, { rtol: 1e-5, atol: 1e-8 });
    });
  });

  test.skipIf(!available(name))('a NaN weight makes the penalty NaN', () => {
    withHeap((h) => {
      expect(Number.isNaN(kernels(name).regularize(3, h.put([1, NaN, 2]), h.out(3, 0), 0.01, 0.01))).toBe(true);
    });
  });
});

test('penalty and gradient match TF.js regularizers l1, l2, l1l2', async () => {
  await setupTf();
  const w = Array.from(seeded('regularize-tf').uniform(37, -2, 2));
  for (const [l1, l2] of PAIRS) {
    const reg = tf.regularizers.l1l2({ l1, l2 });
    const fn = (x: tf.Tensor) => reg.apply(x) as tf.Scalar;
    const want = fn(tf.tensor1d(w)).dataSync()[0];
    const wantG = tf.grad(fn)(tf.tensor1d(w)).dataSync();
    for (const name of ['wasm', 'js'] as const) {
      withHeap((h) => {
        const G = h.out(w.length, 0);
        expectCloseScalar(`TF.js penalty l1=${l1} l2=${l2} on ${name}`, kernels(name).regularize(w.length, h.put(w), G, l1, l2), want, 1e-5);
        expectClose(`TF.js gradient l1=${l1} l2=${l2} on ${name}`, h.read(G), wantG, { rtol: 1e-5, atol: 1e-7 });
      });
    }
  }
});
