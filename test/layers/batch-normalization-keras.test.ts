/**
 * Keras BatchNormalization semantics that TF.js 4.22 gets wrong or cannot run, so the expectation here is a
 * float64 reference written in this file (not TF.js):
 * - trainable: false inside fit: Keras runs the layer in inference mode and changes nothing; TF.js still
 *   normalizes with batch statistics and updates the moving statistics.
 * - center: false / scale: false in training: TF.js crashes (tensorflow/tfjs#2868).
 * - a training batch of one row: variance 0, the output is beta (Keras); TF.js is not checked here.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as bnRef from '../reference/bnorm.js';
import {
  BACKENDS, bw, expectClose, randn, setupBoth, tf, tfTrainOnBatch,
} from '../helpers/tfjs.js';

beforeAll(setupBoth);

const f64 = (a: ArrayLike<number>) => Float64Array.from(a as ArrayLike<number>);

/** C = A·B for row-major float64 matrices (A n×k, B k×m). */
function matmul(a: ArrayLike<number>, b: ArrayLike<number>, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let p = 0; p < k; p++) for (let j = 0; j < m; j++) c[i * m + j] += a[i * k + p] * b[p * m + j];
  return c;
}
const transpose = (a: ArrayLike<number>, n: number, m: number) => {
  const t = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = a[i * m + j];
  return t;
};
const colSums = (a: ArrayLike<number>, n: number, m: number) => {
  const s = new Float64Array(m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) s[j] += a[i * m + j];
  return s;
};

