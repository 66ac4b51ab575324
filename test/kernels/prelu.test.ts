/**
 * The PReLU kernels (one slope per column) on every kernel set: against the float64 reference on odd shapes
 * with aliasing (y on x, dx on dy), dalpha against finite differences of the float64 forward, NaN and ±Inf,
 * and against TensorFlow.js's tf.prelu and its gradients.
 */
import { describe, expect, test } from 'vitest';
import { available, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import { setupTf, tf } from '../helpers/tfjs.js';
import * as ref from '../reference/prelu.js';

const f = Math.fround;
const SHAPES: Array<[number, number]> = [[1, 1], [3, 1], [1, 3], [13, 5], [7, 4], [2, 257], [257, 3], [64, 13]];

describe.each(KERNEL_SETS)('prelu kernels on %s', (name) => {
  test.skipIf(!available(name)).each(SHAPES)('rows %s cols %s: forward, dx and dalpha vs float64, aliasing', (rows, cols) => {
    const K = kernels(name), n = rows * cols, rng = seeded(`prelu:${rows}:${cols}`);
    const x = Array.from(rng.uniform(n, -3, 3), f), alpha = Array.from(rng.uniform(cols, -0.5, 1.5), f), dy = Array.from(rng.uniform(n), f);
    withHeap((h) => {
      const alias = (rows + cols) % 2 === 1;
      const X = h.put(x), A = h.put(alpha), Y = alias ? h.put(x) : h.out(n);
      K.prelu(rows, cols, alias ? Y : X, A, Y);
      expectClose('y', h.read(Y), ref.prelu(rows, cols, x, alpha), { rtol: 2 ** -23, atol: 0 });
      const want = ref.preluBackward(rows, cols, x, alpha, dy);
      const DY = h.put(dy), DX = alias ? DY : h.out(n), DA = h.out(cols, 123);
      K.preluBackward(rows, cols, X, A, DY, DX, DA);
      expectClose('dx', h.read(DX), want.dx, { rtol: 2 ** -23, atol: 0 });
      // float32 sums over `rows` terms: error a few ulps of Σ|dy·x| per column
      const size = Array.from({ length: cols }, (_, j) => x.reduce((s, v, i) => s + (i % cols === j ? Math.abs(v * dy[i]) : 0), 0));
      expectClose('dalpha', h.read(DA), want.dalpha, { rtol: rows * 2 ** -23, atol: 0, scale: size });
    });
  });

  test.skipIf(!available(name))('dalpha and dx match central finite differences of Σ dy·y (float64 forward)', () => {
    const K = kernels(name), rows = 9, cols = 5, rng = seeded('prelu-fd');
    const x = Array.from(rng.uniform(rows * cols, -3, 3), f).map((v) => (Math.abs(v) < 1e-2 ? 0.5 : v));
    const alpha = Array.from(rng.uniform(cols, 0, 1), f), dy = Array.from(rng.uniform(rows * cols), f), hstep = 1e-5;
    const loss = (xs: number[], a: number[]) => ref.prelu(rows, cols, xs, a).reduce((s, v, i) => s + v * dy[i], 0);
    const fdAlpha = alpha.map((_, j) => {
      const up = alpha.slice(), down = alpha.slice();
      up[j] += hstep; down[j] -= hstep;
      return (loss(x, up) - loss(x, down)) / (2 * hstep);
    });
    const fdX = x.map((_, i) => {
      const up = x.slice(), down = x.slice();
      up[i] += hstep; down[i] -= hstep;
      return (loss(up, alpha) - loss(down, alpha)) / (2 * hstep);
    });
    withHeap((h) => {
      const DX = h.out(rows * cols), DA = h.out(cols);
      K.preluBackward(rows, cols, h.put(x), h.put(alpha), h.put(dy), DX, DA);
      expectClose('dalpha vs finite differences', h.read(DA), fdAlpha, { rtol: 1e-5, atol: 1e-5 });
      expectClose('dx vs finite differences', h.read(DX), fdX, { rtol: 1e-5, atol: 1e-5 });
    });
  });

  test.skipIf(!available(name))('NaN propagates to y, dx and its column of dalpha; ±Inf give the limits', () => {
    const K = kernels(name);
    const x = [NaN, 1, -2, Infinity, -Infinity, 0.5].map(f), alpha = [f(0.25), f(0.5), f(0.1)];
    withHeap((h) => {
      const X = h.put(x), A = h.put(alpha), Y = h.out(6), DX = h.out(6), DA = h.out(3);
      K.prelu(2, 3, X, A, Y);
      const y = h.read(Y);
      expect(Number.isNaN(y[0])).toBe(true);
      expect(Array.from(y.slice(1))).toEqual([1, -2 * f(0.1), Infinity, -Infinity * f(0.5), 0.5].map(f));
      K.preluBackward(2, 3, X, A, h.put([1, 1, 1, 1, 1, 1]), DX, DA);
      const dx = h.read(DX), da = h.read(DA);
      expect(Number.isNaN(dx[0])).toBe(true);
      expect(Array.from(dx.slice(1))).toEqual([1, f(0.1), 1, f(0.5), 1]);
      expect(Number.isNaN(da[0])).toBe(true);
      expect([da[1], da[2]]).toEqual([-Infinity, -2]);
    });
  });
});

describe('prelu kernels against TensorFlow.js', () => {
  test('tf.prelu forward and gradients (x and alpha) match on wasm and js', async () => {
    await setupTf();
    const rows = 17, cols = 6, rng = seeded('prelu-tf');
    const x = Array.from(rng.uniform(rows * cols, -3, 3), f), alpha = Array.from(rng.uniform(cols, -0.5, 1), f);
    const tx = tf.tensor2d(x, [rows, cols]), ta = tf.tensor1d(alpha);
    const y = tf.prelu(tx, ta).dataSync();
    const [gx, ga] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.prelu(a, b).sum())([tx, ta]).map((t) => t.dataSync());
    for (const name of KERNEL_SETS.filter(available)) {
      const K = kernels(name);
      withHeap((h) => {
        const X = h.put(x), A = h.put(alpha), Y = h.out(rows * cols), DX = h.out(rows * cols), DA = h.out(cols);
        K.prelu(rows, cols, X, A, Y);
        expectClose(`${name} y`, h.read(Y), y, { rtol: 1e-6, atol: 1e-7 });
        K.preluBackward(rows, cols, X, A, h.put(x.map(() => 1)), DX, DA);
        expectClose(`${name} dx`, h.read(DX), gx, { rtol: 1e-6, atol: 1e-7 });
        expectClose(`${name} dalpha`, h.read(DA), ga, { rtol: 1e-5, atol: 1e-5 });
      });
    }
  });
});
