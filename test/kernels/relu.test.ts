/**
 * The three-parameter ReLU kernel (ReLU and ThresholdedReLU layers) on every kernel set: against the float64
 * reference (Keras's composition) on edge sizes with aliasing, the backward against central finite differences,
 * special values (±Inf, NaN, values on the kinks), and against TensorFlow.js's ops for the cases TF.js has.
 */
import { describe, expect, test } from 'vitest';
import { available, EDGE_SIZES, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import { setupTf, tf } from '../helpers/tfjs.js';
import * as ref from '../reference/relu.js';

const f = Math.fround;
/** [maxValue, negativeSlope, threshold]: plain, capped (relu6), leaky, thresholded, all three, cap below threshold */
const CASES: Array<[number, number, number]> = [
  [Infinity, 0, 0], [6, 0, 0], [Infinity, f(0.3), 0], [Infinity, 0, 1], [f(2.5), f(0.1), f(0.5)], [f(0.5), f(0.2), 1],
];

describe.each(KERNEL_SETS)('relu kernel on %s', (name) => {
  test.skipIf(!available(name)).each(CASES)('max %s slope %s threshold %s: forward and backward vs float64, sizes 1…1000, aliasing', (max, slope, thr) => {
    const K = kernels(name);
    for (const n of [...EDGE_SIZES, 1000]) {
      const rng = seeded(`relu:${max}:${slope}:${thr}:${n}`);
      const x = Array.from(rng.uniform(n, -8, 8), f), dy = rng.uniform(n);
      withHeap((h) => {
        const alias = n % 2 === 1;
        const X = h.put(x), Y = alias ? h.put(x) : h.out(n);
        K.relu(n, alias ? Y : X, Y, max, slope, thr);
        // one rounding of slope·(x − thr)
        expectClose(`relu n=${n}`, h.read(Y), ref.relu(x, max, slope, thr), { rtol: 2 ** -22, atol: 0 });
        const DY = h.put(dy), DX = alias ? DY : h.out(n);
        K.reluBackward(n, X, DY, DX, max, slope, thr);
        expectClose(`relu' n=${n}`, h.read(DX), ref.reluBackward(x, Array.from(dy, f), max, slope, thr), { rtol: 2 ** -23, atol: 0 });
      });
    }
  });

  test.skipIf(!available(name)).each(CASES)('max %s slope %s threshold %s: backward matches finite differences away from the kinks', (max, slope, thr) => {
    const K = kernels(name), hstep = 1e-4;
    const x = Array.from(seeded(`relu-fd:${max}:${slope}`).uniform(257, -8, 8), f)
      .filter((v) => Math.abs(v - thr) > 1e-3 && Math.abs(v - max) > 1e-3);
    const fd = x.map((v) => (ref.reluAt(v + hstep, max, slope, thr) - ref.reluAt(v - hstep, max, slope, thr)) / (2 * hstep));
    withHeap((h) => {
      const DX = h.out(x.length);
      K.reluBackward(x.length, h.put(x), h.put(x.map(() => 1)), DX, max, slope, thr);
      expectClose('relu\' vs finite differences', h.read(DX), fd, { rtol: 1e-6, atol: 1e-6 });
    });
  });

  test.skipIf(!available(name))('special values: ±Inf give the limits, the kinks take the documented side, NaN propagates', () => {
    const K = kernels(name);
    const xs = [0, -0, 0.5, 1, 2.5, 3, -1e30, 1e30, Infinity, -Infinity, NaN].map(f);
    for (const [max, slope, thr] of [[Infinity, 0, 0], [f(2.5), f(0.1), f(0.5)], [Infinity, 0, 1]] as Array<[number, number, number]>) {
      withHeap((h) => {
        const X = h.put(xs), Y = h.out(xs.length), DX = h.out(xs.length);
        K.relu(xs.length, X, Y, max, slope, thr);
        const y = h.read(Y);
        expectClose(`relu(${max}, ${slope}, ${thr}) special`, y, ref.relu(xs, max, slope, thr), { rtol: 2 ** -22, atol: 0 });
        expect(y.slice(0, -1).some(Number.isNaN), 'NaN only from NaN').toBe(false);
        expect(Number.isNaN(y[y.length - 1]), 'relu(NaN)').toBe(true);
        K.reluBackward(xs.length, X, h.put(xs.map(() => 1)), DX, max, slope, thr);
        const d = h.read(DX);
        expect(Array.from(d.slice(0, -1))).toEqual(ref.reluBackward(xs, xs.map(() => 1), max, slope, thr).slice(0, -1).map(f));
        expect(Number.isNaN(d[d.length - 1]), 'relu\'(NaN)').toBe(true);
      });
    }
    // −∞ with no slope is 0, not 0·(−∞)
    withHeap((h) => {
      const Y = h.out(1);
      K.relu(1, h.put([-Infinity]), Y, Infinity, 0, 0);
      expect(h.read(Y)[0]).toBe(0);
    });
  });
});

describe('relu kernel against TensorFlow.js', () => {
  const tfCases: Array<[string, number, number, number, (t: tf.Tensor) => tf.Tensor]> = [
    ['relu', Infinity, 0, 0, (t) => tf.relu(t)],
    ['clipped at 2.5 (tf.layers.reLU({ maxValue: 2.5 }))', f(2.5), 0, 0, (t) => tf.clipByValue(tf.relu(t), 0, 2.5)],
    ['leaky 0.3', Infinity, f(0.3), 0, (t) => tf.leakyRelu(t, f(0.3))],
    // tf.layers.thresholdedReLU's x·cast(x > θ): TF.js has no gradient for Greater, so the mask is taken as a constant
    ['thresholded at 1 (tf.layers.thresholdedReLU)', Infinity, 0, 1, (t) => tf.mul(t, tf.cast(tf.greater(tf.tensor(t.dataSync(), t.shape), 1), 'float32'))],
  ];
  test.each(tfCases)('%s: forward and gradient match TF.js (wasm and js)', async (_label, max, slope, thr, fn) => {
    await setupTf();
    const x = Array.from(seeded(`relu-tf:${max}:${slope}:${thr}`).uniform(257, -6, 6));
    const y = fn(tf.tensor1d(x)).dataSync();
    const d = tf.grad((t: tf.Tensor) => fn(t).sum())(tf.tensor1d(x)).dataSync();
    for (const name of KERNEL_SETS.filter(available)) {
      const K = kernels(name);
      withHeap((h) => {
        const X = h.put(x), Y = h.out(x.length), DX = h.out(x.length);
        K.relu(x.length, X, Y, max, slope, thr);
        expectClose(`${name} forward`, h.read(Y), y, { rtol: 1e-6, atol: 1e-7 });
        K.reluBackward(x.length, X, h.put(x.map(() => 1)), DX, max, slope, thr);
        expectClose(`${name} gradient`, h.read(DX), d, { rtol: 1e-6, atol: 1e-7 });
      });
    }
  });
});
