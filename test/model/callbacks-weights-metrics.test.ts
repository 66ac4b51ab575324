/**
 * fit's callbacks (an object or an array; earlyStopping, reduceLROnPlateau, learningRateScheduler),
 * yieldEvery, classWeight/sampleWeight in fit and evaluate, and the added metrics, against TF.js where it
 * has the feature and against Keras 3's definitions (float64) where it does not.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { bw, copyWeightsToTf, expectClose, expectSameWeights, randn, setupBoth, tf } from '../helpers/tfjs.js';
import { mulberry32 } from '../helpers/rng.js';

beforeAll(setupBoth);
const IN = 4, ROWS = 60;

/** A small two-class problem, classes 3:1 (so class weights matter). */
function problem(seed = 1) {
  const x = randn(ROWS * IN, seed, 0, 1), labels = new Float32Array(ROWS);
  for (let i = 0; i < ROWS; i++) labels[i] = x[i * IN] + 0.5 * x[i * IN + 1] > 0.6 ? 1 : 0;
  return { x, labels };
}

function pair(out: 'sigmoid' | 'softmax', units = out === 'softmax' ? 2 : 1) {
  const m = bw.sequential({ layers: [
    bw.layers.dense({ units: 6, activation: 'relu', inputShape: [IN] }), bw.layers.batchNormalization({ momentum: 0.8 }),
    bw.layers.dense({ units, activation: out }),
  ] });
  const t = tf.sequential({ layers: [
    tf.layers.dense({ units: 6, activation: 'relu', inputShape: [IN] }), tf.layers.batchNormalization({ momentum: 0.8 }),
    tf.layers.dense({ units, activation: out }),
  ] });
  copyWeightsToTf(m, t);
  return { m, t };
}

