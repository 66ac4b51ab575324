/**
 * Losses on every kernel set: loss and gradient against the float64 reference over the edge grid, the
 * gradients also against central finite differences of the float64 loss, and the clip edges
 * (probabilities below 1e-7 or above 1 − 1e-7 get zero gradient).
 */
import { describe, expect, test } from 'vitest';
import { available, cartesian, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose, expectCloseScalar } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { type Rng, seeded } from '../helpers/rng.js';
import * as ref from '../reference/losses.js';

const SIZES = [1, 3, 4, 5, 13, 64];

/** Soft targets summing to 1 per row (one-hot on odd rows). */
function targets(rng: Rng, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    if (i % 2 === 1) { t[i * cols + Math.floor(rng.next() * cols)] = 1; continue; }
    const u = rng.uniform(cols, 0, 1), s = u.reduce((a, b) => a + b, 0);
    for (let j = 0; j < cols; j++) t[i * cols + j] = Math.fround(u[j] / s);
  }
  return t;
}

function centralDiff(v: Float64Array, f: (p: Float64Array) => number, step: number): Float64Array {
  return Float64Array.from(v, (_, i) => {
    const up = Float64Array.from(v), dn = Float64Array.from(v);
    up[i] += step; dn[i] -= step;
    return (f(up) - f(dn)) / (2 * step);
  });
}

