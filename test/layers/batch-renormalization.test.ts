/**
 * BatchNormalization({ renorm: true }) (Batch Renormalization as Keras 3 defines it) on both backends against
 * the float64 reference (test/reference/renorm.ts): the training forward and the update of all five statistics
 * on ranks 2 and 3 with clipping on and off, the gradients of a training step (r and d constants), inference,
 * the extra weights in saved files and back, argument errors, calibration, and what it is for: with
 * one-class-at-a-time batches the train/inference gap is smaller than plain BN's.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { ModelArtifacts } from '../../src/io/index.js';
import * as ref from '../reference/renorm.js';
import { BACKENDS, bw, expectClose, expectDenseNormSgdStep, loadDigits, mulberry32, randn, setupBoth } from '../helpers/tfjs.js';

beforeAll(setupBoth);

const EPS = 1e-3;
const positive = (n: number, seed: number) => randn(n, seed, 1, 0.3).map((v) => Math.abs(v) + 0.3);
/** [gamma, beta, movingMean, movingVariance, movingStddev, renormMean, renormStddev], none at its initial value. */
function renormWeights(c: number, seed: number): Float32Array[] {
  const mv = positive(c, seed + 3);
  return [positive(c, seed), randn(c, seed + 1, 0, 0.5), randn(c, seed + 2), mv, mv.map((v) => Math.sqrt(v + EPS)), randn(c, seed + 4, 1), positive(c, seed + 5)];
}
const f64 = (a: ArrayLike<number>) => Float64Array.from(a);

/** x [rows, ...shape] with the feature axis last, as the reference's rows × cols. */
const CLIPPINGS: Array<ref.Clipping | null> = [null, { rmin: 0.5, rmax: 1.5, dmax: 0.5 }, { rmax: 2 }];

