/**
 * The non-fused activations as Dense activations and as Activation layers, in training (per-step losses
 * and final weights) and in predict (the inference plan), against TensorFlow.js on the same weights; and
 * model.json files carrying them loading in both directions. leakyRelu (no TF.js activation of that name)
 * is mirrored by a linear Dense + tf.layers.leakyReLU({ alpha: 0.2 }); hardSigmoid (TF.js's differs from
 * Keras 3's) by a linear Dense + a TF.js custom computation of Keras 3's x/6 + ½ is not possible as a layer,
 * so it is checked against the float64 definition on predict and by finite differences of the loss instead.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  BACKENDS, bw, copyWeightsToTf, expectClose, expectSameWeights, randn, setupBoth, tf, tfPredict, tfTrainOnBatch,
} from '../helpers/tfjs.js';

beforeAll(setupBoth);

const SAME_IN_TFJS = ['elu', 'selu', 'gelu', 'swish', 'softplus', 'softsign'] as const;
const IN = 4, HIDDEN = 6, BATCH = 10, STEPS = 5;

function bwModel(act: string): bw.Sequential {
  return bw.sequential({ layers: [
    bw.layers.dense({ units: HIDDEN, activation: act as 'relu', inputShape: [IN] }),
    bw.layers.batchNormalization({ momentum: 0.9 }),
    bw.layers.dense({ units: HIDDEN }),
    bw.layers.activation({ activation: act as 'relu' }),
    bw.layers.dense({ units: 2 }),
  ] });
}

function tfModel(act: string): tf.Sequential {
  return tf.sequential({ layers: [
    tf.layers.dense({ units: HIDDEN, activation: act as 'relu', inputShape: [IN] }),
    tf.layers.batchNormalization({ momentum: 0.9 }),
    tf.layers.dense({ units: HIDDEN }),
    tf.layers.activation({ activation: act as 'relu' }),
    tf.layers.dense({ units: 2 }),
  ] });
}

const xs = Array.from({ length: STEPS }, (_, s) => randn(BATCH * IN, 40 + s, 0.2, 1.5));
const ys = randn(BATCH * 2, 99);

describe.each(BACKENDS)('on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test.each(SAME_IN_TFJS)('%s: trainOnBatch losses, final weights and predict match TF.js', async (act) => {
    bw.setBackend(backend);
    bw.setSeed(5);
    const m = bwModel(act), t = tfModel(act);
    copyWeightsToTf(m, t);
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    t.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
    const y = bw.tensor(ys, [BATCH, 2]), ty = tf.tensor(ys, [BATCH, 2]);
    for (const x of xs) {
      const a = m.trainOnBatch(bw.tensor(x, [BATCH, IN]), y);
      const b = await tfTrainOnBatch(t, tf.tensor(x, [BATCH, IN]), ty);
      expect(a).toBeCloseTo(b, 4);
    }
    expectSameWeights(m, t, 2e-4, 2e-5);
    expectClose(m.predict(bw.tensor(xs[0], [BATCH, IN])).dataSync(), tfPredict(t, tf.tensor(xs[0], [BATCH, IN])), `${act} predict`, 1e-4, 1e-5);
  });

  test('leakyRelu (α = 0.2) trains like TF.js\'s linear Dense + LeakyReLU({ alpha: 0.2 })', async () => {
    bw.setBackend(backend);
    bw.setSeed(6);
    const m = bw.sequential({ layers: [
      bw.layers.dense({ units: HIDDEN, activation: 'leakyRelu', inputShape: [IN] }),
      bw.layers.dense({ units: 2 }),
    ] });
    const t = tf.sequential({ layers: [
      tf.layers.dense({ units: HIDDEN, inputShape: [IN] }), tf.layers.leakyReLU({ alpha: 0.2 }), tf.layers.dense({ units: 2 }),
    ] });
    copyWeightsToTf(m, t, [0, 2]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    t.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const y = bw.tensor(ys, [BATCH, 2]), ty = tf.tensor(ys, [BATCH, 2]);
    for (const x of xs) expect(m.trainOnBatch(bw.tensor(x, [BATCH, IN]), y)).toBeCloseTo(await tfTrainOnBatch(t, tf.tensor(x, [BATCH, IN]), ty), 4);
    expectClose(m.predict(bw.tensor(xs[1], [BATCH, IN])).dataSync(), tfPredict(t, tf.tensor(xs[1], [BATCH, IN])), 'leakyRelu predict', 1e-4, 1e-5);
  });

  test('hardSigmoid follows Keras 3 (clip(x/6 + ½, 0, 1)) in predict and in the gradient', () => {
    bw.setBackend(backend);
    const m = bw.sequential({ layers: [bw.layers.dense({ units: 3, activation: 'hardSigmoid', inputShape: [2] })] });
    m.setWeights([bw.tensor([[1, -2, 0.5], [3, 1, -1]]), bw.tensor([0.1, 0, -0.2])]);
    const x = [[0.5, 1], [-2, 0.25], [1.5, -1]];
    const want = x.flatMap(([a, b]) => [a + 3 * b + 0.1, -2 * a + b, 0.5 * a - b - 0.2].map((z) => Math.min(Math.max(z / 6 + 0.5, 0), 1)));
    expectClose(m.predict(bw.tensor(x)).dataSync(), want, 'hardSigmoid predict', 1e-6, 1e-7);
    // one SGD step on Σ(y − 0)²/n: the bias of a saturated unit (z = 3.6 → 1) gets no gradient
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 1 }), loss: 'meanSquaredError' });
    m.trainOnBatch(bw.tensor([[1, 1]]), bw.tensor([[0, 0, 0]]));
    const bias = m.getWeights()[1].dataSync();
    const z = [1 + 3 + 0.1, -2 + 1, 0.5 - 1 - 0.2], y = z.map((v) => Math.min(Math.max(v / 6 + 0.5, 0), 1));
    const wantBias = [0.1, 0, -0.2].map((b, j) => b - (Math.abs(z[j]) < 3 ? (2 * y[j] / 3) / 6 : 0));
    expectClose(bias, wantBias, 'hardSigmoid bias after one step', 1e-6, 1e-7);
  });
});

describe('model.json with the new activations', () => {
  test.each([...SAME_IN_TFJS, 'hardSigmoid'] as const)('a TF.js model with %s loads here (names as TF.js writes them)', async (act) => {
    bw.setBackend('wasm');
    const t = tfModel(act);
    let saved: tf.io.ModelArtifacts | undefined;
    await t.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const m = await bw.loadModel({ load: async () => saved! });
    expect((m.layers[0] as bw.Dense).activation).toBe(act);
    const x = tf.tensor(xs[2], [BATCH, IN]);
    if (act !== 'hardSigmoid') expectClose(m.predict(bw.tensor(xs[2], [BATCH, IN])).dataSync(), tfPredict(t, x), `${act} loaded`, 1e-4, 1e-5);
  });

  test.each(SAME_IN_TFJS)('a bnwasm model with %s loads in TF.js with the same predictions', async (act) => {
    bw.setBackend('wasm');
    bw.setSeed(8);
    const m = bwModel(act);
    let saved: bw.ModelArtifacts | undefined;
    await m.save({ save: async (a) => { saved = a; return {}; } });
    const t = await tf.loadLayersModel(tf.io.fromMemory(saved as tf.io.ModelArtifacts));
    expectClose(m.predict(bw.tensor(xs[3], [BATCH, IN])).dataSync(), tfPredict(t, tf.tensor(xs[3], [BATCH, IN])), `${act} in TF.js`, 1e-4, 1e-5);
  });

  test('leakyRelu and hardSigmoid survive a bnwasm save/load round trip', async () => {
    bw.setSeed(9);
    for (const act of ['leakyRelu', 'hardSigmoid']) {
      const m = bwModel(act);
      let saved: bw.ModelArtifacts | undefined;
      await m.save({ save: async (a) => { saved = a; return {}; } });
      expect(JSON.stringify(saved!.modelTopology)).toContain(act === 'leakyRelu' ? '"leaky_relu"' : '"hard_sigmoid"');
      const back = await bw.loadModel({ load: async () => saved! });
      expectClose(back.predict(bw.tensor(xs[4], [BATCH, IN])).dataSync(), m.predict(bw.tensor(xs[4], [BATCH, IN])).dataSync(), act, 1e-6, 1e-7);
    }
  });
});

describe('the LeakyReLU layer', () => {
  test.each(BACKENDS)('trains like tf.layers.leakyReLU (default α 0.3 and α 0.1) on %s, and TF.js files with it load both ways', async (backend) => {
    bw.setBackend(backend);
    bw.setSeed(12);
    expect(bw.layers.leakyReLU().alpha).toBe(0.3);
    const m = bw.sequential({ layers: [bw.layers.dense({ units: HIDDEN, inputShape: [IN] }), bw.layers.leakyReLU({ alpha: 0.1 }), bw.layers.dense({ units: 2 }), bw.layers.leakyReLU()] });
    const t = tf.sequential({ layers: [tf.layers.dense({ units: HIDDEN, inputShape: [IN] }), tf.layers.leakyReLU({ alpha: 0.1 }), tf.layers.dense({ units: 2 }), tf.layers.leakyReLU()] });
    copyWeightsToTf(m, t);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    t.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const y = bw.tensor(ys, [BATCH, 2]), ty = tf.tensor(ys, [BATCH, 2]);
    for (const x of xs) expect(m.trainOnBatch(bw.tensor(x, [BATCH, IN]), y)).toBeCloseTo(await tfTrainOnBatch(t, tf.tensor(x, [BATCH, IN]), ty), 4);
    expectSameWeights(m, t, 2e-4, 2e-5);
    let saved: tf.io.ModelArtifacts | undefined;
    await t.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const back = await bw.loadModel({ load: async () => saved! });
    expect((back.layers[1] as bw.LeakyReLU).alpha).toBe(0.1);
    expectClose(back.predict(bw.tensor(xs[0], [BATCH, IN])).dataSync(), tfPredict(t, tf.tensor(xs[0], [BATCH, IN])), 'loaded LeakyReLU model', 1e-4, 1e-5);
    let mine: bw.ModelArtifacts | undefined;
    await m.save({ save: async (a) => { mine = a; return {}; } });
    const t2 = await tf.loadLayersModel(tf.io.fromMemory(mine as tf.io.ModelArtifacts));
    expectClose(tfPredict(t2, tf.tensor(xs[1], [BATCH, IN])), m.predict(bw.tensor(xs[1], [BATCH, IN])).dataSync(), 'TF.js reads it', 1e-4, 1e-5);
  });
});
