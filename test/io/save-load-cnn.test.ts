/**
 * Convolutional models in the TF.js layers-model format, both ways: a trained bnwasm CNN saved with
 * model.save(dir) loads in tf.loadLayersModel with the same layers, configs, weights and predictions; a
 * TF.js CNN saved to files loads with bw.loadModel with the same predictions; options bnwasm does not
 * implement (dilation, channels first) are refused by name instead of misread.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import path from 'node:path';
import {
  BACKENDS, artifactsFromDir, bw, dirSaveHandler, expectClose, randn, rmDir, setupBoth, tf, tfPredict, tmpDir,
} from '../helpers/tfjs.js';

let root: string;
beforeAll(async () => {
  await setupBoth();
  root = await tmpDir('bnwasm-io-cnn-');
});
afterAll(() => rmDir(root));

const SHAPE = [10, 9, 3], ROWS = 5;
const X = randn(ROWS * 270, 81, 0.5, 1);

function trainedCnn(): bw.Sequential {
  bw.setSeed(19);
  const m = bw.sequential({ layers: [
    bw.layers.conv2d({ filters: 6, kernelSize: [3, 2], strides: [1, 2], padding: 'same', inputShape: SHAPE, kernelInitializer: 'heNormal' }),
    bw.layers.batchNormalization({ momentum: 0.8 }),
    bw.layers.activation({ activation: 'relu' }),
    bw.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
    bw.layers.conv2d({ filters: 4, kernelSize: 2, activation: 'tanh', useBias: false }),
    bw.layers.averagePooling2d({ poolSize: [2, 1] }),
    bw.layers.reshape({ targetShape: [4, -1] }),
    bw.layers.flatten(),
    bw.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  for (let s = 0; s < 4; s++) m.trainOnBatch(bw.tensor(randn(8 * 270, 10 + s), [8, ...SHAPE]), bw.tensor(Array.from({ length: 8 }, (_, i) => i % 3)));
  return m;
}

describe.each(BACKENDS)('CNN save and load on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('model.save(dir) → tf.loadLayersModel: same layers, configs, weights and predictions', async () => {
    const m = trainedCnn(), dir = path.join(root, `bw-${backend}`);
    await m.save(dir);
    const t = await tf.loadLayersModel({ load: () => artifactsFromDir(dir) });
    expect(t.layers.map((l) => l.getClassName())).toEqual(m.layers.map((l) => l.className));
    expect(t.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    const c0 = t.layers[0].getConfig(), c3 = t.layers[3].getConfig(), c6 = t.layers[6].getConfig();
    expect([c0.filters, c0.kernelSize, c0.strides, c0.padding, c0.dataFormat, c0.useBias]).toEqual([6, [3, 2], [1, 2], 'same', 'channelsLast', true]);
    expect([c3.poolSize, c3.strides, c3.padding]).toEqual([[3, 3], [2, 2], 'same']);
    expect(c6.targetShape).toEqual([4, 4]); // the −1 resolved: TF.js cannot build a Flatten after an unresolved one
    expect(t.layers[4].getConfig().activation).toBe('tanh');
    m.layers.forEach((l, i) => l.getWeights().forEach((w, j) => expectClose(t.layers[i].getWeights()[j].dataSync(), w.dataSync(), `${l.name} weight ${j}`, 0, 0)));
    expectClose(m.predict(bw.tensor(X, [ROWS, ...SHAPE])).dataSync(), tfPredict(t, tf.tensor(X, [ROWS, ...SHAPE])), 'predictions', 1e-4, 1e-6);
  });

  test('a TF.js CNN saved to files loads with bw.loadModel: same predictions', async () => {
    const t = tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', inputShape: SHAPE }),
      tf.layers.batchNormalization({ epsilon: 0.01 }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.averagePooling2d({ poolSize: 2, strides: 1 }),
      tf.layers.conv2d({ filters: 7, kernelSize: [1, 3], strides: 2, activation: 'sigmoid' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ] });
    t.layers[1].setWeights([randn(5, 5, 1, 0.3), randn(5, 6), randn(5, 7, 0.5, 0.2), randn(5, 8, 0.3, 0.1).map(Math.abs)].map((w) => tf.tensor(w, [5])));
    const dir = path.join(root, `tf-${backend}`);
    await t.save(dirSaveHandler(dir));
    const m = await bw.loadModel(dir);
    expect(m.layers.map((l) => l.className)).toEqual(['Conv2D', 'BatchNormalization', 'Activation', 'AveragePooling2D', 'Conv2D', 'GlobalAveragePooling2D', 'Dense']);
    expect(m.layers.map((l) => l.name)).toEqual(t.layers.map((l) => l.name));
    const conv = m.layers[4] as bw.Conv2D;
    expect([conv.filters, conv.kernelSize, conv.strides, conv.padding, conv.activation]).toEqual([7, [1, 3], [2, 2], 'valid', 'sigmoid']);
    expectClose(m.predict(bw.tensor(X, [ROWS, ...SHAPE])).dataSync(), tfPredict(t, tf.tensor(X, [ROWS, ...SHAPE])), 'predictions', 1e-4, 1e-6);
  });
});

test('convolution options bnwasm does not implement are refused by name', async () => {
  const m = trainedCnn();
  let a: bw.ModelArtifacts | undefined;
  await m.save({ save: async (x) => { a = x; return {}; } });
  const edit = (f: (layers: Array<{ config: Record<string, unknown> }>) => void) => {
    const topology = JSON.parse(JSON.stringify(a!.modelTopology));
    f(topology.config.layers);
    return bw.loadModel({ load: async () => ({ ...a!, modelTopology: topology }) });
  };
  await expect(edit((l) => { l[0].config.dilation_rate = [2, 2]; })).rejects.toThrow(/dilationRate: expected 1 \(dilated convolutions are not implemented\), got \[2, 2\]/);
  await expect(edit((l) => { l[3].config.data_format = 'channels_first'; })).rejects.toThrow(/dataFormat: expected one of 'channelsLast', got "channels_first"/);
  await expect(edit((l) => { l[0].config.padding = 'causal'; })).rejects.toThrow(/padding: expected one of 'valid', 'same', got "causal"/);
  await expect(edit((l) => { l[0].config.kernel_size = [0, 3]; })).rejects.toThrow(/kernelSize: expected a positive integer or a pair \[height, width\] of them, got \[0, 3\]/);
});