describe.each(BACKENDS)('Batch Renormalization on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  describe.each(CLIPPINGS)('clipping %j', (clipping) => {
    test.each([[[6], 5], [[3, 4], 2]])('apply({ training: true }) on [N, %j] (%i rows): output and all statistics as Keras 3', (shape, rows) => {
      bw.setBackend(backend);
      const c = shape[shape.length - 1], size = rows * shape.reduce((a, b) => a * b, 1);
      const l = bw.layers.batchNormalization({ renorm: true, renormClipping: clipping, momentum: 0.9, renormMomentum: 0.7, inputShape: shape });
      const x = randn(size, 8 + rows, 2, 3);
      l.apply(bw.tensor(x, [rows, ...shape])); // builds
      const ws = renormWeights(c, 40);
      l.setWeights(ws.map((w) => bw.tensor(w)));
      const y = l.apply(bw.tensor(x, [rows, ...shape]), { training: true }).dataSync();
      const n = size / c, [gamma, beta, movingMean, , movingStddev, renormMean, renormStddev] = ws;
      const want = ref.forwardTrain(n, c, x, gamma, beta, renormMean, renormStddev, EPS, clipping ?? {});
      expectClose(y, want.y, 'y', 2e-5, 2e-5);
      if (clipping?.rmax) expect(Math.max(...want.r)).toBeLessThanOrEqual(clipping.rmax);
      const after = ref.update(want.mean, want.variance, { movingMean, movingStddev, renormMean, renormStddev }, EPS, 0.9, 0.7);
      const got = l.getWeights().map((t) => t.dataSync());
      expectClose(got[0], gamma, 'gamma unchanged', 0, 0);
      expectClose(got[2], after.movingMean, 'moving_mean', 1e-5, 1e-6);
      expectClose(got[3], after.movingVariance, 'moving_variance', 1e-5, 1e-6);
      expectClose(got[4], after.movingStddev, 'moving_stddev', 1e-5, 1e-6);
      expectClose(got[5], after.renormMean, 'renorm_mean', 1e-5, 1e-6);
      expectClose(got[6], after.renormStddev, 'renorm_stddev', 1e-5, 1e-6);
      // inference: the moving statistics, as plain BN
      const inferred = l.apply(bw.tensor(x, [rows, ...shape])).dataSync();
      const scale = f64(got[3]).map((v, j) => got[0][j] / Math.sqrt(v + EPS));
      expectClose(inferred, f64(x).map((v, i) => (v - got[2][i % c]) * scale[i % c] + got[1][i % c]), 'inference', 1e-5, 1e-5);
    });
  });

  test('center: false and scale: false: the correction alone (x̂·r + d), and a feature axis that is not last', () => {
    bw.setBackend(backend);
    const rows = 4, shape = [3, 2], c = 3; // axis 1: features are the 3, each sample has 2 rows of them
    const l = bw.layers.batchNormalization({ axis: 1, renorm: true, center: false, scale: false, inputShape: shape });
    const x = randn(rows * 6, 90, 1, 2);
    l.apply(bw.tensor(x, [rows, ...shape]));
    const mv = positive(c, 91), rm = randn(c, 92, 1), rs = positive(c, 93);
    l.setWeights([randn(c, 94), mv, mv.map((v) => Math.sqrt(v + EPS)), rm, rs].map((w) => bw.tensor(w)));
    const y = l.apply(bw.tensor(x, [rows, ...shape]), { training: true }).dataSync();
    // rows layout [rows·2, 3] and back
    const toRows = (a: ArrayLike<number>) => Float64Array.from({ length: a.length }, (_, i) => {
      const s = Math.floor(i / 6), k = i % 6, r = Math.floor(k / c), j = k % c;
      return a[s * 6 + j * 2 + r];
    });
    const want = ref.forwardTrain(rows * 2, c, toRows(x), null, null, rm, rs, EPS);
    expectClose(toRows(y), want.y, 'y', 2e-5, 2e-5);
  });

  test('a training step: gradients of gamma, beta and the input with r and d constant (SGD weight deltas vs float64)', () => {
    bw.setBackend(backend);
    const rows = 7, k = 3, c = 4, lr = 0.5;
    const bn = bw.layers.batchNormalization({ renorm: true, renormClipping: { rmin: 0.9, rmax: 1.1, dmax: 0.1 } });
    const m = bw.sequential({ layers: [bw.layers.dense({ units: c, useBias: false, inputShape: [k] }), bn] });
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: lr }), loss: 'meanSquaredError' });
    const ws = renormWeights(c, 60);
    bn.setWeights(ws.map((w) => bw.tensor(w)));
    const W = f64(m.layers[0].getWeights()[0].dataSync());
    const x = f64(randn(rows * k, 61, 0.5, 2)), t = f64(randn(rows * c, 62));
    // float64: z = x·W, y = renorm(z), L = mean((y − t)²)
    const z = new Float64Array(rows * c);
    for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) for (let q = 0; q < k; q++) z[i * c + j] += x[i * k + q] * W[q * c + j];
    const [gamma, beta, , , , renormMean, renormStddev] = ws;
    const f = ref.forwardTrain(rows, c, z, gamma, beta, renormMean, renormStddev, EPS, { rmin: 0.9, rmax: 1.1, dmax: 0.1 });
    expect(f.r.some((v) => v === 0.9 || v === 1.1) && f.d.some((v) => Math.abs(v) === 0.1)).toBe(true); // clips are active
    const dy = f.y.map((v, i) => 2 * (v - t[i]) / (rows * c));
    const g = ref.backward(rows, c, dy, z, f.mean, f.invStd, gamma, f.r, f.d);
    // the float64 gradients are right: central differences of L in gamma with r, d held
    const L = (gg: ArrayLike<number>) => ref.affine(rows, c, z, gg, beta, EPS, f.r, f.d).reduce((s, v, i) => s + (v - t[i]) ** 2, 0) / (rows * c);
    const fd = f64(gamma).map((_, j) => { const up = f64(gamma), dn = f64(gamma); up[j] += 1e-6; dn[j] -= 1e-6; return (L(up) - L(dn)) / 2e-6; });
    expectClose(g.dgamma, fd, 'float64 dgamma vs finite differences', 1e-6, 1e-9);
    expectDenseNormSgdStep(m, x, t, rows, k, c, lr, { W, gamma, beta }, g);
  });

  test('saved files hold moving_stddev, renorm_mean and renorm_stddev and the options; loading gives the same model', async () => {
    bw.setBackend(backend);
    bw.setSeed(5);
    const m = bw.sequential({ layers: [
      bw.layers.dense({ units: 4, inputShape: [3] }),
      bw.layers.batchNormalization({ renorm: true, renormClipping: { rmax: 3, rmin: 0.25, dmax: 5 }, renormMomentum: 0.9 }),
      bw.layers.dense({ units: 2 }),
    ] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    for (let s = 0; s < 4; s++) m.trainOnBatch(bw.tensor(randn(15, s), [5, 3]), bw.tensor(randn(10, 9 + s), [5, 2]));
    let saved: ModelArtifacts | undefined;
    await m.save({ save: async (a) => { saved = a; return {}; } });
    const name = m.layers[1].name;
    const names = saved!.weightSpecs!.map((w) => w.name);
    for (const w of ['moving_mean', 'moving_variance', 'moving_stddev', 'renorm_mean', 'renorm_stddev']) expect(names).toContain(`${name}/${w}`);
    const cfg = (saved!.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[1].config;
    expect(cfg).toMatchObject({ renorm: true, renorm_clipping: { rmax: 3, rmin: 0.25, dmax: 5 }, renorm_momentum: 0.9, virtual_batch_size: null });
    const back = await bw.loadModel({ load: async () => saved! });
    expect(back.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(m.getWeights().map((w) => Array.from(w.dataSync())));
    const x = bw.tensor(randn(12, 3), [4, 3]);
    expect(Array.from(back.predict(x).dataSync())).toEqual(Array.from(m.predict(x).dataSync()));
    expect((back.layers[1] as bw.BatchNormalization).renormClipping).toEqual({ rmax: 3, rmin: 0.25, dmax: 5 });
  });

  test('calibration sets the moving stddev with the variance, so the next update stays consistent', async () => {
    bw.setBackend(backend);
    const l = bw.layers.batchNormalization({ renorm: true, inputShape: [2] });
    const m = bw.sequential({ layers: [l] });
    await m.calibrateBatchNorm(bw.tensor([[1, 10], [3, 30], [5, 20]]));
    const [, , mm, mv, ms] = l.getWeights().map((t) => t.dataSync());
    expectClose(mm, [3, 20], 'mean', 1e-6, 0);
    expectClose(mv, [8 / 3, 200 / 3], 'variance', 1e-6, 0);
    expectClose(ms, [Math.sqrt(8 / 3 + EPS), Math.sqrt(200 / 3 + EPS)], 'stddev', 1e-6, 0);
  });

  test('bad renorm options throw naming them', () => {
    const mk = (args: Record<string, unknown>) => () => bw.layers.batchNormalization(args as never);
    expect(mk({ renorm: 1 })).toThrow(/batchNormalization: renorm: expected true or false, got 1/);
    expect(mk({ renorm: true, renormClipping: { rmax: 1, rmin: 2 } })).toThrow(/rmax must be >= rmin, got rmax 1 and rmin 2/);
    expect(mk({ renorm: true, renormClipping: { dmax: -1 } })).toThrow(/renormClipping.dmax: expected a number >= 0, got -1/);
    expect(mk({ renorm: true, renormClipping: { rmaxx: 1 } })).toThrow(/renormClipping: unknown option 'rmaxx'/);
    expect(mk({ renorm: true, renormMomentum: 2 })).toThrow(/renormMomentum: expected a number in \[0, 1\], got 2/);
    expect(mk({ renormClipping: { rmax: 2 } })).toThrow(/renormClipping is only used with renorm: true/);
    expect(mk({ renorm: true, virtualBatchSize: 4 })).toThrow(/renorm and virtualBatchSize cannot be combined/);
  });
});

/** Accuracy of the model in training mode (each batch normalized with its own statistics), weights left as they were. */
function trainingModeAccuracy(m: bw.Sequential, batches: Array<readonly [bw.Tensor, bw.Tensor]>): number {
  const saved = m.getWeights();
  let correct = 0, total = 0;
  for (const [x, y] of batches) {
    const p = m.layers.reduce((a, l) => l.apply(a, { training: true }), x).arraySync() as number[][];
    const labels = y.dataSync();
    p.forEach((row, i) => { correct += row.indexOf(Math.max(...row)) === labels[i] ? 1 : 0; total++; });
  }
  m.setWeights(saved);
  return correct / total;
}

describe('what Batch Renormalization is for', () => {
  test.each(BACKENDS)('tiny batches of 2 and 4 rows (%s): the train/inference gap is smaller with renorm than with plain BN', async (backend) => {
    bw.setBackend(backend);
    const d = await loadDigits();
    const rand = mulberry32(3), order = [...Array(d.rows).keys()].sort(() => rand() - 0.5);
    const train = order.slice(0, 1000), held = order.slice(1000);
    const tensors = (ids: number[]) => [bw.tensor(Float32Array.from(ids.flatMap((r) => Array.from(d.x.subarray(r * 64, (r + 1) * 64)))), [ids.length, 64]),
      bw.tensor(Float32Array.from(ids, (r) => d.y[r]))] as const;
    const [xh, yh] = tensors(held);
    for (const size of [2, 4]) {
      const batches = Array.from({ length: 600 }, (_, s) => tensors(Array.from({ length: size }, (_, i) => train[(s * size + i) % train.length])));
      const run = (renorm: boolean) => {
        bw.setSeed(7);
        const m = bw.sequential({ layers: [
          bw.layers.dense({ units: 64, activation: 'relu', inputShape: [64] }),
          bw.layers.batchNormalization(renorm ? { renorm: true, renormClipping: { rmax: 3, rmin: 1 / 3, dmax: 5 } } : {}),
          bw.layers.dense({ units: 10, activation: 'softmax' }),
        ] });
        m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
        for (const [x, y] of batches) m.trainOnBatch(x, y);
        // the same last 100 batches in training mode (own batch statistics) and in inference mode (moving statistics)
        const last = batches.slice(-100);
        const training = trainingModeAccuracy(m, last);
        const inference = last.reduce((s, [x, y]) => s + m.evaluate(x, y).accuracy!, 0) / last.length;
        return { training, inference, gap: Math.abs(training - inference), heldOut: m.evaluate(xh, yh).accuracy! };
      };
      const plain = run(false), renorm = run(true);
      const show = (r: typeof plain) => `training mode ${r.training.toFixed(3)}, inference ${r.inference.toFixed(3)} (gap ${r.gap.toFixed(3)}), held out ${r.heldOut.toFixed(3)}`;
      console.log(`batches of ${size} on ${backend}: plain BN ${show(plain)}; renorm ${show(renorm)}`);
      expect(renorm.gap).toBeLessThan(plain.gap / 2);
      expect(plain.gap).toBeGreaterThan(0.02);
    }
  });
});
