/**
 * Concurrency in one process: models training interleaved (two fit calls in flight, batches alternating)
 * end exactly where each ends trained alone; predict on one model between the fit batches of another is
 * exact; a second fit on a model that is already training is refused and does not disturb the first.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, batch, bw, expectSameState, smallModel, weightsOf } from './helpers.js';

beforeAll(() => bw.ready());

/** Yields to the event loop after every batch, so two fits really alternate. */
const yielding = { onBatchEnd: () => new Promise<void>((r) => setTimeout(r, 0)) };

describe.each(BACKENDS)('concurrency on %s', (backend) => {
  test('two models with different batch sizes fitting interleaved equal each trained alone', async () => {
    bw.setBackend(backend);
    const da = batch(48, 81), db = batch(40, 82);
    const aloneA = smallModel(83), aloneB = smallModel(84, bw.optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }));
    await aloneA.fit(da.x, da.y, { epochs: 3, batchSize: 8, shuffle: false });
    await aloneB.fit(db.x, db.y, { epochs: 3, batchSize: 5, shuffle: false, validationSplit: 0.2 });
    const a = smallModel(83), b = smallModel(84, bw.optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }));
    const order: string[] = [];
    const [ha, hb] = await Promise.all([
      a.fit(da.x, da.y, { epochs: 3, batchSize: 8, shuffle: false, callbacks: { onBatchEnd: async () => { order.push('a'); await yielding.onBatchEnd(); } } }),
      b.fit(db.x, db.y, { epochs: 3, batchSize: 5, shuffle: false, validationSplit: 0.2, callbacks: { onBatchEnd: async () => { order.push('b'); await yielding.onBatchEnd(); } } }),
    ]);
    expect(order.slice(0, 4).sort()).toEqual(['a', 'a', 'b', 'b']); // they did alternate
    expectSameState(a, aloneA, 'model a');
    expectSameState(b, aloneB, 'model b');
    expect(ha.history.loss.length).toBe(3);
    expect(hb.history.val_loss.length).toBe(3);
  });

  test('predict and evaluate on one model between the fit batches of another are exact, and do not disturb the fit', async () => {
    bw.setBackend(backend);
    const d = batch(64, 85), q = batch(20, 86);
    const other = smallModel(87);
    other.trainOnBatch(d.x, d.y);
    const expectedPredict = Array.from(other.predict(q.x, { batchSize: 7 }).dataSync()), expectedLoss = other.evaluate(q.x, q.y).loss;
    const alone = smallModel(88);
    await alone.fit(d.x, d.y, { epochs: 2, batchSize: 16, shuffle: false });
    const m = smallModel(88);
    let checks = 0;
    await m.fit(d.x, d.y, { epochs: 2, batchSize: 16, shuffle: false, callbacks: { onBatchEnd: () => {
      expect(Array.from(other.predict(q.x, { batchSize: 7 }).dataSync())).toEqual(expectedPredict);
      expect(other.evaluate(q.x, q.y).loss).toBe(expectedLoss);
      checks++;
    } } });
    expect(checks).toBe(8);
    expectSameState(m, alone);
  });

  test('predict on the model that is training, from its own onBatchEnd, sees the weights of that batch', async () => {
    bw.setBackend(backend);
    const d = batch(32, 89);
    const m = smallModel(90), twin = smallModel(90);
    const seen: number[][] = [];
    await m.fit(d.x, d.y, { batchSize: 8, shuffle: false, callbacks: { onBatchEnd: () => { seen.push(Array.from(m.predict(d.x).dataSync())); } } });
    for (let b = 0; b < 4; b++) {
      twin.trainOnBatch(bw.tensor(d.x.dataSync().subarray(b * 40, (b + 1) * 40), [8, 5]), bw.tensor(d.y.dataSync().subarray(b * 24, (b + 1) * 24), [8, 3]));
      expect(seen[b]).toEqual(Array.from(twin.predict(d.x).dataSync()));
    }
  });

  test('a second fit on a model that is already training is refused; the first finishes as if alone', async () => {
    bw.setBackend(backend);
    const d = batch(32, 91);
    const alone = smallModel(92);
    await alone.fit(d.x, d.y, { epochs: 2, batchSize: 8, shuffle: false });
    const m = smallModel(92);
    const first = m.fit(d.x, d.y, { epochs: 2, batchSize: 8, shuffle: false, callbacks: yielding });
    await expect(m.fit(d.x, d.y)).rejects.toThrow(/fit: sequential_\d+ is already training \(another fit\(\) call on this model has not finished\)/);
    await first;
    expectSameState(m, alone);
    await m.fit(d.x, d.y, { batchSize: 8 }); // and fit works again afterwards
  });

  test('trainOnBatch of many models interleaved step by step equals each trained alone', () => {
    bw.setBackend(backend);
    const seeds = [93, 94, 95, 96], data = seeds.map((s, i) => batch(4 + 6 * i, s));
    const alone = seeds.map((s, i) => { const m = smallModel(s); for (let k = 0; k < 10; k++) m.trainOnBatch(data[i].x, data[i].y); return weightsOf(m); });
    const models = seeds.map((s) => smallModel(s));
    for (let k = 0; k < 10; k++) models.forEach((m, i) => m.trainOnBatch(data[i].x, data[i].y));
    models.forEach((m, i) => expect(weightsOf(m)).toEqual(alone[i]));
  });
});
