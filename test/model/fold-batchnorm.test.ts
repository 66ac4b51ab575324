import { beforeAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';
import { mulberry32 } from '../helpers/rng.js';

// Folding inference-mode BatchNormalization into the Dense in front must not change predictions:
// checked against the unfolded layer-by-layer path (apply per layer) and against float64 math.

function data(rows: number, cols: number, seed: number) {
  const r = mulberry32(seed);
  return bw.tensor(Float32Array.from({ length: rows * cols }, () => r() * 4 - 2), [rows, cols]);
}

/** Layer-by-layer inference (no folding). */
function unfolded(model: bw.Sequential, x: bw.Tensor) {
  return model.layers.reduce((a, l) => l.apply(a), x);
}

function trainedMlp() {
  bw.setSeed(3);
  const model = bw.sequential({ layers: [
    bw.layers.dense({ units: 13, inputShape: [7] }),
    bw.layers.batchNormalization(),
    bw.layers.activation({ activation: 'relu' }),
    bw.layers.dense({ units: 5 }),
    bw.layers.batchNormalization({ center: false }),
    bw.layers.activation({ activation: 'softmax' }),
  ] });
  model.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), loss: 'categoricalCrossentropy' });
  const x = data(64, 7, 1);
  const y = bw.tensor(Array.from({ length: 64 }, (_, i) => Array.from({ length: 5 }, (_, j) => (j === i % 5 ? 1 : 0))));
  for (let i = 0; i < 20; i++) model.trainOnBatch(x, y); // moving statistics far from their initial values
  return model;
}

beforeAll(() => bw.ready());

describe.each(['wasm', 'js'] as const)('BatchNormalization folding on %s', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('predict (folded internally) equals the unfolded path', () => {
    const model = trainedMlp(), x = data(37, 7, 9);
    const got = model.predict(x, { batchSize: 16 }).dataSync(), want = unfolded(model, x).dataSync();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
  });

  test('foldBatchNorm() returns a model without BatchNormalization and the same predictions', () => {
    const model = trainedMlp(), folded = model.foldBatchNorm(), x = data(37, 7, 11);
    expect(folded.layers.map((l) => l.className)).toEqual(['Dense', 'Activation', 'Dense', 'Activation']);
    const got = folded.predict(x).dataSync(), want = unfolded(model, x).dataSync();
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    // the original is untouched and still trains
    expect(model.layers).toHaveLength(6);
  });

  test('the folded weights are W·γ/√(var+ε) and (b−μ)·γ/√(var+ε)+β in float64', () => {
    const model = trainedMlp(), folded = model.foldBatchNorm();
    const [w, b] = model.layers[0].getWeights().map((t) => t.dataSync());
    const [g, beta, mu, v] = model.layers[1].getWeights().map((t) => t.dataSync());
    const [fw, fb] = folded.layers[0].getWeights().map((t) => t.dataSync());
    for (let j = 0; j < 13; j++) {
      const s = g[j] / Math.sqrt(v[j] + 1e-3);
      expect(fb[j]).toBeCloseTo((b[j] - mu[j]) * s + beta[j], 5);
      for (let r = 0; r < 7; r++) expect(fw[r * 13 + j]).toBeCloseTo(w[r * 13 + j] * s, 5);
    }
  });

  test('a BatchNormalization after a non-linear Dense is left in place', () => {
    const model = bw.sequential({ layers: [bw.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }), bw.layers.batchNormalization()] });
    expect(model.foldBatchNorm().layers.map((l) => l.className)).toEqual(['Dense', 'BatchNormalization']);
    const x = data(5, 3, 2);
    expect(Array.from(model.predict(x).dataSync())).toEqual(Array.from(unfolded(model, x).dataSync()));
  });
});
