/**
 * Model and layer state around failed calls and odd uses: a call that throws on an unbuilt model leaves
 * it unbuilt (and frees what it allocated), add() is refused while the model trains, and layers without
 * weights take any input shape, as in Keras.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, batch, bw, expectSameState, noise, rejects, smallModel } from './helpers.js';

beforeAll(() => bw.ready());

/** Dense(8, relu) → BN → Dense(3, softmax) with no inputShape: built by the first call that sees x. */
function unbuilt(seed: number): bw.Sequential {
  bw.setSeed(seed);
  const m = bw.sequential({ layers: [
    bw.layers.dense({ units: 8, activation: 'relu' }),
    bw.layers.batchNormalization(),
    bw.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe.each(BACKENDS)('a call that throws on an unbuilt model leaves it unbuilt, on %s', (backend) => {
  beforeAll(() => bw.setBackend(backend));
  const { x, y } = batch(64, 31);
  const y10 = bw.tensor(y.dataSync().slice(0, 30), [10, 3]);

  test.each([
    ['fit with 64 rows of x and 10 of y', (m: bw.Sequential) => m.fit(x, y10), /fit: y: .*10.*64|64.*10/],
    ['trainOnBatch with 64 rows of x and 10 of y', (m: bw.Sequential) => m.trainOnBatch(x, y10), /trainOnBatch: y/],
    ['evaluate with 64 rows of x and 10 of y', (m: bw.Sequential) => m.evaluate(x, y10), /evaluate: y/],
    ['fit with validationData of the wrong width (after x and y were accepted)', (m: bw.Sequential) => m.fit(x, y, { validationData: [bw.tensor(noise(8 * 4, 1), [8, 4]), y10] }), /fit: validationData/],
    ['fit with a NaN target (diverges at its first step)', (m: bw.Sequential) => m.fit(x, bw.tensor(y.dataSync().map((v, i) => (i === 4 ? NaN : v)), [64, 3]), { shuffle: false }), /diverged at epoch 1, batch 1/],
  ] as const)('%s: still unbuilt, no memory kept, and it later builds for another width', async (_name, call, pattern) => {
    const m = unbuilt(7);
    const before = bw.memoryStats().allocatedBytes;
    await rejects(Promise.resolve().then(() => call(m)), pattern);
    expect(m.built).toBe(false);
    expect(m.layers.map((l) => l.built)).toEqual([false, false, false]);
    expect(bw.memoryStats().allocatedBytes).toBe(before);
    // the input width was not fixed at 5 by the failed call: 7 features build and train
    const { y: y7 } = batch(16, 32);
    expect(Number.isFinite(m.trainOnBatch(bw.tensor(noise(16 * 7, 33), [16, 7]), y7))).toBe(true);
    expect(m.inputShape).toEqual([7]);
  });

  test('layers that were built before the call stay built (the first one had an inputShape)', async () => {
    const m = smallModel(8), twin = smallModel(8);
    await rejects(m.fit(x, y10), /fit: y/);
    expect(m.built).toBe(true);
    expectSameState(m, twin);
  });

  test('a fit that trained before it failed keeps its training (and its build)', async () => {
    const m = unbuilt(9);
    const yBad = bw.tensor(y.dataSync().map((v, i) => (i === 3 * 40 ? NaN : v)), [64, 3]);
    await rejects(m.fit(x, yBad, { batchSize: 16, shuffle: false }), /diverged at epoch 1, batch 3/);
    expect(m.built).toBe(true);
    expect(m.optimizer!.iterations).toBe(2);
  });
});

describe('add() while the model is training', () => {
  test('add from a fit callback is refused with a clear error; the fit ends as if alone (was: accepted, training on the old targets)', async () => {
    const m = smallModel(11), twin = smallModel(11);
    const { x, y } = batch(32, 12);
    const errors: string[] = [];
    await m.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, callbacks: { onBatchEnd: () => {
      try { m.add(bw.layers.dense({ units: 2 })); } catch (e) { errors.push((e as Error).message); }
    } } });
    await twin.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false });
    expect(errors).toHaveLength(8);
    expect(errors[0]).toMatch(/^add: sequential_\d+ is training; add layers after fit\(\) has finished$/);
    expect(m.layers).toHaveLength(3);
    expectSameState(m, twin);
    m.add(bw.layers.dense({ units: 2 }));
    expect(m.outputShape).toEqual([2]);
  });
});

describe('Activation and Dropout take any input shape, as in Keras', () => {
  test('apply on [1, 3] then on [1, 2] and [2, 2, 2] (was: "built for inputs of shape [3]")', () => {
    const relu = bw.layers.activation({ activation: 'relu' }), soft = bw.layers.activation({ activation: 'softmax' });
    const drop = bw.layers.dropout({ rate: 0.5 });
    expect(Array.from(relu.apply(bw.tensor([[-1, 2, 3]])).dataSync())).toEqual([0, 2, 3]);
    expect(Array.from(relu.apply(bw.tensor([[4, -5]])).dataSync())).toEqual([4, 0]);
    expect(Array.from(soft.apply(bw.tensor([[0, 0, 0]])).dataSync())).toEqual([1 / 3, 1 / 3, 1 / 3].map(Math.fround));
    expect(Array.from(soft.apply(bw.tensor([[0, 0]])).dataSync())).toEqual([0.5, 0.5]);
    // softmax over the last axis of a rank-3 input
    expect(Array.from(soft.apply(bw.tensor([[[0, 0], [1, 1]], [[2, 2], [3, 3]]])).dataSync())).toEqual(Array(8).fill(0.5));
    expect(Array.from(drop.apply(bw.tensor([[1, 2, 3]])).dataSync())).toEqual([1, 2, 3]);
    expect(drop.apply(bw.tensor([[1, 2]])).shape).toEqual([1, 2]);
    expect(drop.apply(bw.tensor([[1, 2]]), { training: true }).shape).toEqual([1, 2]);
  });

  test('an Activation inside a model applied to another shape leaves the model\'s predictions unchanged', () => {
    bw.setSeed(13);
    const soft = bw.layers.activation({ activation: 'softmax' });
    const m = bw.sequential({ layers: [bw.layers.dense({ units: 4, inputShape: [3] }), soft] });
    const x = bw.tensor([[1, 2, 3], [0, -1, 1]]), before = Array.from(m.predict(x).dataSync());
    expect(soft.apply(bw.tensor([[1, 1]])).shape).toEqual([1, 2]);
    expect(soft.inputShape).toEqual([4]);
    expect(Array.from(m.predict(x).dataSync())).toEqual(before);
  });

  test('a layer with weights still refuses another shape', () => {
    const d = bw.layers.dense({ units: 2 });
    d.apply(bw.tensor([[1, 2, 3]]));
    expect(() => d.apply(bw.tensor([[1, 2]]))).toThrow(/built for inputs of shape \[3\], got \[2\]/);
  });
});
