import { beforeAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';

// Regressions found in review: each test fails on the code before its fix.

beforeAll(() => bw.ready());

describe.each(['wasm', 'js'] as const)('on %s', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('matMul with an empty inner dimension is all zeros, even on reused memory', () => {
    bw.ops.matMul(bw.tensor([[1, 2], [3, 4]]), bw.tensor([[5, 6], [7, 8]])); // leaves non-zero bytes behind
    const c = bw.ops.matMul(bw.tensor(new Float32Array(0), [2, 0]), bw.tensor(new Float32Array(0), [0, 3]));
    expect(c.shape).toEqual([2, 3]);
    expect(Array.from(c.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('sparse labels on a rank-3 output: one class index per position, over the last axis (Keras)', () => {
    bw.setSeed(5);
    const model = bw.sequential({ layers: [bw.layers.dense({ units: 3, activation: 'softmax', inputShape: [4, 2] })] });
    model.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.1 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = bw.tensor(Float32Array.from({ length: 2 * 4 * 2 }, (_, i) => Math.sin(i)), [2, 4, 2]);
    const labels = [[0, 1, 2, 1], [2, 2, 0, 1]];
    // the same loss computed from predict: mean over every position of −log p[label]
    const p = model.predict(x).arraySync() as number[][][];
    const want = -labels.flatMap((row, i) => row.map((c, t) => Math.log(p[i][t][c]))).reduce((a, b) => a + b) / 8;
    expect(model.evaluate(x, bw.tensor(labels)).loss).toBeCloseTo(want, 5);
    expect(model.trainOnBatch(x, bw.tensor(labels))).toBeCloseTo(want, 5);
    // a label that indexes the flattened output instead of the classes is refused
    expect(() => model.trainOnBatch(x, bw.tensor([[0, 1, 2, 5], [0, 0, 0, 0]]))).toThrow(/label 3 must be an integer in \[0, 2\].*got 5/);
    expect(() => model.trainOnBatch(x, bw.tensor([0, 1]))).toThrow(/expects integer class labels of shape \[2, 4\]/);
  });

  test('compile() from a callback during fit is refused, and fit goes on with what it started with', async () => {
    const model = bw.sequential({ layers: [bw.layers.dense({ units: 2, activation: 'softmax', inputShape: [3] })] });
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const errors: string[] = [];
    const x = bw.tensor([[1, 2, 3], [3, 2, 1], [0, 1, 0], [1, 0, 1]]), y = bw.tensor([0, 1, 0, 1]);
    const history = await model.fit(x, y, { epochs: 2, batchSize: 2, callbacks: {
      onBatchEnd: () => { try { model.compile({ optimizer: 'adam', loss: 'meanSquaredError' }); } catch (e) { errors.push((e as Error).message); } },
    } });
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/^compile: .* is training/);
    expect(model.loss).toBe('sparseCategoricalCrossentropy');
    expect(history.history.loss.every(Number.isFinite)).toBe(true);
  });

  test("evaluate's accuracy is the argmax of predict's output (one inference path)", () => {
    bw.setSeed(9);
    const model = bw.sequential({ layers: [
      bw.layers.dense({ units: 8, inputShape: [5] }), bw.layers.batchNormalization(),
      bw.layers.activation({ activation: 'relu' }), bw.layers.dense({ units: 4, activation: 'softmax' }),
    ] });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = bw.tensor(Float32Array.from({ length: 50 * 5 }, (_, i) => Math.cos(i * 0.7)), [50, 5]);
    const y = bw.tensor(Array.from({ length: 50 }, (_, i) => i % 4));
    for (let i = 0; i < 5; i++) model.trainOnBatch(x, y);
    const p = model.predict(x).arraySync() as number[][];
    const hits = p.filter((row, i) => row.indexOf(Math.max(...row)) === i % 4).length;
    expect(model.evaluate(x, y).accuracy).toBe(hits / 50);
  });
});

test("compile rejects metrics other than 'accuracy'", () => {
  const model = bw.sequential({ layers: [bw.layers.dense({ units: 2, inputShape: [3] })] });
  expect(() => model.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['acc'] })).toThrow(/^compile: metrics: expected \['accuracy'\] or \[\], got \["acc"\]/);
  expect(() => bw.layers.activation({ activation: 'relu', trainable: 'yes' as unknown as boolean })).toThrow(/^activation: trainable: expected true or false/);
  expect(() => bw.layers.dropout({ rate: 0.5, trainable: 1 as unknown as boolean })).toThrow(/^dropout: trainable: expected true or false/);
});
