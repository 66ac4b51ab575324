/**
 * Conv2D's kernelConstraint and biasConstraint: applied after every update in training (Keras), checked
 * against TF.js training the same model on the same weights and data with TF.js's constraint applied after
 * each step (TF.js itself applies constraints only when weights are set); saved and read back as TF.js writes them.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, bw, expectClose, randn, setupBoth, tf, tfTrainOnBatch } from '../helpers/tfjs.js';

beforeAll(setupBoth);

const SHAPE = [6, 5, 3], ROWS = 4;

const cases = [
  { what: 'maxNorm over the input channels, nonNeg bias', bw: [bw.constraints.maxNorm({ maxValue: 0.3, axis: 2 }), bw.constraints.nonNeg()], tf: () => [tf.constraints.maxNorm({ maxValue: 0.3, axis: 2 }), tf.constraints.nonNeg()] },
  { what: 'unitNorm over the filters, maxNorm bias', bw: [bw.constraints.unitNorm({ axis: -1 }), bw.constraints.maxNorm({ maxValue: 0.05 })], tf: () => [tf.constraints.unitNorm({ axis: -1 }), tf.constraints.maxNorm({ maxValue: 0.05 })] },
] as const;

describe.each(BACKENDS)('on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test.each(cases)('$what: the same weights as TF.js training plus its constraint after each step', async (c) => {
    bw.setSeed(3);
    const m = bw.sequential({ layers: [
      bw.layers.conv2d({ filters: 4, kernelSize: [3, 2], padding: 'same', activation: 'tanh', inputShape: SHAPE, kernelConstraint: c.bw[0], biasConstraint: c.bw[1] }),
      bw.layers.flatten(),
      bw.layers.dense({ units: 2 }),
    ] });
    const t = tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: [3, 2], padding: 'same', activation: 'tanh', inputShape: SHAPE }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2 }),
    ] });
    // a bias away from 0 so that the bias constraints have work to do
    const start = m.getWeights().map((w, i) => (i === 1 ? bw.tensor(randn(4, 17, 0, 0.5), [4]) : w));
    m.setWeights(start);
    t.setWeights(start.map((w) => tf.tensor(w.dataSync(), w.shape)));
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.2 }), loss: 'mse' });
    t.compile({ optimizer: tf.train.sgd(0.2), loss: 'meanSquaredError' });
    const [kc, bc] = c.tf();
    for (let s = 0; s < 3; s++) {
      const x = randn(ROWS * 90, 40 + s, 0, 1.5), y = randn(ROWS * 2, 50 + s, 0, 2);
      m.trainOnBatch(bw.tensor(x, [ROWS, ...SHAPE]), bw.tensor(y, [ROWS, 2]));
      await tfTrainOnBatch(t, tf.tensor(x, [ROWS, ...SHAPE]), tf.tensor(y, [ROWS, 2]));
      const [k, b] = t.layers[0].getWeights();
      t.layers[0].setWeights([kc.apply(k), bc.apply(b)]);
    }
    t.getWeights().forEach((w, i) => expectClose(m.getWeights()[i].dataSync(), w.dataSync(), `weight ${i}`, 1e-4, 1e-5));
    // the constraints held (and were needed: unconstrained SGD moves the kernel past them)
    const [k, b] = m.getWeights().map((w) => Array.from(w.dataSync()));
    if (c.what.startsWith('maxNorm')) {
      expect(Math.min(...b)).toBeGreaterThanOrEqual(0);
      for (let i = 0; i < 6; i++) for (let f = 0; f < 4; f++) expect(Math.hypot(...[0, 1, 2].map((ch) => k[(i * 3 + ch) * 4 + f]))).toBeLessThanOrEqual(0.3 + 1e-6);
    } else {
      expect(Math.hypot(...b)).toBeLessThanOrEqual(0.05 + 1e-6);
      for (let i = 0; i < 18; i++) expect(Math.hypot(...k.slice(i * 4, i * 4 + 4))).toBeCloseTo(1, 5);
    }
  });
});

test('a TF.js Conv2D with constraints loads with them; bnwasm saves them as TF.js writes them', async () => {
  bw.setBackend('wasm');
  const t = tf.sequential({ layers: [tf.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [4, 4, 1], kernelConstraint: tf.constraints.maxNorm({ maxValue: 1.5, axis: 3 }), biasConstraint: tf.constraints.nonNeg() })] });
  let theirs: tf.io.ModelArtifacts | undefined;
  await t.save({ save: async (a: tf.io.ModelArtifacts) => { theirs = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; } });
  const m = await bw.loadModel({ load: async () => theirs as bw.ModelArtifacts });
  const conv = m.layers[0] as bw.Conv2D;
  expect([conv.kernelConstraint?.className, conv.kernelConstraint?.getConfig(), conv.biasConstraint?.className]).toEqual(['MaxNorm', { maxValue: 1.5, axis: 3 }, 'NonNeg']);
  let mine: bw.ModelArtifacts | undefined;
  await m.save({ save: async (a) => { mine = a; return {}; } });
  const cfg = (a: { modelTopology?: unknown }) => {
    const c = (a.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config;
    return [c.kernel_constraint, c.bias_constraint];
  };
  expect(cfg(mine!)).toEqual(cfg(theirs!));
  expect(() => bw.layers.conv2d({ filters: 2, kernelSize: 3, kernelConstraint: 'radialConstraint' as never })).toThrow(/conv2d: kernelConstraint: expected a constraint/);
});
