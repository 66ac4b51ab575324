/**
 * BatchNormalization({ virtualBatchSize }) (Ghost BN as tf.keras 2 defines it) on both backends against the
 * float64 reference (test/reference/ghost.ts): the training forward and the moving statistics for batches that
 * are and are not multiples of the virtual batch size, on ranks 2 and 3 (feature axis last and not), the
 * gradients of a training step, the reference's own gradients against finite differences, inference unchanged,
 * calibration, the option in saved files, and argument errors.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { ModelArtifacts } from '../../src/io/index.js';
import * as ghost from '../reference/ghost.js';
import { BACKENDS, bw, expectClose, expectDenseNormSgdStep, randn, setupBoth } from '../helpers/tfjs.js';

beforeAll(setupBoth);

const EPS = 1e-3;
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
const positive = (n: number, seed: number) => randn(n, seed, 1, 0.3).map((v) => Math.abs(v) + 0.3);

/** [N, a, b] with the features on axis 1 (size a) as rows layout [N, b, a], and back. */
const swap = (x: ArrayLike<number>, n: number, a: number, b: number) => {
  const y = new Float64Array(n * a * b);
  for (let s = 0; s < n; s++) for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) y[s * a * b + j * a + i] = x[s * a * b + i * b + j];
  return y;
};

// [rows, virtualBatchSize]: a multiple (tf.keras's case), not a multiple (tf.keras fails), V above the batch, V = 1 is not useful (variance 0)
const SPLITS: Array<[number, number]> = [[8, 4], [12, 3], [7, 3], [10, 4], [5, 8], [9, 2]];

