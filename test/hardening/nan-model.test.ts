/**
 * NaN reaching a model: predictions, evaluate and model files with impossible statistics give NaN, as
 * TF.js does on the same weights, instead of a finite, confident answer. Both backends.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { act, bn, buildBw, buildTf, copyWeightsToTf, dense, setupBoth, tf, type LayerSpec } from '../helpers/tfjs.js';
import { BACKENDS, bw } from './helpers.js';

beforeAll(setupBoth);

/** Dense(linear) → BN → relu → Dense(softmax): BN folds into the first Dense and relu into its epilogue. */
const SPECS: LayerSpec[] = [dense({ units: 4, inputShape: [3] }), bn(), act('relu'), dense({ units: 3, activation: 'softmax' })];

function twins(seed: number): { m: bw.Sequential; t: tf.LayersModel } {
  bw.setSeed(seed);
  const m = buildBw(SPECS), t = buildTf(SPECS);
  copyWeightsToTf(m, t);
  return { m, t };
}

const nanRows = (v: ArrayLike<number>, cols: number) => Array.from({ length: v.length / cols }, (_, i) => Array.from(v).slice(i * cols, (i + 1) * cols).every(Number.isNaN));

describe.each(BACKENDS)('NaN reaching a model on %s', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('predict on a NaN input gives NaN probabilities, as TF.js (was [0.33, 0.33, 0.33]-like finite values)', () => {
    const { m, t } = twins(3);
    const x = [[NaN, 1, 2], [0.5, -1, 2], [1, Infinity, 0]];
    const got = m.predict(bw.tensor(x)).dataSync(), want = (t.predict(tf.tensor(x)) as tf.Tensor).dataSync();
    expect(nanRows(want, 3)).toEqual([true, false, true]);
    expect(nanRows(got, 3)).toEqual(nanRows(want, 3));
    expect(Array.from(got.slice(3, 6)).every(Number.isFinite)).toBe(true);
  });

  test('a model whose moving variance is negative predicts NaN, as TF.js (was a flat 1/3 per class)', () => {
    const { m, t } = twins(4);
    const w = m.getWeights();
    // kernel, bias, gamma, beta, moving mean, moving variance, ...
    w[5] = bw.tensor([1, -0.5, 1, 1]);
    m.setWeights(w);
    copyWeightsToTf(m, t);
    const x = [[1, 2, 3], [0, 0, 0]];
    const got = m.predict(bw.tensor(x)).dataSync(), want = (t.predict(tf.tensor(x)) as tf.Tensor).dataSync();
    expect(nanRows(want, 3)).toEqual([true, true]);
    expect(nanRows(got, 3)).toEqual([true, true]);
  });

  test('evaluate on a NaN row: the loss is NaN and the row is not counted as correct', () => {
    const { m } = twins(5);
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = [[0.5, -1, 2], [1, 0, -1]];
    const p = m.predict(bw.tensor(x)).dataSync();
    const argmax = (r: number) => [0, 1, 2].reduce((b, j) => (p[r * 3 + j] > p[r * 3 + b] ? j : b), 0);
    // targets: both rows labelled with their predicted class, so both are correct; then row 0 turns NaN
    const y = [0, 1].map((r) => [0, 1, 2].map((j) => (j === argmax(r) ? 1 : 0)));
    expect(m.evaluate(bw.tensor(x), bw.tensor(y)).accuracy).toBe(1);
    const bad = m.evaluate(bw.tensor([[NaN, -1, 2], x[1]]), bw.tensor(y));
    expect(bad.loss).toBeNaN();
    expect(bad.accuracy).toBe(0.5);
    // an all-NaN row whose label is class 0 (where a first-index argmax would land) is not correct either
    const y0 = [[1, 0, 0], y[1]];
    expect(m.evaluate(bw.tensor([[NaN, -1, 2], x[1]]), bw.tensor(y0)).accuracy).toBe(0.5);
  });

  test('binary accuracy: a NaN probability is neither above nor below 0.5, so never correct', () => {
    bw.setSeed(6);
    const m = bw.sequential({ layers: [bw.layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const r = m.evaluate(bw.tensor([[NaN, 1], [NaN, 2]]), bw.tensor([[0], [1]]));
    expect(r.loss).toBeNaN();
    expect(r.accuracy).toBe(0);
  });
});