describe('callbacks', () => {
  test('one object or an array; plain hook objects with a misspelt hook, or a non-object, are errors', async () => {
    bw.setSeed(1);
    const { m } = pair('sigmoid'), { x, labels } = problem();
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    const seen: string[] = [];
    await m.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { epochs: 2, callbacks: [
      { onEpochEnd: (e) => { seen.push(`a${e}`); } }, { onEpochEnd: async (e) => { seen.push(`b${e}`); } },
    ] });
    expect(seen).toEqual(['a0', 'b0', 'a1', 'b1']);
    await expect(m.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { callbacks: [{ onEpochEnds: () => {} } as never] }))
      .rejects.toThrow(/fit: callbacks\[0\]: unknown option 'onEpochEnds'/);
    await expect(m.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { callbacks: [3 as never] }))
      .rejects.toThrow(/fit: callbacks\[0\]: expected a callback object/);
  });

  test('earlyStopping stops at the same epoch as TF.js\'s (same weights, same data, no shuffle)', async () => {
    bw.setSeed(2);
    const { m, t } = pair('sigmoid'), { x, labels } = problem(2);
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.5 }), loss: 'binaryCrossentropy' });
    t.compile({ optimizer: tf.train.sgd(0.5), loss: 'binaryCrossentropy' });
    const args = { epochs: 40, batchSize: 16, shuffle: false, validationSplit: 0.25 };
    const hb = await m.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { ...args, callbacks: bw.callbacks.earlyStopping({ patience: 2, minDelta: 0.01 }) });
    const ht = await t.fit(tf.tensor(x, [ROWS, IN]), tf.tensor(labels, [ROWS, 1]), { ...args, callbacks: tf.callbacks.earlyStopping({ patience: 2, minDelta: 0.01 }) });
    expect(hb.history.loss.length).toBeLessThan(40);
    expect(hb.history.loss.length).toBe(ht.history.loss.length);
    expectClose(hb.history.val_loss, ht.history.val_loss as number[], 'val_loss per epoch', 2e-4, 1e-5);
  });

  test('restoreBestWeights puts back the best epoch\'s weights and moving statistics (Keras 3), also when training ran to the end', async () => {
    bw.setSeed(3);
    const { m } = pair('sigmoid'), { x, labels } = problem(3);
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.5 }), loss: 'binaryCrossentropy' });
    // mode 'max' on a falling val_loss makes an early epoch the best, so restoring must change the weights
    for (const patience of [1, 100]) {
      const snapshots: Float32Array[][] = [];
      const es = bw.callbacks.earlyStopping({ patience, mode: 'max', restoreBestWeights: true });
      const h = await m.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { epochs: 12, batchSize: 8, shuffle: false,
        validationSplit: 0.3, callbacks: [{ onEpochEnd: () => { snapshots.push(m.getWeights().map((w) => w.dataSync())); } }, es] });
      const v = h.history.val_loss, best = v.indexOf(Math.max(...v));
      expect(es.bestEpoch).toBe(best);
      expect(best).toBeLessThan(v.length - 1); // the last epoch is not the best, so restoring changes something
      m.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(snapshots[best][i])));
    }
  });

  test('mode auto: val_accuracy is maximised, loss minimised; an unknown quantity needs a mode', async () => {
    bw.setSeed(4);
    const { m } = pair('sigmoid'), { x, labels } = problem(4);
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const es = bw.callbacks.earlyStopping({ monitor: 'val_accuracy', patience: 50 });
    await m.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { epochs: 3, validationSplit: 0.2, callbacks: es });
    expect(es.best).toBeGreaterThan(0);
    await expect(m.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { epochs: 1, callbacks: bw.callbacks.earlyStopping({ monitor: 'val_f1' }) }))
      .rejects.toThrow(/cannot tell whether 'val_f1' should be minimized or maximized; pass mode: 'min' or mode: 'max'/);
    expect(() => bw.callbacks.earlyStopping({ patience: -1 })).toThrow(/callbacks.earlyStopping: patience: expected an integer >= 0, got -1/);
  });

  test('reduceLROnPlateau follows Keras 3: patience, factor, cooldown, minLr; logs learning_rate', async () => {
    const cb = bw.callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 2, cooldown: 1, minLr: 0.02, minDelta: 0 });
    const model = { stopTraining: false, getWeights: () => [], setWeights: () => {}, optimizer: { learningRate: 0.1 } };
    cb.setModel(model);
    cb.onTrainBegin();
    const losses = [1, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95], rates: number[] = [];
    losses.forEach((loss, e) => { const logs: Record<string, number> = { loss }; cb.onEpochEnd(e, logs); rates.push(model.optimizer.learningRate); expect(logs.learning_rate).toBeDefined(); });
    // Keras: reduce after 2 epochs without improvement; the cooldown epoch also counts once its counter has run
    // out (Keras decrements first); never below minLr
    expect(rates).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02, 0.02]);
  });

  test('learningRateScheduler sets the rate before each epoch and history records it; it trains as the same rates set by hand', async () => {
    bw.setSeed(5);
    const { x, labels } = problem(5);
    const a = pair('sigmoid').m, b = pair('sigmoid').m;
    b.setWeights(a.getWeights());
    a.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.4 }), loss: 'binaryCrossentropy' });
    const byHand = bw.optimizers.sgd({ learningRate: 0.4 });
    b.compile({ optimizer: byHand, loss: 'binaryCrossentropy' });
    const schedule = (epoch: number, lr: number) => (epoch < 2 ? lr : lr * 0.5);
    const h = await a.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { epochs: 4, shuffle: false, callbacks: bw.callbacks.learningRateScheduler(schedule) });
    expect(h.history.learning_rate).toEqual([0.4, 0.4, 0.2, 0.1]);
    for (const lr of [0.4, 0.4, 0.2, 0.1]) { byHand.learningRate = lr; await b.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { epochs: 1, shuffle: false }); }
    a.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(b.getWeights()[i].dataSync())));
  });

  test('yieldEvery: \'batch\' lets timers run between batches and calls onYield; \'never\' does not yield', async () => {
    bw.setSeed(6);
    const { m } = pair('sigmoid'), { x, labels } = problem(6);
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const run = async (yieldEvery: 'batch' | 'never') => {
      let ticks = 0, yields = 0;
      const timer = setInterval(() => { ticks++; }, 0);
      await m.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { epochs: 2, batchSize: 6, yieldEvery, callbacks: { onYield: () => { yields++; } } });
      clearInterval(timer);
      return { ticks, yields };
    };
    const never = await run('never'), batch = await run('batch');
    // 'never' yields between no batches; fit's one turn when it starts (so dropped models can be collected)
    // lets a due timer run at most once
    expect(never.yields).toBe(0);
    expect(never.ticks).toBeLessThanOrEqual(1);
    expect(batch.yields).toBe(20);
    expect(batch.ticks).toBeGreaterThan(0);
    await expect(m.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { yieldEvery: 'sometimes' as never }))
      .rejects.toThrow(/fit: yieldEvery: expected 'auto', 'batch', 'epoch', 'never' or a number of milliseconds/);
  });
});

