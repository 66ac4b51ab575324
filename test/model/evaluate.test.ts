/**
 * evaluate runs the same inference path as predict.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';

beforeAll(() => bw.ready());

describe.each(['wasm', 'js'] as const)('on %s', (backend) => {
  beforeAll(() => bw.setBackend(backend));

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
