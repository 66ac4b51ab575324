/**
 * Divergence: a step whose loss is NaN or infinite, or whose update would make a weight or an optimizer
 * slot non-finite, is not applied. fit stops with an error naming the epoch and the batch; the model keeps
 * the weights from before that step; trainOnBatch never applies a NaN step.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, batch, bw, expectSameState, smallModel, weightsOf } from './helpers.js';

beforeAll(() => bw.ready());

const allFinite = (m: bw.Sequential) => weightsOf(m).every((w) => w.every(Number.isFinite));

describe.each(BACKENDS)('divergence on %s', (backend) => {
  test('fit with learning rate 1e30 stops with an error naming epoch and batch, keeping the weights from before that step', async () => {
    bw.setBackend(backend);
    const m = smallModel(3, bw.optimizers.sgd({ learningRate: 1e30 }), 'meanSquaredError');
    const { x, y } = batch(64, 5);
    let lastGood = weightsOf(m), lastBatch = -1;
    const err = await m.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, callbacks: { onBatchEnd: (b) => { lastGood = weightsOf(m); lastBatch = b; } } })
      .then(() => null, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/^fit: training diverged at epoch \d+, batch \d+: .*the step was not applied; the model keeps the weights from before that step$/);
    const [, epoch, b] = /epoch (\d+), batch (\d+)/.exec(err!.message)!.map(Number);
    expect(epoch).toBe(1);
    expect(b).toBe(lastBatch + 2); // batches are 1-based in the message; lastBatch is the 0-based last good one
    expect(weightsOf(m)).toEqual(lastGood);
    expect(allFinite(m)).toBe(true);
  });

  test('fit with Adam at learning rate 1e37 also stops cleanly with finite weights', async () => {
    bw.setBackend(backend);
    const m = smallModel(4, bw.optimizers.adam({ learningRate: 1e37 }), 'meanSquaredError');
    const { x, y } = batch(64, 6);
    await expect(m.fit(x, y, { epochs: 5, batchSize: 16 })).rejects.toThrow(/fit: training diverged at epoch \d+, batch \d+/);
    expect(allFinite(m)).toBe(true);
  });

  test('trainOnBatch whose update overflows (SGD, momentum, learning rate 3e38) is not applied: weights, moving statistics, optimizer state as before', () => {
    bw.setBackend(backend);
    const m = smallModel(5, bw.optimizers.sgd({ learningRate: 3e38, momentum: 0.9 }), 'meanSquaredError');
    const { x, y } = batch(16, 7);
    let before = weightsOf(m), steps = 0, error: Error | null = null;
    for (; steps < 10 && !error; steps++) {
      before = weightsOf(m);
      try { m.trainOnBatch(x, y); } catch (e) { error = e as Error; }
    }
    expect(error?.message).toMatch(/^trainOnBatch: training diverged: (the loss became|the update made a weight)/);
    expect(weightsOf(m)).toEqual(before);
    expect(m.optimizer!.iterations).toBe(steps - 1);
    expect(allFinite(m)).toBe(true);
  });

  test('a NaN input reaches the loss through relu and cannot put NaN into the weights (trainOnBatch and fit)', async () => {
    bw.setBackend(backend);
    const m = smallModel(6), twin = smallModel(6);
    const { x, y } = batch(16, 8);
    const bad = bw.tensor(x.dataSync().map((v, i) => (i === 3 ? NaN : v)), [16, 5]);
    expect(() => m.trainOnBatch(bad, y)).toThrow(/trainOnBatch: training diverged: the loss became NaN/);
    await expect(m.fit(bad, y, { batchSize: 16 })).rejects.toThrow(/fit: training diverged at epoch 1, batch 1/);
    expectSameState(m, twin);
    expect(m.trainOnBatch(x, y)).toBe(twin.trainOnBatch(x, y));
  });

  test('an infinite target with MSE: loss Infinity, not applied', () => {
    bw.setBackend(backend);
    const m = smallModel(7, 'sgd', 'meanSquaredError'), twin = smallModel(7, 'sgd', 'meanSquaredError');
    const { x } = batch(4, 9);
    expect(() => m.trainOnBatch(x, bw.tensor([[1, 2, Infinity], [0, 0, 0], [0, 0, 0], [0, 0, 0]]))).toThrow(/the loss became Infinity; the step was not applied/);
    expectSameState(m, twin);
  });

  test('a diverged model keeps finite weights and still predicts and evaluates', async () => {
    bw.setBackend(backend);
    const m = smallModel(8, bw.optimizers.sgd({ learningRate: 1e30 }), 'meanSquaredError');
    const { x, y } = batch(32, 10);
    await expect(m.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false })).rejects.toThrow(/diverged/);
    // the last good weights are finite (if huge): inference runs, reporting whatever they give
    expect(allFinite(m)).toBe(true);
    expect(m.predict(x).shape).toEqual([32, 3]);
    expect(typeof m.evaluate(x, y).loss).toBe('number');
  });
});