describe.each(BACKENDS)('Ghost BN on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  describe.each([
    { shape: [5], axis: -1 },
    { shape: [2, 3], axis: -1 },
    { shape: [3, 2], axis: 1 },
  ])('[N, $shape] axis $axis', ({ shape, axis }) => {
    test.each(SPLITS)('%i samples, virtualBatchSize %i: output and moving statistics', (rows, virtual) => {
      bw.setBackend(backend);
      const size = shape[0] * (shape[1] ?? 1), c = axis === 1 ? shape[0] : shape[shape.length - 1], per = size / c;
      const l = bw.layers.batchNormalization({ axis, virtualBatchSize: virtual, momentum: 0.8, inputShape: shape });
      const x = randn(rows * size, rows * 10 + virtual, 3, 2).map((v, i) => v + (i % 3) * 10);
      l.apply(bw.tensor(x, [rows, ...shape]));
      const ws = [positive(c, 1), randn(c, 2), randn(c, 3), positive(c, 4)];
      l.setWeights(ws.map((w) => bw.tensor(w)));
      const y = l.apply(bw.tensor(x, [rows, ...shape]), { training: true }).dataSync();
      const xr = axis === 1 ? swap(x, rows, shape[0], shape[1]) : f64(x);
      const want = ghost.forwardTrain(rows, per, c, xr, ws[0], ws[1], EPS, virtual);
      expectClose(y, axis === 1 ? swap(want.y, rows, shape[1], shape[0]) : want.y, 'y', 2e-5, 2e-5);
      const [, , mm, mv] = l.getWeights().map((t) => t.dataSync());
      expectClose(mm, f64(ws[2]).map((m, j) => m * 0.8 + want.towardsMean[j] * 0.2), 'moving mean', 1e-5, 1e-5);
      expectClose(mv, f64(ws[3]).map((v, j) => v * 0.8 + want.towardsVariance[j] * 0.2), 'moving variance', 1e-5, 1e-5);
      // inference is plain BN with the moving statistics, whatever the virtual batches
      const inferred = l.apply(bw.tensor(x, [rows, ...shape])).dataSync();
      const plain = bw.layers.batchNormalization({ axis, inputShape: shape });
      plain.apply(bw.tensor(x, [rows, ...shape]));
      plain.setWeights(l.getWeights());
      expect(Array.from(inferred)).toEqual(Array.from(plain.apply(bw.tensor(x, [rows, ...shape])).dataSync()));
    });
  });

  test('virtual batches are what they say: each is normalized on its own (rows 0, 2, 4 vs 1, 3, 5 for 6 rows of 3)', () => {
    bw.setBackend(backend);
    const l = bw.layers.batchNormalization({ virtualBatchSize: 3, center: false, scale: false, epsilon: 1e-6, inputShape: [1] });
    const y = l.apply(bw.tensor([[0], [100], [1], [101], [2], [102]]), { training: true }).dataSync();
    // each group {0, 1, 2} and {100, 101, 102} has mean 1 resp. 101 and std √(2/3)
    expectClose(y, [-1, -1, 0, 0, 1, 1].map((v) => v * Math.sqrt(1.5)), 'y', 1e-4, 1e-5);
  });

  test.each([[7, 3], [8, 4]])('a training step with %i samples, virtualBatchSize %i: gradients of gamma, beta and the input (SGD deltas vs float64)', (rows, virtual) => {
    bw.setBackend(backend);
    const k = 3, c = 4, lr = 0.5;
    const bn = bw.layers.batchNormalization({ virtualBatchSize: virtual });
    const m = bw.sequential({ layers: [bw.layers.dense({ units: c, useBias: false, inputShape: [k] }), bn] });
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: lr }), loss: 'meanSquaredError' });
    const gamma = positive(c, 5), beta = randn(c, 6);
    bn.setWeights([gamma, beta, randn(c, 7), positive(c, 8)].map((w) => bw.tensor(w)));
    const W = f64(m.layers[0].getWeights()[0].dataSync());
    const x = f64(randn(rows * k, 61, 0.5, 2)), t = f64(randn(rows * c, 62));
    const z = new Float64Array(rows * c);
    for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) for (let q = 0; q < k; q++) z[i * c + j] += x[i * k + q] * W[q * c + j];
    const f = ghost.forwardTrain(rows, 1, c, z, gamma, beta, EPS, virtual);
    const dy = f.y.map((v, i) => 2 * (v - t[i]) / (rows * c));
    const g = ghost.backward(rows, 1, c, dy, z, gamma, EPS, virtual);
    expectDenseNormSgdStep(m, x, t, rows, k, c, lr, { W, gamma, beta }, g);
  });

  test('calibration pools the virtual batches exactly: a Ghost BN first gets the data mean and variance', async () => {
    bw.setBackend(backend);
    const rows = 23, x = randn(rows * 2, 4, 50, 3);
    const m = bw.sequential({ layers: [bw.layers.batchNormalization({ virtualBatchSize: 4, inputShape: [2] })] });
    await m.calibrateBatchNorm(bw.tensor(x, [rows, 2]), { batchSize: 10 });
    const [mm, mv] = m.layers[0].getWeights().slice(-2).map((t) => t.dataSync());
    const mean = [0, 1].map((j) => x.filter((_, i) => i % 2 === j).reduce((s, v) => s + v, 0) / rows);
    const variance = [0, 1].map((j) => x.filter((_, i) => i % 2 === j).reduce((s, v) => s + (v - mean[j]) ** 2, 0) / rows);
    expectClose(mm, mean, 'mean', 1e-6, 0);
    expectClose(mv, variance, 'variance', 1e-4, 0);
  });

  test('virtualBatchSize is saved (virtual_batch_size) and loaded; bad values throw naming it', async () => {
    bw.setBackend(backend);
    const m = bw.sequential({ layers: [bw.layers.batchNormalization({ virtualBatchSize: 16, inputShape: [3] })] });
    let saved: ModelArtifacts | undefined;
    await m.save({ save: async (a) => { saved = a; return {}; } });
    const cfg = (saved!.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config;
    expect(cfg.virtual_batch_size).toBe(16);
    const back = await bw.loadModel({ load: async () => saved! });
    expect((back.layers[0] as bw.BatchNormalization).virtualBatchSize).toBe(16);
    expect(() => bw.layers.batchNormalization({ virtualBatchSize: 0 })).toThrow(/batchNormalization: virtualBatchSize: expected an integer >= 1, got 0/);
    expect(() => bw.layers.batchNormalization({ virtualBatchSize: 2.5 })).toThrow(/virtualBatchSize: expected an integer >= 1, got 2.5/);
  });
});

describe('the float64 reference', () => {
  test('ghost backward = central finite differences of L = Σ w·y (7 samples of 2 rows, virtual batches of 3)', () => {
    const samples = 7, per = 2, c = 3, V = 3, h = 1e-6;
    const x = f64(randn(samples * per * c, 1, 1, 2)), gamma = f64(positive(c, 2)), beta = f64(randn(c, 3)), w = f64(randn(samples * per * c, 4));
    const g = ghost.backward(samples, per, c, w, x, gamma, EPS, V);
    const L = (xx: ArrayLike<number>, gg: ArrayLike<number>, bb: ArrayLike<number>) => ghost.trainLoss(samples, per, c, xx, gg, bb, EPS, V, w);
    const fd = (v: Float64Array, at: (p: Float64Array) => number) => v.map((_, i) => {
      const up = Float64Array.from(v), dn = Float64Array.from(v);
      up[i] += h; dn[i] -= h;
      return (at(up) - at(dn)) / (2 * h);
    });
    expectClose(g.dx, fd(x, (p) => L(p, gamma, beta)), 'dx', 1e-5, 1e-7);
    expectClose(g.dgamma, fd(gamma, (p) => L(x, p, beta)), 'dgamma', 1e-5, 1e-7);
    expectClose(g.dbeta, fd(beta, (p) => L(x, gamma, p)), 'dbeta', 1e-5, 1e-7);
  });
});
