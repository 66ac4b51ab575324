/**
 * model.calibrateBatchNorm against the float64 reference (test/reference/calibrate.ts) on both backends:
 * one batch and many, BN after Dense layers and BN first, every rank (2, 3, 4) and several axes, frozen
 * layers, Dropout, argument errors that change nothing, and the pitfall it cures (digits with an offset,
 * few steps: the moving averages predict badly, the calibrated statistics well).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { heap } from '../../src/backend/runtime.js';
import { populationStatistics, type RefLayer } from '../reference/calibrate.js';
import { BACKENDS, bw, expectClose, loadDigits, mulberry32, randn, setupBoth } from '../helpers/tfjs.js';

beforeAll(setupBoth);

const sizeOf = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** The reference's view of a bnwasm model (weights as they are now). */
function refLayers(m: bw.Sequential): RefLayer[] {
  return m.layers.map((l): RefLayer => {
    const w = l.getWeights().map((t) => t.dataSync());
    if (l instanceof bw.Dense) {
      return { kind: 'dense', kernel: w[0], bias: l.useBias ? w[1] : null, units: l.units, activation: l.activation as 'linear' | 'relu' | 'tanh' };
    }
    if (l instanceof bw.BatchNormalization) {
      const gamma = l.scale ? w.shift()! : null, beta = l.center ? w.shift()! : null;
      return { kind: 'bn', axis: l.axis, epsilon: l.epsilon, trainable: l.trainable, gamma, beta, movingMean: w[0], movingVariance: w[1] };
    }
    return { kind: 'identity' };
  });
}

/** [moving mean, moving variance] of every BN layer. */
function movingStats(m: bw.Sequential): Float32Array[][] {
  return m.layers.filter((l) => l instanceof bw.BatchNormalization).map((l) => l.getWeights().slice(-2).map((t) => t.dataSync()));
}

/** Checks every trainable BN layer's moving statistics against the reference computed before calibration. */
async function expectCalibrated(m: bw.Sequential, x: Float32Array, shape: number[], rows: number, batchSize: number, rtol = 2e-5) {
  const want = populationStatistics(refLayers(m), x, rows, shape, batchSize);
  await m.calibrateBatchNorm(bw.tensor(x, [rows, ...shape]), { batchSize });
  m.layers.forEach((l, i) => {
    const w = want[i];
    if (!w) return;
    const [mm, mv] = l.getWeights().slice(-2).map((t) => t.dataSync());
    // the mean's error scales with the spread as well as the mean (offset data): tolerance from both
    const spread = Math.max(...w.variance.map(Math.sqrt));
    expectClose(mm, w.mean, `${l.name} mean (batch ${batchSize})`, rtol, rtol * spread + 1e-7);
    expectClose(mv, w.variance, `${l.name} variance (batch ${batchSize})`, 4 * rtol, 1e-7);
  });
}

