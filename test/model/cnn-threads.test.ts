/**
 * A CNN trains bitwise identically on 1 and 2 kernel threads (the large convolution GEMMs really go to
 * the pool; everything else is single-threaded and runs the same code), and predicts identically too.
 */
import { afterAll, expect, test } from 'vitest';
import * as bw from '../../src/index.js';
import { threadPool } from '../../src/backend/runtime.js';
import { randn } from '../helpers/tfjs.js';

await bw.ready();
afterAll(() => bw.setThreads(2));

async function train(threads: number): Promise<{ weights: Float32Array[]; predictions: Float32Array; parallel: number }> {
  await bw.setThreads(threads);
  bw.setBackend('wasm');
  bw.setSeed(5);
  const L = bw.layers;
  const m = bw.sequential({ layers: [
    L.conv2d({ filters: 8, kernelSize: 3, inputShape: [16, 16, 1] }), L.batchNormalization(), L.activation({ activation: 'relu' }),
    L.maxPooling2d({}),
    L.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }), L.batchNormalization(), L.activation({ activation: 'relu' }),
    L.globalAveragePooling2d(), L.dense({ units: 4, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const pool = threadPool(), before = pool?.parallelCalls ?? 0;
  for (let s = 0; s < 3; s++) m.trainOnBatch(bw.tensor(randn(64 * 256, 60 + s), [64, 16, 16, 1]), bw.tensor(Array.from({ length: 64 }, (_, i) => i % 4)));
  const parallel = (pool?.parallelCalls ?? 0) - before;
  const predictions = m.predict(bw.tensor(randn(40 * 256, 99), [40, 16, 16, 1])).dataSync();
  return { weights: m.getWeights().map((w) => w.dataSync()), predictions, parallel };
}

test.skipIf(!threadPool())('a CNN trains and predicts bitwise identically on 1 and 2 threads', async () => {
  const one = await train(1), two = await train(2);
  expect(one.parallel).toBe(0);
  expect(two.parallel).toBeGreaterThan(0);
  two.weights.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(one.weights[i].buffer)), `weight ${i}`).toBe(true));
  expect(Buffer.from(two.predictions.buffer).equals(Buffer.from(one.predictions.buffer))).toBe(true);
});
