/**
 * compile's weightedMetrics: each listed metric computed with the samples' weights (Σ w·v / Σ w; confusion
 * counts Σ w), logged under its own name or, when a plain metric has that name, `weighted_<name>` (Keras 3).
 * Checked against float64 sums over the model's outputs, and against the plain metric on rows repeated as
 * many times as their (integer) weight.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { bw, expectClose, randn } from '../helpers/tfjs.js';

beforeAll(() => bw.ready());
const IN = 3, ROWS = 24;

function setup(seed: number) {
  bw.setSeed(seed);
  const x = randn(ROWS * IN, seed, 0, 1), labels = new Float32Array(ROWS);
  for (let i = 0; i < ROWS; i++) labels[i] = x[i * IN] - 0.7 * x[i * IN + 2] > 0.2 ? 1 : 0;
  const m = bw.sequential({ layers: [bw.layers.dense({ units: 4, activation: 'tanh', inputShape: [IN] }), bw.layers.dense({ units: 1, activation: 'sigmoid' })] });
  return { m, x, labels, X: bw.tensor(x, [ROWS, IN]), Y: bw.tensor(labels, [ROWS, 1]) };
}

/** Integer weights 0..3, so a weighted metric equals the plain one on rows repeated w times. */
const W = Array.from({ length: ROWS }, (_, i) => (i * 7) % 4);

/** Weighted accuracy, mae, precision, recall of outputs p on labels t (float64). */
function reference(p: ArrayLike<number>, t: ArrayLike<number>, w: number[]) {
  let sw = 0, hits = 0, ae = 0, tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < w.length; i++) {
    const pos = p[i] > 0.5, label = t[i] !== 0;
    sw += w[i]; ae += w[i] * Math.abs(p[i] - t[i]);
    if (pos === label) hits += w[i];
    if (pos && label) tp += w[i]; else if (pos) fp += w[i]; else if (label) fn += w[i];
  }
  return { accuracy: hits / sw, mae: ae / sw, precision: tp / (tp + fp), recall: tp / (tp + fn) };
}

