/**
 * BatchNormalization on rank 2, 3 and 4 inputs with several axes, in training (trainOnBatch with layers
 * around it, apply({ training: true })) and in inference (apply, predict), against TF.js 4.22. Where TF.js
 * does not implement Keras semantics (frozen BN inside fit, center/scale false in training, tfjs#2868)
 * the expectation is a float64 reference written here instead.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  BACKENDS, bn, buildBw, bw, bwOptimizer, copyWeightsToTf, dense, expectClose,
  expectSameWeights, permutationToLast, randn, setupBoth, tf, tfOptimizer, tfPredict, tfTrainOnBatch, type LayerSpec, type OptSpec,
} from '../helpers/tfjs.js';

beforeAll(setupBoth);

const sizeOf = (s: number[]) => s.reduce((a, b) => a * b, 1);
const positive = (n: number, seed: number) => randn(n, seed, 1, 0.3).map((v) => Math.abs(v) + 0.2);

/** [gamma, beta, movingMean, movingVariance] that are not the initial ones. */
function randomBnWeights(c: number, seed: number): Float32Array[] {
  return [positive(c, seed), randn(c, seed + 1, 0, 0.5), randn(c, seed + 2, 0.3, 1), positive(c, seed + 3).map((v) => v * 2)];
}

// BN input shapes (batch excluded) and the axes to normalize over
const CASES: Array<{ shape: number[]; axis: number }> = [
  { shape: [3, 4], axis: 1 }, { shape: [3, 4], axis: 2 }, { shape: [3, 4], axis: -1 }, { shape: [3, 4], axis: -2 },
  { shape: [2, 3, 4], axis: 1 }, { shape: [2, 3, 4], axis: 2 }, { shape: [2, 3, 4], axis: 3 }, { shape: [2, 3, 4], axis: -1 },
  { shape: [2, 3, 4], axis: -3 },
];
const label = (c: { shape: number[]; axis: number }) => `rank ${c.shape.length + 1} [N, ${c.shape.join(', ')}], axis ${c.axis}`;
const featureDim = (c: { shape: number[]; axis: number }) => c.shape[(c.axis < 0 ? c.shape.length + 1 + c.axis : c.axis) - 1];

