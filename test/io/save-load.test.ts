/**
 * The TF.js layers-model format, both ways: bnwasm's model.save(dir) loads in TF.js (tf.loadLayersModel with an
 * IOHandler over the files) with the same weights and predictions; a TF.js model saved through an IOHandler
 * that writes model.json + weights.bin loads with bw.loadModel(path) with the same predictions; and
 * model.save(handler) / bw.loadModel(handler) round-trips. Clear errors for broken files.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  BACKENDS, artifactsFromDir, bw, dirSaveHandler, expectClose, randn, rmDir, setupBoth, tf, tfPredict, tmpDir,
} from '../helpers/tfjs.js';

let root: string;
beforeAll(async () => {
  await setupBoth();
  root = await tmpDir('bnwasm-io-');
});
afterAll(() => rmDir(root));

/** A trained bnwasm model using every serializable feature TF.js can also run in inference. */
function trainedModel(): bw.Sequential {
  bw.setSeed(17);
  const m = bw.sequential({ layers: [
    bw.layers.dense({ units: 6, activation: 'relu', inputShape: [5], kernelInitializer: 'heNormal' }),
    bw.layers.batchNormalization({ momentum: 0.8, epsilon: 0.01 }),
    bw.layers.dropout({ rate: 0.25 }),
    bw.layers.dense({ units: 4, activation: 'tanh', useBias: false }),
    bw.layers.batchNormalization({ scale: false, momentum: 0.5 }),
    bw.layers.dense({ units: 3 }),
    bw.layers.batchNormalization({ trainable: false }),
    bw.layers.activation({ activation: 'softmax' }),
  ] });
  m.layers[6].setWeights([randn(3, 1, 1, 0.2), randn(3, 2), randn(3, 3), randn(3, 4, 2, 0.2).map(Math.abs)].map((w) => bw.tensor(w, [3])));
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  for (let s = 0; s < 5; s++) {
    const y = new Float32Array(30);
    for (let i = 0; i < 10; i++) y[i * 3 + (i % 3)] = 1;
    m.trainOnBatch(bw.tensor(randn(50, 10 + s, 1, 2), [10, 5]), bw.tensor(y, [10, 3]));
  }
  return m;
}

const X = randn(9 * 5, 77, 1, 2);