describe('compile({ weightedMetrics })', () => {
  test('evaluate: Σ w·v / Σ w over the outputs (float64), weighted_ prefix only where a plain metric has the name', () => {
    const { m, X, Y, labels } = setup(31);
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'], weightedMetrics: ['accuracy', 'mae', 'precision', 'recall'] });
    expect(m.weightedMetrics).toEqual(['accuracy', 'mae', 'precision', 'recall']);
    const p = m.predict(X).dataSync(), want = reference(p, labels, W), plain = reference(p, labels, W.map(() => 1));
    const r = m.evaluate(X, Y, { sampleWeight: bw.tensor(W), batchSize: 7 });
    expect(Object.keys(r)).toEqual(['loss', 'accuracy', 'weighted_accuracy', 'mae', 'precision', 'recall']);
    expectClose([r.accuracy], [plain.accuracy], 'plain accuracy', 1e-7, 1e-7);
    expectClose([r.weighted_accuracy, r.mae, r.precision, r.recall], [want.accuracy, want.mae, want.precision, want.recall], 'weighted', 1e-6, 1e-7);
    expect(r.weighted_accuracy).not.toBeCloseTo(plain.accuracy, 3);
    // no weights given: the weighted metric is the plain one (Keras passes sample_weight=None)
    const u = m.evaluate(X, Y);
    expect(u.weighted_accuracy).toBe(u.accuracy);
    expect(m.metricDirection('weighted_accuracy')).toBe('up');
    expect(m.metricDirection('mae')).toBe('down');
  });

  test('every metric, auc included, equals the plain metric on rows repeated by their integer weight; classWeight counts too', () => {
    const { m, x, labels, X, Y } = setup(32);
    const names = ['accuracy', 'mae', 'mse', 'precision', 'recall', 'auc'] as const;
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', weightedMetrics: [...names] });
    const rx: number[] = [], ry: number[] = [];
    W.forEach((w, i) => { for (let k = 0; k < w; k++) { rx.push(...x.slice(i * IN, (i + 1) * IN)); ry.push(labels[i]); } });
    const plain = bw.sequential({ layers: [bw.layers.dense({ units: 4, activation: 'tanh', inputShape: [IN] }), bw.layers.dense({ units: 1, activation: 'sigmoid' })] });
    plain.setWeights(m.getWeights());
    plain.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: [...names] });
    const want = plain.evaluate(bw.tensor(rx, [ry.length, IN]), bw.tensor(ry, [ry.length, 1]));
    const got = m.evaluate(X, Y, { sampleWeight: bw.tensor(W) });
    for (const n of names) expectClose([got[n]], [want[n]], n, 1e-6, 1e-7);
    const cw = { 0: 2, 1: 0.5 }, byClass = Array.from(labels, (l) => (l ? 0.5 : 2));
    const a = m.evaluate(X, Y, { classWeight: cw }), b = m.evaluate(X, Y, { sampleWeight: bw.tensor(byClass) });
    for (const n of names) expect(a[n], n).toBe(b[n]);
  });

  test('fit logs the weighted metric for training (outputs before the step) and validation (after), Keras\'s names', async () => {
    const { m, X, Y, labels } = setup(33);
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.5 }), loss: 'binaryCrossentropy', metrics: ['accuracy'], weightedMetrics: ['accuracy', 'recall'] });
    const train = 18, before = m.predict(X).dataSync();
    const h = await m.fit(X, Y, { epochs: 1, batchSize: train, shuffle: false, validationSplit: 0.25, sampleWeight: bw.tensor(W), classWeight: { 1: 3 } });
    const after = m.predict(X).dataSync();
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'recall', 'val_accuracy', 'val_loss', 'val_recall', 'val_weighted_accuracy', 'weighted_accuracy'].sort());
    const tw = W.slice(0, train).map((w, i) => w * (labels[i] ? 3 : 1)); // classWeight weighs the training rows only
    const t = reference(before.slice(0, train), labels.slice(0, train), tw), v = reference(after.slice(train), labels.slice(train), W.slice(train));
    expectClose([h.history.weighted_accuracy[0], h.history.recall[0]], [t.accuracy, t.recall], 'training', 1e-6, 1e-7);
    expectClose([h.history.val_weighted_accuracy[0], h.history.val_recall[0]], [v.accuracy, v.recall], 'validation', 1e-6, 1e-7);
  });

  test('bad weightedMetrics are errors naming them', () => {
    const { m } = setup(34);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', weightedMetrics: ['accuracy', 'f1'] })).toThrow(/compile: weightedMetrics\[1\]/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', weightedMetrics: 'mae' as never })).toThrow(/compile: weightedMetrics: expected an array of metric names/);
    expect(m.optimizer).toBe(null);
  });
});

test('softmax with sparse labels: weighted accuracy and mse equal the plain ones on rows repeated by their weight', () => {
  bw.setSeed(35);
  const x = randn(ROWS * IN, 35, 0, 1), labels = Float32Array.from({ length: ROWS }, (_, i) => (x[i * IN] > 0.3 ? 2 : x[i * IN + 1] > 0 ? 1 : 0));
  const model = () => bw.sequential({ layers: [bw.layers.dense({ units: 5, activation: 'relu', inputShape: [IN] }), bw.layers.dense({ units: 3, activation: 'softmax' })] });
  const m = model(), plain = model();
  plain.setWeights(m.getWeights());
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', weightedMetrics: ['accuracy', 'mse'] });
  plain.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'mse'] });
  const rx: number[] = [], ry: number[] = [];
  W.forEach((w, i) => { for (let k = 0; k < w; k++) { rx.push(...x.slice(i * IN, (i + 1) * IN)); ry.push(labels[i]); } });
  const want = plain.evaluate(bw.tensor(rx, [ry.length, IN]), bw.tensor(ry, [ry.length]));
  const got = m.evaluate(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS]), { sampleWeight: bw.tensor(W), batchSize: 5 });
  expectClose([got.accuracy, got.mse], [want.accuracy, want.mse], 'categorical', 1e-6, 1e-7);
  expect(got.accuracy).not.toBeCloseTo(m.evaluate(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS])).accuracy, 4);
});
