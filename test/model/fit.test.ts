/**
 * model.fit: History keys, callbacks (counts and logs), validationSplit (the LAST rows, taken before
 * shuffling, as Keras), seeded determinism, identical trajectories on both backends, a smaller last batch,
 * and parity with TF.js fit when shuffling is off.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  BACKENDS, bn, buildBw, buildTf, bw, bwWeights, copyWeightsToTf, dense, expectClose, expectSameWeights,
  expectSameWeightsBw, labels, oneHot, randn, setupBoth, tf, type LayerSpec,
} from '../helpers/tfjs.js';

beforeAll(setupBoth);

const IN = 6, CLASSES = 3;
const specs = (): LayerSpec[] => [
  dense({ units: 8, activation: 'relu', inputShape: [IN] }), bn({ momentum: 0.9 }), dense({ units: CLASSES, activation: 'softmax' }),
];
function data(rows: number, seed: number) {
  const x = randn(rows * IN, seed), ls = labels(rows, CLASSES, seed + 1);
  // make the labels learnable: shift the inputs by the class
  for (let i = 0; i < rows; i++) x[i * IN + ls[i]] += 2;
  return { x, y: oneHot(ls, CLASSES), rows };
}
const X = (d: { x: Float32Array; rows: number }, from = 0, to = d.rows) => bw.tensor(d.x.slice(from * IN, to * IN), [to - from, IN]);
const Y = (d: { y: Float32Array; rows: number }, from = 0, to = d.rows) => bw.tensor(d.y.slice(from * CLASSES, to * CLASSES), [to - from, CLASSES]);

function model(seed: number): bw.Sequential {
  bw.setSeed(seed);
  const m = buildBw(specs());
  m.compile({ optimizer: bw.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe.each(BACKENDS)('fit on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('History keys: loss, accuracy, val_loss, val_accuracy, one value per epoch', async () => {
    const d = data(40, 1);
    const h = await model(1).fit(X(d), Y(d), { epochs: 3, batchSize: 8, validationSplit: 0.25 });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    for (const v of Object.values(h.history)) {
      expect(v).toHaveLength(3);
      expect(v.every(Number.isFinite)).toBe(true);
    }
    expect(h.epoch).toEqual([0, 1, 2]);
    const plain = await model(1).fit(X(d), Y(d), { epochs: 2 });
    expect(Object.keys(plain.history).sort()).toEqual(['accuracy', 'loss']);
    const m = buildBw(specs());
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const noMetric = await m.fit(X(d), Y(d), { epochs: 2, validationData: [X(d, 0, 5), Y(d, 0, 5)] });
    expect(Object.keys(noMetric.history).sort()).toEqual(['loss', 'val_loss']);
  });

  test('callbacks: onBatchEnd once per batch (smaller last batch included) and onEpochEnd once per epoch, with the right logs', async () => {
    const d = data(50, 2);
    const batches: Array<[number, Record<string, number>]> = [], epochs: Array<[number, Record<string, number>]> = [];
    const h = await model(2).fit(X(d), Y(d), {
      epochs: 3, batchSize: 16,
      callbacks: {
        onBatchEnd: (b, logs) => { batches.push([b, { ...logs }]); },
        onEpochEnd: (e, logs) => { epochs.push([e, { ...logs }]); },
      },
    });
    expect(batches.map(([b]) => b)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect(batches.map(([, l]) => l.size)).toEqual([16, 16, 16, 2, 16, 16, 16, 2, 16, 16, 16, 2]);
    for (const [b, l] of batches) {
      expect(l.batch).toBe(b);
      expect(Number.isFinite(l.loss)).toBe(true);
      expect(l.accuracy).toBeGreaterThanOrEqual(0);
      expect(l.accuracy).toBeLessThanOrEqual(1);
    }
    expect(epochs.map(([e]) => e)).toEqual([0, 1, 2]);
    epochs.forEach(([e, logs]) => {
      expect(logs.loss).toBe(h.history.loss[e]);
      expect(logs.accuracy).toBe(h.history.accuracy[e]);
      // the epoch's loss is the mean over samples, i.e. batch losses weighted by batch size (Keras, TF.js)
      const mine = batches.slice(4 * e, 4 * e + 4);
      const weighted = mine.reduce((s, [, l]) => s + l.loss * l.size, 0) / 50;
      expectClose([logs.loss], [weighted], `epoch ${e} loss`, 1e-6, 1e-9);
      const acc = mine.reduce((s, [, l]) => s + l.accuracy * l.size, 0) / 50;
      expectClose([logs.accuracy], [acc], `epoch ${e} accuracy`, 1e-6, 1e-9);
    });
  });

  test('validationSplit takes the LAST fraction of rows, before shuffling (Keras)', async () => {
    const d = data(50, 3);
    // with validationSplit 0.2 the model must train exactly as on the first 40 rows alone (same seed, same
    // shuffles), and validate on rows 40..49
    const a = model(7);
    const ha = await a.fit(X(d), Y(d), { epochs: 2, batchSize: 8, validationSplit: 0.2 });
    const b = model(7);
    const hb = await b.fit(X(d, 0, 40), Y(d, 0, 40), { epochs: 2, batchSize: 8 });
    expect(ha.history.loss).toEqual(hb.history.loss);
    expectSameWeightsBw(a, b);
    const v = a.evaluate(X(d, 40, 50), Y(d, 40, 50));
    expectClose([ha.history.val_loss[1], ha.history.val_accuracy[1]], [v.loss, v.accuracy!], 'val_loss/val_accuracy = evaluate(last 10 rows)', 1e-6, 1e-7);
  });

  test('validationSplit and a smaller last batch match TF.js fit (shuffle off)', async () => {
    const d = data(47, 4); // 37 training rows after the split: batches of 16, 16, 5
    bw.setSeed(4);
    const m = buildBw(specs()), t = buildTf(specs());
    copyWeightsToTf(m, t);
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    t.compile({ optimizer: tf.train.momentum(0.1, 0.9), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const sizes: number[] = [];
    const hm = await m.fit(X(d), Y(d), { epochs: 3, batchSize: 16, shuffle: false, validationSplit: 0.2, callbacks: { onBatchEnd: (_b, l) => { sizes.push(l.size); } } });
    const ht = await t.fit(tf.tensor(d.x, [47, IN]), tf.tensor(d.y, [47, CLASSES]), { epochs: 3, batchSize: 16, shuffle: false, validationSplit: 0.2 });
    expect(sizes.slice(0, 3)).toEqual([16, 16, 5]);
    expectClose(hm.history.loss, ht.history.loss as number[], 'loss', 1e-4, 1e-6);
    expectClose(hm.history.accuracy, (ht.history.acc ?? ht.history.accuracy) as number[], 'accuracy', 1e-6, 1e-6);
    expectClose(hm.history.val_loss, ht.history.val_loss as number[], 'val_loss', 1e-4, 1e-6);
    expectClose(hm.history.val_accuracy, (ht.history.val_acc ?? ht.history.val_accuracy) as number[], 'val_accuracy', 1e-6, 1e-6);
    expectSameWeights(m, t, 1e-4, 1e-5);
  });

  test('a smaller last batch (23 rows, batchSize 5) matches TF.js fit, MSE + Adam', async () => {
    bw.setSeed(9);
    const s: LayerSpec[] = [dense({ units: 5, activation: 'tanh', inputShape: [4] }), bn({ momentum: 0.7 }), dense({ units: 2 })];
    const m = buildBw(s), t = buildTf(s);
    copyWeightsToTf(m, t);
    m.compile({ optimizer: bw.optimizers.adam({ learningRate: 0.02 }), loss: 'meanSquaredError' });
    t.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
    const x = randn(23 * 4, 90), y = randn(23 * 2, 91);
    const hm = await m.fit(bw.tensor(x, [23, 4]), bw.tensor(y, [23, 2]), { epochs: 3, batchSize: 5, shuffle: false });
    const ht = await t.fit(tf.tensor(x, [23, 4]), tf.tensor(y, [23, 2]), { epochs: 3, batchSize: 5, shuffle: false });
    expectClose(hm.history.loss, ht.history.loss as number[], 'loss', 1e-4, 1e-6);
    expectSameWeights(m, t, 1e-4, 1e-5);
  });

  test('seeded determinism: bw.setSeed(s) twice gives identical histories and weights; another seed differs', async () => {
    const d = data(60, 5);
    const run = async (seed: number) => {
      const m = model(seed); // the seed also drives the initializers
      const h = await m.fit(X(d), Y(d), { epochs: 3, batchSize: 8, validationSplit: 0.2 });
      return { h: h.history, w: bwWeights(m).map((w) => Array.from(w.data)) };
    };
    const a = await run(123), b = await run(123), c = await run(124);
    expect(a.h).toEqual(b.h);
    expect(a.w).toEqual(b.w);
    expect(c.h.loss).not.toEqual(a.h.loss);
  });
});

test('both backends give the same fit trajectory (within 1e-4)', async () => {
  const d = data(64, 6);
  const run = async (backend: 'wasm' | 'js') => {
    bw.setBackend(backend);
    const m = model(31);
    const h = await m.fit(X(d), Y(d), { epochs: 4, batchSize: 10 });
    return { m, h: h.history };
  };
  const w = await run('wasm'), j = await run('js');
  expectClose(w.h.loss, j.h.loss, 'loss per epoch', 1e-4, 1e-6);
  expectClose(w.h.accuracy, j.h.accuracy, 'accuracy per epoch', 1e-4, 1e-6);
  expectSameWeightsBw(w.m, j.m, 1e-4, 1e-5);
  bw.setBackend('wasm');
});