describe.each(BACKENDS)('Keras BatchNormalization semantics on the %s backend (float64 references)', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  describe.each([
    ['trainable: false at construction', true],
    ['layer.trainable = false after compile', false],
  ] as const)('frozen BN inside fit (%s)', (_label, atConstruction) => {
    test('runs in inference mode: gradients use the moving statistics, BN weights and statistics never change', async () => {
      bw.setBackend(backend);
      const n = 6, d = 4, h = 3, o = 2, eps = 1e-3, lr = 0.1;
      const l1 = bw.layers.dense({ units: h, inputShape: [d] });
      const l2 = bw.layers.batchNormalization({ trainable: atConstruction ? false : undefined, momentum: 0.5 });
      const l3 = bw.layers.dense({ units: o });
      const m = bw.sequential({ layers: [l1, l2, l3] });
      m.compile({ optimizer: bw.optimizers.sgd({ learningRate: lr }), loss: 'meanSquaredError' });
      if (!atConstruction) l2.trainable = false;
      const bnW = [randn(h, 1, 1.2, 0.2), randn(h, 2, 0.3, 0.2), randn(h, 3, 0.5, 1), randn(h, 4, 2, 0.3).map(Math.abs)];
      l1.setWeights([bw.tensor(randn(d * h, 5, 0, 0.5), [d, h]), bw.tensor(randn(h, 6, 0, 0.1), [h])]);
      l2.setWeights(bnW.map((w) => bw.tensor(w, [h])));
      l3.setWeights([bw.tensor(randn(h * o, 7, 0, 0.5), [h, o]), bw.tensor(randn(o, 8, 0, 0.1), [o])]);
      const x = randn(n * d, 9, 1, 2), y = randn(n * o, 10);

      // float64 reference: BN as the fixed affine map of inference mode, plain SGD
      let W1 = f64(l1.getWeights()[0].dataSync()), b1 = f64(l1.getWeights()[1].dataSync());
      let W2 = f64(l3.getWeights()[0].dataSync()), b2 = f64(l3.getWeights()[1].dataSync());
      const [g, be, mm, mv] = bnW;
      const s = Float64Array.from(g, (gj, j) => gj / Math.sqrt(mv[j] + eps));
      const refLosses: number[] = [];
      for (let epoch = 0; epoch < 3; epoch++) {
        const a1 = matmul(x, W1, n, d, h).map((v, i) => v + b1[i % h]);
        const z = bnRef.infer(n, h, a1, g, be, mm, mv, eps);
        const out = matmul(z, W2, n, h, o).map((v, i) => v + b2[i % o]);
        let loss = 0;
        const dout = out.map((v, i) => { loss += (v - y[i]) ** 2; return (2 * (v - y[i])) / (n * o); });
        refLosses.push(loss / (n * o));
        const dW2 = matmul(transpose(z, n, h), dout, h, n, o), db2 = colSums(dout, n, o);
        const dz = matmul(dout, transpose(W2, h, o), n, o, h);
        const da1 = dz.map((v, i) => v * s[i % h]);
        const dW1 = matmul(transpose(x, n, d), da1, d, n, h), db1 = colSums(da1, n, h);
        W1 = W1.map((v, i) => v - lr * dW1[i]); b1 = b1.map((v, i) => v - lr * db1[i]);
        W2 = W2.map((v, i) => v - lr * dW2[i]); b2 = b2.map((v, i) => v - lr * db2[i]);
      }

      const hist = await m.fit(bw.tensor(x, [n, d]), bw.tensor(y, [n, o]), { epochs: 3, batchSize: n, shuffle: false });
      expectClose(hist.history.loss, refLosses, 'losses (inference-mode BN)', 1e-4, 1e-6);
      expectClose(l1.getWeights()[0].dataSync(), W1, 'dense 1 kernel', 1e-4, 1e-6);
      expectClose(l1.getWeights()[1].dataSync(), b1, 'dense 1 bias', 1e-4, 1e-6);
      expectClose(l3.getWeights()[0].dataSync(), W2, 'dense 2 kernel', 1e-4, 1e-6);
      expectClose(l3.getWeights()[1].dataSync(), b2, 'dense 2 bias', 1e-4, 1e-6);
      l2.getWeights().forEach((w, i) => expect(Array.from(w.dataSync()), `BN weight ${i} unchanged`).toEqual(Array.from(bnW[i])));
      // trainOnBatch is a training step too: still nothing changes in the frozen layer
      m.trainOnBatch(bw.tensor(x, [n, d]), bw.tensor(y, [n, o]));
      l2.getWeights().forEach((w, i) => expect(Array.from(w.dataSync()), `BN weight ${i} unchanged by trainOnBatch`).toEqual(Array.from(bnW[i])));
      // and it counts as non-trainable
      expect(l2.countParams()).toEqual({ trainable: 0, nonTrainable: 4 * h });
    });

    test('apply({ training: true }) on a frozen layer is inference mode too', () => {
      bw.setBackend(backend);
      const l = bw.layers.batchNormalization({ trainable: atConstruction ? false : undefined });
      const x = randn(5 * 3, 40, 2, 3);
      l.apply(bw.tensor(x, [5, 3]));
      if (!atConstruction) l.trainable = false;
      const ws = [randn(3, 41, 1, 0.1), randn(3, 42), randn(3, 43), randn(3, 44, 2, 0.2).map(Math.abs)];
      l.setWeights(ws.map((w) => bw.tensor(w, [3])));
      const y = l.apply(bw.tensor(x, [5, 3]), { training: true });
      expectClose(y.dataSync(), bnRef.infer(5, 3, x, ws[0], ws[1], ws[2], ws[3], 1e-3), 'frozen apply', 1e-4, 1e-5);
      l.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(ws[i])));
    });
  });

  describe.each([
    { center: false, scale: true }, { center: true, scale: false }, { center: false, scale: false },
  ])('center: $center, scale: $scale', ({ center, scale }) => {
    const names = [...(scale ? ['gamma'] : []), ...(center ? ['beta'] : []), 'moving_mean', 'moving_variance'];

    test(`BN-only model, several trainOnBatch steps vs a float64 reference; weights are [${names.join(', ')}]`, () => {
      bw.setBackend(backend);
      const c = 3, n = 5, lr = 0.2, mom = 0.6, eps = 1e-3;
      const layer = bw.layers.batchNormalization({ center, scale, momentum: mom, inputShape: [c] });
      const m = bw.sequential({ layers: [layer] });
      m.compile({ optimizer: bw.optimizers.sgd({ learningRate: lr }), loss: 'meanSquaredError' });
      expect(layer.getWeights().length).toBe(names.length);
      let gamma = scale ? new Float64Array(c).fill(1) : null, beta = center ? new Float64Array(c) : null;
      let mm = new Float64Array(c), mv = new Float64Array(c).fill(1);
      const t = randn(n * c, 60, 0.5, 1);
      for (let step = 0; step < 4; step++) {
        const x = randn(n * c, 61 + step, 2, 3);
        const got = m.trainOnBatch(bw.tensor(x, [n, c]), bw.tensor(t, [n, c]));
        const r = bnRef.forwardTrain(n, c, x, gamma, beta, eps);
        let loss = 0;
        const dy = r.y.map((v, i) => { loss += (v - t[i]) ** 2; return (2 * (v - t[i])) / (n * c); });
        expectClose([got], [loss / (n * c)], `loss at step ${step}`, 1e-4, 1e-6);
        const dgamma = new Float64Array(c), dbeta = new Float64Array(c);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < c; j++) {
            const xhat = (x[i * c + j] - r.mean[j]) / Math.sqrt(r.variance[j] + eps);
            dgamma[j] += dy[i * c + j] * xhat;
            dbeta[j] += dy[i * c + j];
          }
        }
        if (gamma) gamma = gamma.map((v, j) => v - lr * dgamma[j]);
        if (beta) beta = beta.map((v, j) => v - lr * dbeta[j]);
        mm = mm.map((v, j) => v * mom + r.mean[j] * (1 - mom));
        mv = mv.map((v, j) => v * mom + r.variance[j] * (1 - mom));
      }
      const expected = [...(gamma ? [gamma] : []), ...(beta ? [beta] : []), mm, mv];
      layer.getWeights().forEach((w, i) => expectClose(w.dataSync(), expected[i], names[i], 1e-4, 1e-6));
    });

    test('Dense -> BN -> Dense, one step: matches TF.js with the missing gamma = 1 / beta = 0 (equal for exactly one step)', async () => {
      // TF.js cannot train center/scale false (tfjs#2868), but for ONE step a TF.js BN with gamma = 1 (or beta = 0)
      // computes the same loss and the same gradients for every other weight; only its own gamma/beta then move.
      bw.setBackend(backend);
      bw.setSeed(5);
      const mk = () => [bw.layers.dense({ units: 4, inputShape: [3], activation: 'tanh' }), bw.layers.batchNormalization({ center, scale, momentum: 0.5 }), bw.layers.dense({ units: 2 })];
      const m = bw.sequential({ layers: mk() });
      const t = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: 'tanh' }), tf.layers.batchNormalization({ momentum: 0.5 }), tf.layers.dense({ units: 2 })] });
      for (const i of [0, 2]) t.layers[i].setWeights(m.layers[i].getWeights().map((w) => tf.tensor(w.dataSync(), w.shape)));
      const bnw = m.layers[1].getWeights().map((w) => w.dataSync());
      const full = [scale ? bnw[0] : new Float32Array(4).fill(1), center ? bnw[scale ? 1 : 0] : new Float32Array(4), bnw[bnw.length - 2], bnw[bnw.length - 1]];
      t.layers[1].setWeights(full.map((w) => tf.tensor(w, [4])));
      m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.3, momentum: 0.5 }), loss: 'meanSquaredError' });
      t.compile({ optimizer: tf.train.momentum(0.3, 0.5), loss: 'meanSquaredError' });
      const x = randn(6 * 3, 70, 0.5, 1), y = randn(6 * 2, 71);
      const a = m.trainOnBatch(bw.tensor(x, [6, 3]), bw.tensor(y, [6, 2]));
      const b = await tfTrainOnBatch(t, tf.tensor(x, [6, 3]), tf.tensor(y, [6, 2]));
      expectClose([a], [b], 'loss', 1e-4, 1e-6);
      for (const i of [0, 2]) m.layers[i].getWeights().forEach((w, j) => expectClose(w.dataSync(), t.layers[i].getWeights()[j].dataSync(), `layer ${i} weight ${j}`, 1e-4, 1e-6));
      const tw = t.layers[1].getWeights().map((w) => w.dataSync());
      const got = m.layers[1].getWeights().map((w) => w.dataSync());
      const want = [...(scale ? [tw[0]] : []), ...(center ? [tw[1]] : []), tw[2], tw[3]];
      got.forEach((w, i) => expectClose(w, want[i], `BN ${names[i]}`, 1e-4, 1e-6));
    });

    test('predict (inference) vs a float64 reference', () => {
      bw.setBackend(backend);
      const c = 4, n = 6, eps = 0.01;
      const layer = bw.layers.batchNormalization({ center, scale, epsilon: eps, inputShape: [c] });
      const m = bw.sequential({ layers: [layer] });
      const g = randn(c, 80, 1, 0.3), b = randn(c, 81), mm = randn(c, 82), mv = randn(c, 83, 2, 0.5).map(Math.abs);
      layer.setWeights([...(scale ? [g] : []), ...(center ? [b] : []), mm, mv].map((w) => bw.tensor(w, [c])));
      const x = randn(n * c, 84, 1, 2);
      expectClose(m.predict(bw.tensor(x, [n, c])).dataSync(), bnRef.infer(n, c, x, scale ? g : null, center ? b : null, mm, mv, eps), 'predict', 1e-4, 1e-5);
    });
  });

  describe('a training batch of one row (variance 0): the output is beta, not an error', () => {
    test('apply({ training: true }) with one row returns beta; moving mean moves to x, moving variance towards 0', () => {
      bw.setBackend(backend);
      const c = 5, mom = 0.9;
      const l = bw.layers.batchNormalization({ momentum: mom });
      const x = randn(c, 90, 3, 2);
      l.apply(bw.tensor(x, [1, c]));
      const ws = [randn(c, 91, 1, 0.3), randn(c, 92), randn(c, 93), randn(c, 94, 2, 0.3).map(Math.abs)];
      l.setWeights(ws.map((w) => bw.tensor(w, [c])));
      const y = l.apply(bw.tensor(x, [1, c]), { training: true });
      expectClose(y.dataSync(), ws[1], 'output = beta', 0, 1e-6);
      const [, , mm, mv] = l.getWeights().map((w) => w.dataSync());
      expectClose(mm, Array.from(ws[2], (v, j) => v * mom + x[j] * (1 - mom)), 'moving mean', 1e-5, 1e-6);
      expectClose(mv, Array.from(ws[3], (v) => v * mom), 'moving variance', 1e-5, 1e-6);
    });

    test('trainOnBatch with one row: finite loss = loss of beta·W + b, and the Dense in front gets a zero gradient', () => {
      bw.setBackend(backend);
      bw.setSeed(2);
      const l1 = bw.layers.dense({ units: 3, inputShape: [4] }), l2 = bw.layers.batchNormalization(), l3 = bw.layers.dense({ units: 2 });
      const m = bw.sequential({ layers: [l1, l2, l3] });
      m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
      l2.setWeights([randn(3, 95, 1, 0.2), randn(3, 96), new Float32Array(3), new Float32Array(3).fill(1)].map((w) => bw.tensor(w, [3])));
      const beta = l2.getWeights()[1].dataSync(), [W2, b2] = l3.getWeights().map((w) => w.dataSync());
      const before = l1.getWeights().map((w) => Array.from(w.dataSync()));
      const y = [0.5, -1];
      const out = matmul(beta, W2, 1, 3, 2).map((v, j) => v + b2[j]);
      const ref = ((out[0] - y[0]) ** 2 + (out[1] - y[1]) ** 2) / 2;
      const loss = m.trainOnBatch(bw.tensor(randn(4, 97, 1, 1), [1, 4]), bw.tensor([y]));
      expectClose([loss], [ref], 'loss', 1e-5, 1e-6);
      l1.getWeights().forEach((w, i) => expectClose(w.dataSync(), before[i], `dense 1 weight ${i} (zero gradient through a 1-row BN)`, 0, 1e-6));
      for (const w of m.getWeights()) expect(w.dataSync().every(Number.isFinite)).toBe(true);
    });

    test('fit whose last batch has one row works and stays finite', async () => {
      bw.setBackend(backend);
      bw.setSeed(3);
      const m = bw.sequential({ layers: [bw.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), bw.layers.batchNormalization(), bw.layers.dense({ units: 1 })] });
      m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const h = await m.fit(bw.tensor(randn(9 * 3, 98), [9, 3]), bw.tensor(randn(9, 99), [9, 1]), { epochs: 3, batchSize: 4 });
      expect(h.history.loss.every(Number.isFinite)).toBe(true);
      for (const w of m.getWeights()) expect(w.dataSync().every(Number.isFinite)).toBe(true);
    });
  });
});