describe.each(KERNEL_SETS)('losses on %s', (name) => {
  const grid = cartesian(SIZES, SIZES);

  test.skipIf(!available(name))('softmax cross-entropy over the grid; dlogits = FD of the mean loss', () => {
    const K = kernels(name);
    for (const [rows, cols] of grid) {
      const rng = seeded(`sxent:${rows}:${cols}`);
      const logits = rng.uniform(rows * cols, -4, 4), t = targets(rng, rows, cols);
      withHeap((h) => {
        const P = h.out(rows * cols), D = h.out(rows * cols);
        const loss = K.softmaxCrossEntropy(rows, cols, h.put(logits), h.put(t), P, D);
        const want = ref.softmaxCrossEntropy(rows, cols, logits, t);
        expectCloseScalar(`loss ${rows}×${cols}`, loss, want.loss, 16 * EPS32);
        expectClose(`probs ${rows}×${cols}`, h.read(P), want.probs, { rtol: 8 * EPS32 });
        expectClose(`dlogits ${rows}×${cols}`, h.read(D), want.dlogits, { rtol: 16 * EPS32, atol: 16 * EPS32 / rows });
        if (rows * cols <= 65) {
          const fd = centralDiff(logits, (p) => ref.softmaxCrossEntropyLoss(rows, cols, p, t) / rows, 1e-6);
          expectClose(`dlogits vs FD ${rows}×${cols}`, h.read(D), fd, { rtol: 1e-4, atol: 1e-6 });
        }
      });
    }
  });

  test.skipIf(!available(name))('cross-entropy on probabilities over the grid; dp = FD of the mean loss', () => {
    const K = kernels(name);
    for (const [rows, cols] of grid) {
      const rng = seeded(`xent:${rows}:${cols}`);
      const p = rng.uniform(rows * cols, 0.01, 1), t = targets(rng, rows, cols);
      withHeap((h) => {
        const D = h.out(rows * cols);
        const loss = K.crossEntropy(rows, cols, h.put(p), h.put(t), D);
        const want = ref.crossEntropy(rows, cols, p, t);
        expectCloseScalar(`loss ${rows}×${cols}`, loss, want.loss, 16 * EPS32);
        const scale = want.dp.map((_, i) => Math.abs(want.dp[i]) + 1 / (rows * p[i]));
        expectClose(`dp ${rows}×${cols}`, h.read(D), want.dp, { rtol: 16 * EPS32, scale });
        if (rows * cols <= 65) {
          const fd = centralDiff(p, (q) => ref.crossEntropyLoss(rows, cols, q, t) / rows, 1e-7);
          expectClose(`dp vs FD ${rows}×${cols}`, h.read(D), fd, { rtol: 1e-4, atol: 1e-5 });
        }
      });
    }
  });

  test.skipIf(!available(name))('binary cross-entropy over the grid; dp = FD of the mean loss', () => {
    const K = kernels(name);
    for (const [rows, cols] of grid) {
      const rng = seeded(`bce:${rows}:${cols}`);
      const p = rng.uniform(rows * cols, 0.02, 0.98), t = Float64Array.from(rng.uniform(rows * cols, 0, 1), (v, i) => (i % 3 === 0 ? Math.round(v) : v));
      withHeap((h) => {
        const D = h.out(rows * cols);
        const loss = K.binaryCrossEntropy(rows, cols, h.put(p), h.put(t), D);
        const want = ref.binaryCrossEntropy(rows, cols, p, t);
        expectCloseScalar(`loss ${rows}×${cols}`, loss, want.loss, 16 * EPS32);
        expectClose(`dp ${rows}×${cols}`, h.read(D), want.dp, { rtol: 16 * EPS32 });
        if (rows * cols <= 65) {
          const fd = centralDiff(p, (q) => ref.binaryCrossEntropyLoss(rows, cols, q, t) / rows, 1e-7);
          expectClose(`dp vs FD ${rows}×${cols}`, h.read(D), fd, { rtol: 1e-4, atol: 1e-5 });
        }
      });
    }
  });

  test.skipIf(!available(name))('mean squared error over the grid', () => {
    const K = kernels(name);
    for (const [rows, cols] of grid) {
      const rng = seeded(`mse:${rows}:${cols}`);
      const p = rng.uniform(rows * cols), t = rng.uniform(rows * cols);
      withHeap((h) => {
        const D = h.out(rows * cols);
        const loss = K.meanSquaredError(rows, cols, h.put(p), h.put(t), D);
        const want = ref.meanSquaredError(rows, cols, p, t);
        expectCloseScalar(`loss ${rows}×${cols}`, loss, want.loss, 16 * EPS32);
        expectClose(`dp ${rows}×${cols}`, h.read(D), want.dp, { rtol: 4 * EPS32, scale: want.dp.map((_, i) => (2 * (Math.abs(p[i]) + Math.abs(t[i]))) / (rows * cols)) });
      });
    }
  });

  test.skipIf(!available(name))('clip edges: p outside (1e-7, 1 − 1e-7) gets zero gradient, finite loss', () => {
    const K = kernels(name);
    // 1 − 6e-8 rounds to 0.99999994: above 1 − 1e-7, below 1
    const p = [0, 1e-9, 0.3, 1, 0.5, 0.2, 1 - 6e-8, 1e-8].map(Math.fround), t = [1, 0, 1, 1, 0, 1, 0, 1];
    withHeap((h) => {
      const D = h.out(8);
      const loss = K.binaryCrossEntropy(2, 4, h.put(p), h.put(t), D);
      const want = ref.binaryCrossEntropy(2, 4, p, t);
      expectCloseScalar('bce loss', loss, want.loss, 16 * EPS32);
      expectClose('bce dp', h.read(D), want.dp, { rtol: 16 * EPS32 });
      expect([0, 1, 3, 6, 7].map((i) => h.read(D)[i])).toEqual([0, 0, 0, 0, 0]);
    });
    // a logit gap of 40 puts the small probabilities far below 1e-7 and the large one above 1 − 1e-7
    const logits = [40, 0, 0, 0, 1, 2].map(Math.fround), t2 = [0, 1, 0, 0.5, 0.25, 0.25];
    withHeap((h) => {
      const P = h.out(6), D = h.out(6);
      const loss = K.softmaxCrossEntropy(2, 3, h.put(logits), h.put(t2), P, D);
      const want = ref.softmaxCrossEntropy(2, 3, logits, t2);
      expectCloseScalar('sxent loss', loss, want.loss, 16 * EPS32);
      // p·S − t cancels when p ≈ t: the error is relative to (p·S + t)/rows ≤ 2/rows
      expectClose('sxent dlogits', h.read(D), want.dlogits, { rtol: 16 * EPS32, atol: 16 * EPS32 / 2 });
      expect(h.read(D).slice(0, 3).every((v) => v === 0)).toBe(true);
    });
  });
});
