/**
 * GlobalAveragePooling2D's keepdims (Keras's option): output [1, 1, c] per sample holding the values of
 * keepdims: false, the same gradient (a model with it trains exactly as one without), saved and read back.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, bw, randn, setupBoth } from '../helpers/tfjs.js';

beforeAll(setupBoth);

/** The per-channel mean over height and width in float64, [rows, c]. */
function channelMeans(x: Float32Array, rows: number, h: number, w: number, c: number): number[] {
  const out = new Array<number>(rows * c).fill(0);
  for (let r = 0; r < rows; r++) for (let p = 0; p < h * w; p++) for (let k = 0; k < c; k++) out[r * c + k] += x[(r * h * w + p) * c + k] / (h * w);
  return out;
}

describe.each(BACKENDS)('on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('keepdims: true gives [rows, 1, 1, c] with the values of keepdims: false (float64 channel means)', () => {
    const [rows, h, w, c] = [3, 5, 7, 13];
    const x = randn(rows * h * w * c, 5, 2, 3);
    const kept = bw.layers.globalAveragePooling2d({ keepdims: true }).apply(bw.tensor(x, [rows, h, w, c]));
    const flat = bw.layers.globalAveragePooling2d().apply(bw.tensor(x, [rows, h, w, c]));
    expect(kept.shape).toEqual([rows, 1, 1, c]);
    expect(flat.shape).toEqual([rows, c]);
    expect(Array.from(kept.dataSync())).toEqual(Array.from(flat.dataSync()));
    const want = channelMeans(x, rows, h, w, c);
    kept.dataSync().forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5 * (1 + Math.abs(want[i]))));
  });

  test('a model with keepdims then Flatten and Dense trains exactly as one without keepdims', () => {
    const make = (keepdims: boolean) => bw.sequential({ layers: [
      bw.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [6, 5, 2] }),
      bw.layers.globalAveragePooling2d({ keepdims }),
      ...(keepdims ? [bw.layers.flatten()] : []),
      bw.layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    bw.setSeed(7);
    const a = make(true), b = make(false);
    expect(a.layers[1].outputShape).toEqual([1, 1, 4]);
    b.setWeights(a.getWeights());
    for (const m of [a, b]) m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.5 }), loss: 'sparseCategoricalCrossentropy' });
    const x = bw.tensor(randn(8 * 60, 9, 0.5, 1), [8, 6, 5, 2]), y = bw.tensor(Array.from({ length: 8 }, (_, i) => i % 3));
    const before = a.getWeights()[0].dataSync().slice();
    const losses = [0, 1, 2].map(() => [a.trainOnBatch(x, y), b.trainOnBatch(x, y)]);
    losses.forEach(([la, lb]) => expect(la).toBe(lb));
    a.getWeights().forEach((wt, i) => expect(Array.from(wt.dataSync())).toEqual(Array.from(b.getWeights()[i].dataSync())));
    expect(a.getWeights()[0].dataSync()).not.toEqual(before); // the gradient reached the convolution
  });
});

test('keepdims is saved in model.json (as Keras writes it) and read back', async () => {
  bw.setBackend('wasm');
  const m = bw.sequential({ layers: [bw.layers.globalAveragePooling2d({ keepdims: true, inputShape: [3, 3, 2] }), bw.layers.flatten()] });
  let a: bw.ModelArtifacts | undefined;
  await m.save({ save: async (x) => { a = x; return {}; } });
  const config = (a!.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config;
  expect(config.keepdims).toBe(true);
  const back = await bw.loadModel({ load: async () => a! });
  expect((back.layers[0] as bw.GlobalAveragePooling2D).keepdims).toBe(true);
  expect(back.layers[0].outputShape).toEqual([1, 1, 2]);
});