describe.each(BACKENDS)('BatchNormalization vs TF.js on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  describe.each(CASES)('$shape axis $axis', (c) => {
    // TF.js mis-normalizes any axis but the last (see permutationToLast): its mirror permutes around a last-axis BN
    const perm = permutationToLast(c.shape, c.axis);
    const tfPermute = (dims: number[], inputShape?: number[]) => tf.layers.permute({ dims, ...(inputShape ? { inputShape } : {}) });

    test(`training: Dense -> BN(${label(c)}) -> Dense with trainOnBatch: losses and all weights`, async () => {
      bw.setBackend(backend);
      bw.setSeed(21);
      // the Dense in front maps [..., 5] to the BN input [..., last], so BN's backward (dx) is exercised
      const inShape = [...c.shape.slice(0, -1), 5];
      const m = buildBw([
        dense({ units: c.shape[c.shape.length - 1], inputShape: inShape, activation: 'tanh' }),
        bn({ axis: c.axis, momentum: 0.8 }),
        dense({ units: 2 }),
      ]);
      const t = tf.sequential({ layers: [
        tf.layers.dense({ units: c.shape[c.shape.length - 1], inputShape: inShape, activation: 'tanh' }),
        ...(perm.last ? [] : [tfPermute(perm.dims)]),
        tf.layers.batchNormalization({ axis: -1, momentum: 0.8 }),
        ...(perm.last ? [] : [tfPermute(perm.inverse)]),
        tf.layers.dense({ units: 2 }),
      ] });
      const map = perm.last ? [0, 1, 2] : [0, 2, 4];
      const f = featureDim(c);
      m.layers[1].setWeights(randomBnWeights(f, 3).map((w) => bw.tensor(w, [f])));
      copyWeightsToTf(m, t, map);
      const opt: OptSpec = { kind: 'sgd', learningRate: 0.05, momentum: 0.9 };
      m.compile({ optimizer: bwOptimizer(opt), loss: 'meanSquaredError' });
      t.compile({ optimizer: tfOptimizer(opt), loss: 'meanSquaredError' });
      const n = 4, xShape = [n, ...inShape], yShape = [n, ...c.shape.slice(0, -1), 2];
      const y = randn(sizeOf(yShape), 5);
      const a: number[] = [], b: number[] = [];
      for (let s = 0; s < 4; s++) {
        const x = randn(sizeOf(xShape), 50 + s, 0.2, 1.5);
        a.push(m.trainOnBatch(bw.tensor(x, xShape), bw.tensor(y, yShape)));
        b.push(await tfTrainOnBatch(t, tf.tensor(x, xShape), tf.tensor(y, yShape)));
      }
      expectClose(a, b, 'losses', 1e-4, 1e-6);
      expectSameWeights(m, t, 1e-4, 1e-5, map);
    });

    /** A bnwasm layer and its TF.js mirror (a last-axis BN applied to the permuted input), same weights. */
    function layerPair(x: Float32Array, xShape: number[]) {
      const f = featureDim(c);
      const l = bw.layers.batchNormalization({ axis: c.axis, momentum: 0.7, epsilon: 0.01 });
      const tl = tf.layers.batchNormalization({ axis: -1, momentum: 0.7, epsilon: 0.01 });
      const tfApply = (training: boolean) => tf.tidy(() => {
        const xt = tf.transpose(tf.tensor(x, xShape), [0, ...perm.dims]);
        return tf.transpose(tl.apply(xt, { training }) as tf.Tensor, [0, ...perm.inverse]).dataSync();
      });
      l.apply(bw.tensor(x, xShape)); // builds
      tfApply(false);
      const ws = randomBnWeights(f, 9);
      l.setWeights(ws.map((w) => bw.tensor(w, [f])));
      tl.setWeights(ws.map((w) => tf.tensor(w, [f])));
      return { l, tl, tfApply, ws };
    }

    test(`apply({ training: true }) on ${label(c)}: batch statistics, and the moving statistics move`, () => {
      bw.setBackend(backend);
      const xShape = [3, ...c.shape], x = randn(sizeOf(xShape), 77, 2, 3);
      const { l, tl, tfApply, ws } = layerPair(x, xShape);
      const trained = l.apply(bw.tensor(x, xShape), { training: true });
      expect(trained.shape).toEqual(xShape);
      expectClose(trained.dataSync(), tfApply(true), 'apply({ training: true })', 1e-4, 1e-5);
      l.getWeights().forEach((w, i) => expectClose(w.dataSync(), tl.getWeights()[i].dataSync(), `weight ${i} after a training apply`, 1e-4, 1e-6));
      expect(Math.abs(l.getWeights()[3].dataSync()[0] - ws[3][0])).toBeGreaterThan(1e-3);
    });

    test(`apply() (inference) on ${label(c)}: moving statistics, nothing changes`, () => {
      bw.setBackend(backend);
      const xShape = [3, ...c.shape], x = randn(sizeOf(xShape), 78, 2, 3);
      const { l, tfApply, ws } = layerPair(x, xShape);
      const inferred = l.apply(bw.tensor(x, xShape));
      expect(inferred.shape).toEqual(xShape);
      expectClose(inferred.dataSync(), tfApply(false), 'apply() inference', 1e-4, 1e-5);
      l.getWeights().forEach((w, i) => expectClose(w.dataSync(), ws[i], `weight ${i} unchanged by inference`, 0, 0));
    });

    test(`predict of a model with BN(${label(c)}) after training matches TF.js predict`, async () => {
      bw.setBackend(backend);
      bw.setSeed(4);
      const m = buildBw([bn({ axis: c.axis, inputShape: c.shape, momentum: 0.5 }), dense({ units: 3, activation: 'sigmoid' })]);
      const t = tf.sequential({ layers: perm.last
        ? [tf.layers.batchNormalization({ inputShape: c.shape }), tf.layers.dense({ units: 3, activation: 'sigmoid' })]
        : [tfPermute(perm.dims, c.shape), tf.layers.batchNormalization({ axis: -1 }), tfPermute(perm.inverse), tf.layers.dense({ units: 3, activation: 'sigmoid' })] });
      const map = perm.last ? [0, 1] : [1, 3];
      m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const n = 5, xShape = [n, ...c.shape], yShape = [n, ...c.shape.slice(0, -1), 3];
      for (let s = 0; s < 5; s++) m.trainOnBatch(bw.tensor(randn(sizeOf(xShape), 10 + s, 1, 2), xShape), bw.tensor(randn(sizeOf(yShape), 20 + s).map(Math.abs), yShape));
      copyWeightsToTf(m, t, map);
      const x = randn(sizeOf(xShape), 123, 1, 2);
      expectClose(m.predict(bw.tensor(x, xShape)).dataSync(), tfPredict(t, tf.tensor(x, xShape)), 'predict', 1e-4, 1e-6);
    });
  });

  describe('Keras-generated golden values (batchnorm-semantics.md §2, asserted in tfjs normalization_test.ts), with fit', () => {
    const xs = [[1, 2, 3, 4], [2, 4, 6, 8], [12, 11, 10, 9]];

    test('BN-only model, SGD 0.01, batch 3, 2 epochs', async () => {
      bw.setBackend(backend);
      const layer = bw.layers.batchNormalization({ inputShape: [4] });
      const m = bw.sequential({ layers: [layer] });
      m.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
      const h = await m.fit(bw.tensor(xs), bw.tensor(new Float32Array(12), [3, 4]), { epochs: 2, batchSize: 3 });
      expectClose(h.history.loss, [0.9998891353607178, 0.9899163246154785], 'losses', 1e-5, 1e-7);
      const [gamma, beta, mm, mv] = layer.getWeights().map((w) => w.dataSync());
      expectClose(gamma, [0.9900254, 0.9900257, 0.9900262, 0.9900271], 'gamma', 1e-5, 1e-7);
      expectClose(beta, [2.9802322e-10, 1.4901161e-10, 9.1269614e-10, -7.4505802e-10], 'beta', 0, 1e-7);
      expectClose(mm, [0.09949999, 0.11276666, 0.12603334, 0.13929999], 'moving mean', 1e-5, 1e-7);
      expectClose(mv, [1.4709667, 1.2763889, 1.1437222, 1.0729666], 'moving variance', 1e-5, 1e-7);
    });

    test('Dense(4, ones, no bias) -> BN -> Dense(1, ones, no bias), SGD 0.1, 3 epochs', async () => {
      bw.setBackend(backend);
      const l1 = bw.layers.dense({ units: 4, kernelInitializer: 'ones', useBias: false, inputShape: [4] });
      const l2 = bw.layers.batchNormalization();
      const l3 = bw.layers.dense({ units: 1, kernelInitializer: 'ones', useBias: false });
      const m = bw.sequential({ layers: [l1, l2, l3] });
      m.compile({ loss: 'meanSquaredError', optimizer: bw.optimizers.sgd({ learningRate: 0.1 }) });
      const h = await m.fit(bw.tensor(xs), bw.tensor([[0], [0], [0]]), { epochs: 3, batchSize: 3 });
      expectClose(h.history.loss, [15.999907493591309, 0.025602197274565697, 0.022478966042399406], 'losses', 1e-4, 1e-6);
      expectClose(l1.getWeights()[0].dataSync(), [0.99999833, 0.99999833, 0.99999833, 0.99999833, 0.9999987, 0.9999987, 0.9999987, 0.9999987,
        0.999999, 0.999999, 0.999999, 0.999999, 0.99999934, 0.99999934, 0.99999934, 0.99999934], 'dense 1 kernel', 1e-6, 1e-7);
      const [gamma, beta, mm, mv] = l2.getWeights().map((w) => w.dataSync());
      expectClose(gamma, new Float32Array(4).fill(0.18779878), 'gamma', 1e-4, 1e-6);
      expectClose(beta, new Float32Array(4).fill(5.5367128e-08), 'beta', 0, 1e-6);
      expectClose(mm, new Float32Array(4).fill(0.7128234), 'moving mean', 1e-4, 1e-6);
      expectClose(mv, new Float32Array(4).fill(6.276868), 'moving variance', 1e-4, 1e-6);
      expectClose(l3.getWeights()[0].dataSync(), new Float32Array(4).fill(0.18779878), 'dense 2 kernel', 1e-4, 1e-6);
    });

    test('rank 3 BN-only model [3, 2, 2], SGD 0.01, 2 epochs (tfjs normalization_test "Fit: 3D")', async () => {
      bw.setBackend(backend);
      const layer = bw.layers.batchNormalization({ inputShape: [2, 2] });
      const m = bw.sequential({ layers: [layer] });
      m.compile({ loss: 'meanSquaredError', optimizer: 'sgd' });
      const h = await m.fit(bw.tensor([[[1, 2], [3, 4]], [[2, 4], [6, 8]], [[12, 11], [10, 9]]]), bw.tensor(new Float32Array(12), [3, 2, 2]), { epochs: 2, batchSize: 3 });
      expectClose(h.history.loss, [0.9999215006828308, 0.980024516582489], 'losses', 1e-5, 1e-7);
      const [gamma, , mm, mv] = layer.getWeights().map((w) => w.dataSync());
      expectClose(gamma, [0.98010117, 0.98010194], 'gamma', 1e-5, 1e-7);
      expectClose(mm, [0.11276666, 0.12603334], 'moving mean', 1e-5, 1e-7);
      expectClose(mv, [1.3161889, 1.1835222], 'moving variance', 1e-5, 1e-7);
    });
  });
});
