/** SGD (plain, momentum, nesterov) and Adam on every kernel set against the float64 reference. */
import { describe, test } from 'vitest';
import { available, EDGE_SIZES, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/optimizers.js';

const f = Math.fround;

describe.each(KERNEL_SETS)('optimizers on %s', (name) => {
  test.skipIf(!available(name))('sgd: momentum 0 (v null), momentum, nesterov; sizes 1…257', () => {
    const K = kernels(name);
    for (const n of EDGE_SIZES) {
      for (const [momentum, nesterov, useV] of [[0, false, false], [f(0.9), false, true], [f(0.9), true, true], [0, false, true]] as const) {
        const rng = seeded(`sgd:${n}:${momentum}:${nesterov}:${useV}`);
        const w = rng.uniform(n), g = rng.uniform(n), v = rng.uniform(n, -0.1, 0.1), lr = f(0.01);
        withHeap((h) => {
          const W = h.put(w), V = useV ? h.put(v) : null;
          K.sgd(n, h.put(g), W, V, lr, momentum, nesterov);
          const want = ref.sgd(w, g, useV ? v : null, lr, momentum, nesterov);
          const label = `sgd n=${n} momentum=${momentum} nesterov=${nesterov}`;
          expectClose(`${label} w`, h.read(W), want.w, { rtol: 4 * EPS32, atol: 4 * EPS32 * 0.01 });
          if (V && momentum !== 0) expectClose(`${label} v`, h.read(V), want.v!, { rtol: 4 * EPS32, atol: 4 * EPS32 * 0.01 });
          if (V && momentum === 0) expectClose(`${label} v untouched`, h.read(V), v, { rtol: 0 });
        });
      }
    }
  });

  test.skipIf(!available(name))('adam: sizes 1…257, early and late bias corrections', () => {
    const K = kernels(name);
    for (const n of EDGE_SIZES) {
      for (const step of [1, 1000]) {
        const rng = seeded(`adam:${n}:${step}`);
        const w = rng.uniform(n), g = rng.uniform(n), m = rng.uniform(n, -0.1, 0.1), v = rng.uniform(n, 0, 0.01);
        const lr = f(0.001), b1 = f(0.9), b2 = f(0.999), eps = f(1e-7);
        const bc1 = f(1 - b1 ** step), bc2 = f(1 - b2 ** step);
        withHeap((h) => {
          const W = h.put(w), M = h.put(m), V = h.put(v);
          K.adam(n, h.put(g), W, M, V, lr, b1, b2, eps, bc1, bc2);
          const want = ref.adam(w, g, m, v, lr, b1, b2, eps, bc1, bc2);
          // m = β1·m + (1 − β1)·g may cancel: its error is relative to the size of the two terms
          const mScale = m.map((mi, i) => b1 * Math.abs(mi) + (1 - b1) * Math.abs(g[i]));
          expectClose(`adam n=${n} t=${step} m`, h.read(M), want.m, { rtol: 4 * EPS32, scale: mScale });
          expectClose(`adam n=${n} t=${step} v`, h.read(V), want.v, { rtol: 8 * EPS32, atol: 1e-12 });
          // the step lr·m̂/(√v̂ + eps) is at most ~lr·(a few); its relative error ~10 ulp
          expectClose(`adam n=${n} t=${step} w`, h.read(W), want.w, { rtol: 2 * EPS32, atol: 16 * EPS32 * lr * 10 });
        });
      }
    }
  });
});