describe.each(BACKENDS)('save and load on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('model.save(dir) writes TF.js files that tf.loadLayersModel reads: same config, weights and predictions', async () => {
    const m = trainedModel(), dir = path.join(root, `bw-${backend}`);
    await m.save(dir);
    const json = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.class_name).toBe('Sequential');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const names = json.weightsManifest[0].weights.map((w: { name: string }) => w.name);
    // TF.js manifest order: trainable weights of every layer first, then the non-trainable ones
    expect(names.slice(0, 2)).toEqual([`${m.layers[0].name}/kernel`, `${m.layers[0].name}/bias`]);
    expect(names.indexOf(`${m.layers[6].name}/gamma`)).toBeGreaterThan(names.indexOf(`${m.layers[1].name}/moving_mean`));
    expect((await fs.stat(path.join(dir, 'weights.bin'))).size).toBe(4 * m.countParams());

    const t = await tf.loadLayersModel({ load: () => artifactsFromDir(dir) });
    expect(t.layers.map((l) => l.getClassName())).toEqual(m.layers.map((l) => l.className));
    expect(t.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    expect(t.layers.map((l) => l.trainable)).toEqual(m.layers.map((l) => l.trainable));
    const c1 = t.layers[1].getConfig(), c4 = t.layers[4].getConfig();
    expect([c1.momentum, c1.epsilon, c1.axis, c1.center, c1.scale]).toEqual([0.8, 0.01, -1, true, true]);
    expect([c4.momentum, c4.scale, c4.center]).toEqual([0.5, false, true]);
    expect(t.layers[3].getConfig().activation).toBe('tanh');
    expect(t.layers[3].getConfig().useBias).toBe(false);
    expect(t.layers[2].getConfig().rate).toBe(0.25);
    // weights by layer (moving statistics included)
    m.layers.forEach((l, i) => l.getWeights().forEach((w, j) => expectClose(t.layers[i].getWeights()[j].dataSync(), w.dataSync(), `${l.name} weight ${j}`, 0, 0)));
    expectClose(m.predict(bw.tensor(X, [9, 5])).dataSync(), tfPredict(t, tf.tensor(X, [9, 5])), 'predictions', 1e-4, 1e-6);
  });

  test('a TF.js model saved through an IOHandler loads with bw.loadModel(path) with the same predictions', async () => {
    const t = tf.sequential({ layers: [
      tf.layers.dense({ units: 7, inputShape: [5], activation: 'sigmoid' }),
      tf.layers.batchNormalization({ momentum: 0.9, epsilon: 0.005 }),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.dropout({ rate: 0.1 }),
      tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: 'glorotUniform' }),
    ] });
    // non-default BN weights, moving statistics included
    t.layers[1].setWeights([randn(7, 5, 1, 0.3), randn(7, 6), randn(7, 7, 0.5, 0.2), randn(7, 8, 0.3, 0.1).map(Math.abs)].map((w) => tf.tensor(w, [7])));
    const dir = path.join(root, `tf-${backend}`);
    await t.save(dirSaveHandler(dir));
    const want = tfPredict(t, tf.tensor(X, [9, 5]));
    for (const where of [path.join(dir, 'model.json'), dir]) {
      const m = await bw.loadModel(where);
      expect(m.layers.map((l) => l.className)).toEqual(['Dense', 'BatchNormalization', 'Activation', 'Dropout', 'Dense']);
      expect(m.layers.map((l) => l.name)).toEqual(t.layers.map((l) => l.name));
      const bnl = m.layers[1] as bw.BatchNormalization;
      expect([bnl.momentum, bnl.epsilon, bnl.axis]).toEqual([0.9, 0.005, -1]);
      m.layers.forEach((l, i) => l.getWeights().forEach((w, j) => expectClose(w.dataSync(), t.layers[i].getWeights()[j].dataSync(), `${l.name} weight ${j}`, 0, 0)));
      expectClose(m.predict(bw.tensor(X, [9, 5])).dataSync(), want, `predictions after loading ${where}`, 1e-4, 1e-6);
    }
  });

  test('model.save(handler) / bw.loadModel(handler) round trip: same config, weights, predictions and training', async () => {
    bw.setSeed(3);
    const m = bw.sequential({ layers: [
      bw.layers.dense({ units: 4, inputShape: [2, 3], activation: 'relu' }),
      bw.layers.batchNormalization({ axis: 1, momentum: 0.7, center: false }), // a non-last axis on rank 3
      bw.layers.dense({ units: 2, activation: 'sigmoid' }),
    ] });
    m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const x = randn(8 * 6, 5, 0, 2), y = randn(8 * 4, 6).map((v) => (v > 0 ? 1 : 0));
    for (let s = 0; s < 3; s++) m.trainOnBatch(bw.tensor(x, [8, 2, 3]), bw.tensor(y, [8, 2, 2]));
    let saved: bw.ModelArtifacts | undefined;
    const result = await m.save({ save: async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date() } }; } });
    expect(result).toEqual({ modelArtifactsInfo: { dateSaved: expect.any(Date) } }); // save returns the handler's result
    // center: false: no beta; names are layer/weight, as TF.js writes them
    expect(saved!.weightSpecs!.map((s) => s.name).sort()).toEqual([`${m.layers[0].name}/bias`, `${m.layers[0].name}/kernel`,
      `${m.layers[1].name}/gamma`, `${m.layers[1].name}/moving_mean`, `${m.layers[1].name}/moving_variance`,
      `${m.layers[2].name}/bias`, `${m.layers[2].name}/kernel`].sort());
    const back = await bw.loadModel({ load: async () => saved! });
    const bnl = back.layers[1] as bw.BatchNormalization;
    expect([bnl.axis, bnl.momentum, bnl.center, bnl.scale]).toEqual([1, 0.7, false, true]);
    expect(back.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(m.getWeights().map((w) => Array.from(w.dataSync())));
    expect(Array.from(back.predict(bw.tensor(x, [8, 2, 3])).dataSync())).toEqual(Array.from(m.predict(bw.tensor(x, [8, 2, 3])).dataSync()));
    // the loaded model keeps training exactly like the original (same optimizer state: fresh SGD, no slots)
    back.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const m2 = await bw.loadModel({ load: async () => saved! });
    m2.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    expect(back.trainOnBatch(bw.tensor(x, [8, 2, 3]), bw.tensor(y, [8, 2, 2]))).toBe(m2.trainOnBatch(bw.tensor(x, [8, 2, 3]), bw.tensor(y, [8, 2, 2])));
  });

  test('broken files throw clear errors', async () => {
    const dir = path.join(root, `broken-${backend}`);
    await fs.mkdir(dir, { recursive: true });
    await expect(bw.loadModel(path.join(dir, 'nope', 'model.json'))).rejects.toThrow(/loadModel: cannot read .*model\.json: no such file/);
    await fs.writeFile(path.join(dir, 'model.json'), '{ not json');
    await expect(bw.loadModel(path.join(dir, 'model.json'))).rejects.toThrow(/not valid JSON/);
    const m = trainedModel();
    let a: bw.ModelArtifacts | undefined;
    await m.save({ save: async (x) => { a = x; return {}; } });
    const unknown = JSON.parse(JSON.stringify(a!.modelTopology));
    unknown.config.layers[3].class_name = 'LSTM';
    await expect(bw.loadModel({ load: async () => ({ ...a!, modelTopology: unknown }) })).rejects.toThrow(/unknown layer class 'LSTM'/);
    const data = a!.weightData as ArrayBuffer;
    await expect(bw.loadModel({ load: async () => ({ ...a!, weightData: data.slice(0, data.byteLength - 8) }) })).rejects.toThrow(/truncated/);
  });
});
