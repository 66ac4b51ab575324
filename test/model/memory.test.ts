/** WASM memory stays flat: after a warm-up, 2,000 trainOnBatch steps (and predict/evaluate) allocate nothing. */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, bw, labels, oneHot, randn, setupBoth } from '../helpers/tfjs.js';

beforeAll(setupBoth);

describe.each(BACKENDS)('memory on the %s backend', (backend) => {
  test('bw.memoryStats() is identical after warm-up and after 2,000 trainOnBatch steps', () => {
    bw.setBackend(backend);
    bw.setSeed(1);
    const m = bw.sequential({ layers: [
      bw.layers.dense({ units: 32, activation: 'relu', inputShape: [16] }),
      bw.layers.batchNormalization(),
      bw.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    m.compile({ optimizer: bw.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = bw.tensor(randn(32 * 16, 2), [32, 16]), y = bw.tensor(oneHot(labels(32, 10, 3), 10), [32, 10]);
    for (let i = 0; i < 10; i++) m.trainOnBatch(x, y);
    m.predict(x);
    m.evaluate(x, y);
    const warm = bw.memoryStats();
    let last = 0;
    for (let i = 0; i < 2000; i++) last = m.trainOnBatch(x, y);
    expect(Number.isFinite(last)).toBe(true);
    expect(bw.memoryStats()).toEqual(warm);
    m.predict(x);
    m.evaluate(x, y);
    expect(bw.memoryStats()).toEqual(warm);
  });
});
