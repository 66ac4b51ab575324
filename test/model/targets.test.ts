/**
 * How targets are read: sparse class labels on outputs of any rank (one label per position, as Keras).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';

beforeAll(() => bw.ready());

describe.each(['wasm', 'js'] as const)('on %s', (backend) => {
  beforeAll(() => bw.setBackend(backend));

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
});