describe('class and sample weights', () => {
  test('classWeight trains like TF.js\'s classWeight (loss per epoch and final weights)', async () => {
    bw.setSeed(7);
    const { m, t } = pair('softmax'), { x, labels } = problem(7);
    const onehot = Array.from(labels).flatMap((l) => (l ? [0, 1] : [1, 0]));
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
    t.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const classWeight = { 0: 1, 1: 3 };
    const hb = await m.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(onehot, [ROWS, 2]), { epochs: 3, batchSize: 16, shuffle: false, classWeight });
    const ht = await t.fit(tf.tensor(x, [ROWS, IN]), tf.tensor(onehot, [ROWS, 2]), { epochs: 3, batchSize: 16, shuffle: false, classWeight });
    expectClose(hb.history.loss, ht.history.loss as number[], 'weighted loss per epoch', 2e-4, 1e-6);
    expectSameWeights(m, t, 2e-4, 2e-5);
  });

  test('sampleWeight equal to the class weights trains exactly as classWeight; both multiply when given together', async () => {
    bw.setSeed(8);
    const { x, labels } = problem(8);
    const [a, b, c] = [pair('sigmoid').m, pair('sigmoid').m, pair('sigmoid').m];
    b.setWeights(a.getWeights()); c.setWeights(a.getWeights());
    for (const m of [a, b, c]) m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const X = bw.tensor(x, [ROWS, IN]), Y = bw.tensor(labels, [ROWS, 1]);
    const ha = await a.fit(X, Y, { epochs: 2, shuffle: false, classWeight: { 1: 4 } });
    const hb = await b.fit(X, Y, { epochs: 2, shuffle: false, sampleWeight: bw.tensor(Array.from(labels, (l) => (l ? 4 : 1))) });
    const hc = await c.fit(X, Y, { epochs: 2, shuffle: false, classWeight: { 1: 2 }, sampleWeight: bw.tensor(Array.from(labels, (l) => (l ? 2 : 1))) });
    expect(hb.history.loss).toEqual(ha.history.loss);
    expectClose(hc.history.loss, ha.history.loss, 'class × sample', 1e-6, 1e-9);
    a.getWeights().forEach((w, i) => expectClose(b.getWeights()[i].dataSync(), w.dataSync(), `weight ${i}`, 0, 0));
  });

  test('evaluate with sampleWeight is Σ wᵢ·lossᵢ / N (Keras), from per-sample losses; bad weights are errors naming them', () => {
    bw.setSeed(9);
    const { m } = pair('sigmoid'), { x, labels } = problem(9);
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const w = Array.from({ length: ROWS }, (_, i) => (i % 3) * 0.5);
    const per = Array.from({ length: ROWS }, (_, i) => m.evaluate(bw.tensor(x.slice(i * IN, (i + 1) * IN), [1, IN]), bw.tensor([labels[i]], [1, 1])).loss);
    const want = per.reduce((s, l, i) => s + w[i] * l, 0) / ROWS;
    expect(m.evaluate(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { sampleWeight: bw.tensor(w), batchSize: 7 }).loss).toBeCloseTo(want, 6);
    expect(() => m.evaluate(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { sampleWeight: bw.tensor([1, 2]) }))
      .toThrow(/evaluate: sampleWeight must hold one weight per sample \(shape \[60\] or \[60, 1\]\), got shape \[2\]/);
    expect(() => m.evaluate(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS, 1]), { classWeight: { a: 1 } as never }))
      .toThrow(/evaluate: classWeight keys must be class indices/);
  });
});

