/**
 * trainOnBatch's sampleWeight and classWeight: the same step as fit on that one batch (bitwise), against
 * TF.js's fit with classWeight (TF.js has no sampleWeight; class-determined sample weights stand in), the
 * weighted loss against a float64 sum of per-sample losses, and bad weights refused with the model unchanged.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { bw, copyWeightsToTf, expectClose, expectSameWeights, expectSameWeightsBw, randn, setupBoth, tf } from '../helpers/tfjs.js';

beforeAll(setupBoth);
const IN = 4, ROWS = 24;

function problem(seed: number) {
  const x = randn(ROWS * IN, seed, 0, 1), labels = new Float32Array(ROWS);
  for (let i = 0; i < ROWS; i++) labels[i] = x[i * IN] + 0.5 * x[i * IN + 1] > 0.4 ? 1 : 0;
  const onehot = Array.from(labels).flatMap((l) => (l ? [0, 1] : [1, 0]));
  return { x, labels, onehot };
}

/** Dense, BatchNormalization, Dense: BN makes the step depend on the whole batch at once. */
function layers(lib: typeof bw | typeof tf, units: number, activation: 'sigmoid' | 'softmax') {
  const l = lib.layers as typeof bw.layers & typeof tf.layers;
  return [l.dense({ units: 5, activation: 'relu', inputShape: [IN] }), l.batchNormalization({ momentum: 0.8 }), l.dense({ units, activation })];
}

/** Two bnwasm models with the same weights. */
function twins(units = 1, activation: 'sigmoid' | 'softmax' = 'sigmoid') {
  const a = bw.sequential({ layers: layers(bw, units, activation) as never });
  const b = bw.sequential({ layers: layers(bw, units, activation) as never });
  b.setWeights(a.getWeights());
  return [a, b];
}

const weightsOf = (rows: number) => Array.from({ length: rows }, (_, i) => [0.3, 1.7, 0, 2.2, 0.9][i % 5]);