describe.each(BACKENDS)('calibrateBatchNorm on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  /** Dense(tanh) -> BN -> Dense(relu) -> BN -> Dense, trained a few steps so no weight is at its initial value. */
  function mlp(inputs: number, seed: number) {
    bw.setSeed(seed);
    const m = bw.sequential({ layers: [
      bw.layers.dense({ units: 6, activation: 'tanh', inputShape: [inputs] }),
      bw.layers.batchNormalization({ momentum: 0.5 }),
      bw.layers.dense({ units: 5, activation: 'relu' }),
      bw.layers.batchNormalization({ center: seed % 2 === 0, scale: seed % 3 !== 0 }),
      bw.layers.dense({ units: 2 }),
    ] });
    m.compile({ optimizer: bw.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
    for (let s = 0; s < 3; s++) m.trainOnBatch(bw.tensor(randn(8 * inputs, seed + s, 3, 2), [8, inputs]), bw.tensor(randn(16, seed + 10 + s), [8, 2]));
    return m;
  }

  test.each([1, 7, 13, 50, 64])('MLP, 50 rows offset by +40, batchSize %i: population statistics of each BN input', async (batchSize) => {
    bw.setBackend(backend);
    const m = mlp(4, 31 + batchSize);
    await expectCalibrated(m, randn(50 * 4, 5, 40, 3), [4], 50, batchSize);
  });

  // rank 3 and 4 inputs, the feature axis anywhere; a second BN over another axis sees the first's batch-normalized output
  const CASES: Array<{ shape: number[]; axes: number[] }> = [
    { shape: [5], axes: [-1, 1] },
    { shape: [3, 4], axes: [1, -1] },
    { shape: [3, 4], axes: [2, -2] },
    { shape: [2, 3, 4], axes: [1, 3] },
    { shape: [2, 3, 4], axes: [2, -1] },
    { shape: [2, 3, 4], axes: [-1, -3] },
  ];
  describe.each(CASES)('BN(axis $axes.0) -> BN(axis $axes.1) on [N, $shape]', ({ shape, axes }) => {
    test.each([1, 4, 11, 40])('batchSize %i', async (batchSize) => {
      bw.setBackend(backend);
      const m = bw.sequential({ layers: [
        bw.layers.batchNormalization({ axis: axes[0], inputShape: shape }),
        bw.layers.batchNormalization({ axis: axes[1], epsilon: 0.01 }),
      ] });
      const rows = 11, rng = mulberry32(batchSize);
      // features with different offsets and spreads, so a wrong axis or a wrong pooling shows
      const x = randn(rows * sizeOf(shape), 3 + batchSize, 0, 1).map((v, i) => 100 * (i % 7) + v * (1 + (i % 5)) + rng());
      await expectCalibrated(m, x, shape, rows, batchSize);
    });
  });

  test('a BN first: the result is exactly the data mean and biased variance, for any batch size', async () => {
    bw.setBackend(backend);
    const rows = 37, x = randn(rows * 3, 8, 1000, 0.5);
    const want = populationStatistics([{ kind: 'bn', axis: -1, epsilon: 1e-3, trainable: true, gamma: null, beta: null, movingMean: [0, 0, 0], movingVariance: [1, 1, 1] }], x, rows, [3], rows)[0]!;
    for (const batchSize of [1, 2, 5, 36, 37, 100]) {
      const m = bw.sequential({ layers: [bw.layers.batchNormalization({ inputShape: [3] })] });
      await m.calibrateBatchNorm(bw.tensor(x, [rows, 3]), { batchSize });
      const [mm, mv] = movingStats(m)[0];
      expectClose(mm, want.mean, `mean, batch ${batchSize}`, 1e-7, 0);
      expectClose(mv, want.variance, `variance, batch ${batchSize}`, 1e-4, 0);
    }
    // one row per batch: a mean of per-batch variances would be 0
    expect(want.variance[0]).toBeGreaterThan(0.1);
  });

  test('weights, optimizer state and frozen layers are left alone; Dropout is off', async () => {
    bw.setBackend(backend);
    bw.setSeed(3);
    const frozen = bw.layers.batchNormalization({ trainable: false });
    const m = bw.sequential({ layers: [
      bw.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }),
      frozen,
      bw.layers.dropout({ rate: 0.5 }),
      bw.layers.dense({ units: 4 }),
      bw.layers.batchNormalization(),
      bw.layers.dense({ units: 1 }),
    ] });
    m.compile({ optimizer: bw.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
    frozen.setWeights([[1.5, 0.5, 2, 1], [0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4], [2, 2, 2, 2]].map((v) => bw.tensor(v)));
    for (let s = 0; s < 3; s++) m.trainOnBatch(bw.tensor(randn(30, 40 + s), [10, 3]), bw.tensor(randn(10, 50 + s), [10, 1]));
    const slots = () => m.layers.flatMap((l) => l.weights().flatMap((p) => p.slots.map((s) => Array.from(heap().f32(s)))));
    const slotsBefore = slots();
    expect(slotsBefore.length).toBeGreaterThan(0);
    const before = m.getWeights().map((t) => t.dataSync());
    const iterations = m.optimizer!.iterations;
    const x = randn(40 * 3, 9, 2, 1);
    await expectCalibrated(m, x, [3], 40, 16);
    const after = m.getWeights().map((t) => t.dataSync());
    // the only change: the last BN's moving mean and variance (weights 10, 11 of 14)
    after.forEach((w, i) => {
      if (i === 10 || i === 11) expect(Array.from(w)).not.toEqual(Array.from(before[i]));
      else expect(Array.from(w), `weight ${i}`).toEqual(Array.from(before[i]));
    });
    expect(m.optimizer!.iterations).toBe(iterations);
    expect(slots()).toEqual(slotsBefore);
  });

  test('bad arguments throw an Error naming them, and change nothing', async () => {
    bw.setBackend(backend);
    const m = mlp(4, 2);
    const before = movingStats(m);
    const x = bw.tensor(randn(12, 1), [3, 4]);
    const bad: Array<[() => Promise<void>, RegExp]> = [
      [() => m.calibrateBatchNorm(x, { batchSize: 0 }), /batchSize: expected an integer >= 1, got 0/],
      [() => m.calibrateBatchNorm(x, { batchSize: 2.5 }), /batchSize: expected an integer >= 1, got 2.5/],
      [() => m.calibrateBatchNorm(x, { batchSize: '8' as unknown as number }), /batchSize: expected an integer >= 1, got "8"/],
      [() => m.calibrateBatchNorm(x, { batch: 8 } as never), /unknown option 'batch'/],
      [() => m.calibrateBatchNorm(bw.tensor(randn(15, 1), [3, 5])), /calibrateBatchNorm: x: expected inputs of shape \[batch, 4\], got \[3, 5\]/],
      [() => m.calibrateBatchNorm(bw.tensor([1, 2, 3, 4])), /calibrateBatchNorm: x: expected a batch of inputs/],
      [() => m.calibrateBatchNorm('x' as never), /calibrateBatchNorm: x/],
      [() => m.calibrateBatchNorm(bw.tensor([[1, 2, NaN, 4], [1, 2, 3, 4]])), /non-finite statistics.*no statistics were changed/],
    ];
    for (const [call, message] of bad) await expect(call()).rejects.toThrow(message);
    expect(movingStats(m)).toEqual(before);
    m.dispose();
    await expect(m.calibrateBatchNorm(x)).rejects.toThrow(/calibrateBatchNorm: model '.*' was disposed/);
  });

  test('an unbuilt model is built from x (as predict); a model without BN is left as it is', async () => {
    bw.setBackend(backend);
    const m = bw.sequential({ layers: [bw.layers.batchNormalization()] });
    await m.calibrateBatchNorm(bw.tensor([[1, 10], [3, 30]]));
    const [mm, mv] = movingStats(m)[0];
    expectClose(mm, [2, 20], 'mean', 1e-7, 0);
    expectClose(mv, [1, 100], 'variance', 1e-6, 0);
    const plain = bw.sequential({ layers: [bw.layers.dense({ units: 2, inputShape: [2] })] });
    const w = plain.getWeights().map((t) => t.dataSync());
    await plain.calibrateBatchNorm(bw.tensor([[1, 2]]));
    expect(plain.getWeights().map((t) => t.dataSync())).toEqual(w);
  });
});

describe('the pitfall it cures: few steps on offset features', () => {
  test.each(BACKENDS)('raw digits pixels + 100, Dense(32, relu) -> BN -> Dense(10, softmax), 96 Adam steps (%s): moving averages predict badly, calibrated well', async (backend) => {
    bw.setBackend(backend);
    await setupBoth();
    const d = await loadDigits();
    const rand = mulberry32(7), order = [...Array(d.rows).keys()].sort(() => rand() - 0.5);
    const pick = (ids: number[]) => ({
      x: bw.tensor(Float32Array.from(ids.flatMap((r) => Array.from(d.x.subarray(r * 64, (r + 1) * 64), (v) => 16 * v + 100))), [ids.length, 64]),
      y: bw.tensor(Float32Array.from(ids, (r) => d.y[r])),
    });
    const train = pick(order.slice(0, 240)), held = pick(order.slice(240, 840));
    bw.setSeed(1);
    const m = bw.sequential({ layers: [
      bw.layers.dense({ units: 32, activation: 'relu', inputShape: [64] }),
      bw.layers.batchNormalization(),
      bw.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    m.compile({ optimizer: bw.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await m.fit(train.x, train.y, { epochs: 12, batchSize: 30 }); // 8 steps an epoch: 96 steps
    const moving = m.evaluate(held.x, held.y).accuracy!;
    await m.calibrateBatchNorm(train.x);
    const calibrated = m.evaluate(held.x, held.y).accuracy!;
    console.log(`raw digits + 100 on ${backend}: held-out accuracy ${moving.toFixed(3)} with moving averages, ${calibrated.toFixed(3)} calibrated`);
    expect(moving).toBeLessThan(0.5);
    expect(calibrated).toBeGreaterThan(0.8);
  });
});