describe('metrics', () => {
  test('mae, mse, binaryAccuracy, precision, recall match TF.js\'s metrics on one batch; every metric is independent of the batch size (epoch-level, as Keras)', async () => {
    bw.setSeed(10);
    const { m, t } = pair('sigmoid', 3), rows = 40, x = randn(rows * IN, 11), r = mulberry32(12);
    const y = Array.from({ length: rows * 3 }, () => (r() > 0.6 ? 1 : 0));
    const names = ['mae', 'mse', 'binaryAccuracy', 'precision', 'recall', 'auc'];
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: names });
    t.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const one = m.evaluate(bw.tensor(x, [rows, IN]), bw.tensor(y, [rows, 3]), { batchSize: rows });
    const yt = tf.tensor(y, [rows, 3]), yp = t.predict(tf.tensor(x, [rows, IN])) as tf.Tensor;
    const theirs = [(t.evaluate(tf.tensor(x, [rows, IN]), yt) as tf.Scalar), tf.metrics.meanAbsoluteError(yt, yp).mean(),
      tf.metrics.meanSquaredError(yt, yp).mean(), tf.metrics.binaryAccuracy(yt, yp).mean(), 
      // TF.js's precision and recall count exact 1s: they take thresholded predictions (Keras thresholds at 0.5 itself)
      tf.metrics.precision(yt, tf.cast(tf.greater(yp, 0.5), 'float32')), tf.metrics.recall(yt, tf.cast(tf.greater(yp, 0.5), 'float32'))].map((s) => s.dataSync()[0]);
    expectClose(['loss', 'mae', 'mse', 'binaryAccuracy', 'precision', 'recall'].map((k) => one[k]), theirs, 'vs TF.js', 1e-5, 1e-6);
    const small = m.evaluate(bw.tensor(x, [rows, IN]), bw.tensor(y, [rows, 3]), { batchSize: 7 });
    for (const k of names) expect(small[k], k).toBeCloseTo(one[k], 6);
  });

  test('auc is the ROC area over 200 thresholds: 1 for separated scores, 0 reversed, the exact area within the thresholds\' resolution', () => {
    const m = bw.sequential({ layers: [bw.layers.activation({ activation: 'linear', inputShape: [1] })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['auc'] });
    const auc = (p: number[], y: number[]) => m.evaluate(bw.tensor(p, [p.length, 1]), bw.tensor(y, [y.length, 1])).auc;
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBeCloseTo(1, 6);
    expect(auc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBeCloseTo(0, 6);
    const r = mulberry32(13), p = Array.from({ length: 300 }, () => r()), y = p.map((v) => (r() < v ? 1 : 0));
    let pairs = 0, wins = 0;
    p.forEach((pi, i) => { if (y[i]) p.forEach((pj, j) => { if (!y[j]) { pairs++; wins += pi > pj ? 1 : pi === pj ? 0.5 : 0; } }); });
    expect(Math.abs(auc(p, y) - wins / pairs)).toBeLessThan(0.005);
  });

  test('fit logs every metric per epoch and for validation (val_ prefix); accuracy still picks Keras\'s kind from the loss', async () => {
    bw.setSeed(11);
    const { m } = pair('softmax'), { x, labels } = problem(11);
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'sparseCategoricalAccuracy', 'auc'] });
    const h = await m.fit(bw.tensor(x, [ROWS, IN]), bw.tensor(labels, [ROWS]), { epochs: 2, validationSplit: 0.2 });
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'auc', 'loss', 'sparseCategoricalAccuracy', 'val_accuracy', 'val_auc', 'val_loss', 'val_sparseCategoricalAccuracy']);
    expect(h.history.accuracy).toEqual(h.history.sparseCategoricalAccuracy);
  });
});