describe('trainOnBatch with sampleWeight / classWeight', () => {
  test('sampleWeight: bitwise the same loss and weights as fit on that one batch (adam, BN)', async () => {
    bw.setSeed(21);
    const { x, labels } = problem(21), [a, b] = twins();
    for (const m of [a, b]) m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const X = bw.tensor(x, [ROWS, IN]), Y = bw.tensor(labels, [ROWS, 1]), sampleWeight = bw.tensor(weightsOf(ROWS));
    const plain = twins()[0];
    plain.setWeights(a.getWeights());
    plain.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const unweighted = plain.trainOnBatch(X, Y);
    const loss = a.trainOnBatch(X, Y, { sampleWeight });
    const h = await b.fit(X, Y, { epochs: 1, batchSize: ROWS, shuffle: false, sampleWeight });
    expect(loss).toBe(h.history.loss[0]);
    expect(loss).not.toBeCloseTo(unweighted, 3);
    expectSameWeightsBw(a, b);
    expect(() => expectSameWeightsBw(a, plain)).toThrow();
  });

  test('classWeight with sampleWeight ([rows, 1]): bitwise the same as fit on that one batch', async () => {
    bw.setSeed(22);
    const { x, onehot } = problem(22), [a, b] = twins(2, 'softmax');
    for (const m of [a, b]) m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.2 }), loss: 'categoricalCrossentropy' });
    const X = bw.tensor(x, [ROWS, IN]), Y = bw.tensor(onehot, [ROWS, 2]);
    const args = { classWeight: { 0: 0.3, 1: 2.5 }, sampleWeight: bw.tensor(weightsOf(ROWS), [ROWS, 1]) };
    const loss = a.trainOnBatch(X, Y, args);
    const h = await b.fit(X, Y, { epochs: 1, batchSize: ROWS, shuffle: false, ...args });
    expect(loss).toBe(h.history.loss[0]);
    expectSameWeightsBw(a, b);
  });

  test('classWeight, and sampleWeight set from the class, train like TF.js\'s fit with classWeight on one batch', async () => {
    bw.setSeed(23);
    const { x, labels, onehot } = problem(23);
    const classWeight = { 0: 0.5, 1: 3 };
    for (const by of ['classWeight', 'sampleWeight'] as const) {
      const m = bw.sequential({ layers: layers(bw, 2, 'softmax') as never });
      const t = tf.sequential({ layers: layers(tf, 2, 'softmax') as never });
      copyWeightsToTf(m, t);
      m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.3 }), loss: 'categoricalCrossentropy' });
      t.compile({ optimizer: tf.train.sgd(0.3), loss: 'categoricalCrossentropy' });
      const weights = by === 'classWeight' ? { classWeight } : { sampleWeight: bw.tensor(Array.from(labels, (l) => classWeight[l as 0 | 1])) };
      const loss = m.trainOnBatch(bw.tensor(x, [ROWS, IN]), bw.tensor(onehot, [ROWS, 2]), weights);
      const h = await t.fit(tf.tensor(x, [ROWS, IN]), tf.tensor(onehot, [ROWS, 2]), { epochs: 1, batchSize: ROWS, shuffle: false, classWeight });
      expectClose([loss], [h.history.loss[0] as number], `${by}: weighted loss`, 1e-5, 1e-7);
      expectSameWeights(m, t, 2e-5, 1e-6);
      m.dispose(); t.dispose();
    }
  });

  test('the returned loss is Σ wᵢ·lossᵢ / rows over per-sample losses (float64), taken before the update', () => {
    bw.setSeed(24);
    const { x, labels } = problem(24);
    const m = bw.sequential({ layers: [bw.layers.dense({ units: 3, activation: 'tanh', inputShape: [IN] }), bw.layers.dense({ units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const w = weightsOf(ROWS);
    const per = Array.from({ length: ROWS }, (_, i) => m.evaluate(bw.tensor(x.slice(i * IN, (i + 1) * IN), [1, IN]), bw.tensor([labels[i]], [1, 1])).loss);
    const want = per.reduce((s, l, i) => s + w[i] * l, 0) / ROWS;
    expectClose([m.trainOnBatch(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { sampleWeight: bw.tensor(w) })], [want], 'weighted loss', 1e-6, 1e-7);
  });

  test('bad weights and unknown options are errors naming them; the model is left as it was', () => {
    bw.setSeed(25);
    const { x, labels } = problem(25);
    const m = bw.sequential({ layers: [bw.layers.dense({ units: 3 }), bw.layers.batchNormalization(), bw.layers.dense({ units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const X = bw.tensor(x, [ROWS, IN]), Y = bw.tensor(labels, [ROWS, 1]);
    const bad = (args: object) => () => m.trainOnBatch(X, Y, args as never);
    // the first call would build the model: a refused one leaves it unbuilt
    expect(bad({ sampleWeight: bw.tensor([1, 2]) })).toThrow(/trainOnBatch: sampleWeight must hold one weight per sample \(shape \[24\] or \[24, 1\]\), got shape \[2\]/);
    expect(m.built).toBe(false);
    m.trainOnBatch(X, Y);
    const before = m.getWeights().map((t) => Array.from(t.dataSync())), iterations = m.optimizer!.iterations;
    const nan = weightsOf(ROWS); nan[3] = NaN;
    const negative = weightsOf(ROWS); negative[7] = -1;
    expect(bad({ sampleWeight: bw.tensor(nan) })).toThrow(/trainOnBatch: sampleWeight\[3\] must be a finite number >= 0, got NaN/);
    expect(bad({ sampleWeight: bw.tensor(negative) })).toThrow(/trainOnBatch: sampleWeight\[7\] must be a finite number >= 0, got -1/);
    expect(bad({ sampleWeight: bw.tensor(weightsOf(ROWS * 2), [ROWS, 2]) })).toThrow(/trainOnBatch: sampleWeight must hold one weight per sample/);
    expect(bad({ classWeight: { 1: -2 } })).toThrow(/trainOnBatch: classWeight\[1\] must be a finite number >= 0, got -2/);
    expect(bad({ classWeight: { a: 1 } })).toThrow(/trainOnBatch: classWeight keys must be class indices/);
    expect(bad({ classWeight: [1, 2] })).toThrow(/trainOnBatch: classWeight: expected an object mapping class indices to weights/);
    expect(bad({ sampleWeights: bw.tensor(weightsOf(ROWS)) })).toThrow(/trainOnBatch: unknown option 'sampleWeights'; expected one of sampleWeight, classWeight/);
    expect(bad(null as never)).toThrow(/trainOnBatch: expected an options object/);
    expect(m.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(before);
    expect(m.optimizer!.iterations).toBe(iterations);
  });
});
