/**
 * sigmoid near 1: binary cross-entropy takes log(1 − p), so one ulp of p at p = 1 − 1e-6 moves that term by
 * 6 %. The outputs for x ≥ 0 must lie within one ulp of the correctly rounded value, and a confident model's
 * binaryCrossentropy must then agree with TensorFlow.js (whose cpu sigmoid is correctly rounded).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, bw, expectClose, setupBoth, tf } from '../helpers/tfjs.js';

beforeAll(setupBoth);

const N = 4000;
const xs = Float32Array.from({ length: N }, (_, i) => Math.fround((17 * i) / N));

describe.each(BACKENDS)('on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('sigmoid(x) for x in [0, 17] is within one ulp of the correctly rounded value', () => {
    const y = bw.layers.activation({ activation: 'sigmoid' }).apply(bw.tensor(xs, [N, 1])).dataSync();
    let worst = 0;
    xs.forEach((x, i) => {
      const exact = 1 / (1 + Math.exp(-x));
      worst = Math.max(worst, Math.abs(y[i] - exact) / 2 ** -24); // the ulp of [0.5, 1)
    });
    expect(worst).toBeLessThanOrEqual(1);
  });

  test('binaryCrossentropy of confident sigmoid outputs matches TF.js', () => {
    // logits 8..16: p within 1e-7..3e-4 of 1, half of them wrong
    const logits = Float32Array.from({ length: 64 }, (_, i) => 8 + i / 8);
    const targets = Float32Array.from({ length: 64 }, (_, i) => i % 2);
    const m = bw.sequential({ layers: [bw.layers.activation({ activation: 'sigmoid', inputShape: [1] })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const want = tf.tidy(() => tf.metrics.binaryCrossentropy(tf.tensor(targets, [64, 1]), tf.sigmoid(tf.tensor(logits, [64, 1]))).mean().dataSync()[0]);
    expectClose([m.evaluate(bw.tensor(logits, [64, 1]), bw.tensor(targets, [64, 1])).loss], [want], 'loss', 1e-6, 0);
  });
});
