/**
 * Model-level training parity with TensorFlow.js 4.22 (cpu backend), which implements the same Keras
 * semantics: the same model is built in both libraries, bnwasm's initial weights are copied into TF.js
 * layer by layer, and then every trainOnBatch loss and every final weight (moving statistics included)
 * must agree to ~1e-4 relative. Runs on both bnwasm backends.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  BACKENDS, act, bn, buildBw, buildTf, bw, bwOptimizer, copyWeightsToTf, dense, expectClose, expectSameWeights,
  randn, setupBoth, targetsFor, tf, tfOptimizer, tfPredict, tfTrainOnBatch, type LayerSpec, type LossName, type OptSpec,
} from '../helpers/tfjs.js';

beforeAll(setupBoth);

const LOSSES: LossName[] = ['meanSquaredError', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy'];
const OPTIMIZERS: Array<[string, OptSpec]> = [
  ['sgd+momentum', { kind: 'sgd', learningRate: 0.05, momentum: 0.9 }],
  ['sgd+nesterov', { kind: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true }],
  ['adam', { kind: 'adam', learningRate: 0.01 }],
];
const IN = 5, HIDDEN = 7, OUT = 3, BATCH = 12, STEPS = 6;

function outputActivation(loss: LossName): 'linear' | 'softmax' | 'sigmoid' {
  return loss === 'meanSquaredError' ? 'linear' : loss === 'binaryCrossentropy' ? 'sigmoid' : 'softmax';
}

function mlp(loss: LossName): LayerSpec[] {
  return [
    dense({ units: HIDDEN, activation: 'relu', inputShape: [IN] }),
    bn({ momentum: 0.9 }), // a small momentum so the moving statistics move visibly in a few steps
    dense({ units: OUT, activation: outputActivation(loss) }),
  ];
}

/** Trains both models on the same batches; returns the per-step losses of each. */
async function trainBoth(m: bw.Sequential, t: tf.LayersModel, xs: Float32Array[], shape: number[], y: { bw: bw.Tensor; tf: tf.Tensor }) {
  const a: number[] = [], b: number[] = [];
  for (const x of xs) {
    a.push(m.trainOnBatch(bw.tensor(x, shape), y.bw));
    const tx = tf.tensor(x, shape);
    b.push(await tfTrainOnBatch(t, tx, y.tf));
    tx.dispose();
  }
  return { bw: a, tf: b };
}

describe.each(BACKENDS)('trainOnBatch vs TF.js on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  describe.each(LOSSES)('%s', (loss) => {
    test.each(OPTIMIZERS)('%s: Dense(relu) -> BatchNormalization -> Dense: per-step losses and all final weights', async (_name, opt) => {
      bw.setBackend(backend);
      bw.setSeed(11);
      const specs = mlp(loss);
      const m = buildBw(specs), t = buildTf(specs);
      copyWeightsToTf(m, t);
      m.compile({ optimizer: bwOptimizer(opt), loss });
      t.compile({ optimizer: tfOptimizer(opt), loss });
      // a different batch every step (the moving statistics see several batch statistics)
      const xs = Array.from({ length: STEPS }, (_, s) => randn(BATCH * IN, 100 + s, 0.5, 2));
      const y = targetsFor(loss, BATCH, OUT, 7);
      const losses = await trainBoth(m, t, xs, [BATCH, IN], y);
      expectClose(losses.bw, losses.tf, `${loss} losses per step`, 1e-4, 1e-6);
      // the trajectory must really move (a frozen model would match trivially)
      expect(Math.abs(losses.bw[STEPS - 1] - losses.bw[0])).toBeGreaterThan(1e-3);
      expectSameWeights(m, t, 1e-4, 1e-5);
    });
  });

  test('plain SGD (no momentum), and a separate softmax Activation layer after the last Dense', async () => {
    bw.setSeed(3);
    const specs: LayerSpec[] = [
      dense({ units: 8, activation: 'tanh', inputShape: [4] }), bn({ momentum: 0.8 }),
      dense({ units: 6, activation: 'sigmoid' }), bn({ momentum: 0.5, epsilon: 0.01 }), dense({ units: 4 }), act('softmax'),
    ];
    const m = buildBw(specs), t = buildTf(specs);
    copyWeightsToTf(m, t);
    const opt: OptSpec = { kind: 'sgd', learningRate: 0.1 };
    m.compile({ optimizer: bwOptimizer(opt), loss: 'categoricalCrossentropy' });
    t.compile({ optimizer: tfOptimizer(opt), loss: 'categoricalCrossentropy' });
    const xs = Array.from({ length: 5 }, (_, s) => randn(10 * 4, 40 + s));
    const losses = await trainBoth(m, t, xs, [10, 4], targetsFor('categoricalCrossentropy', 10, 4, 9));
    expectClose(losses.bw, losses.tf, 'losses', 1e-4, 1e-6);
    expectSameWeights(m, t, 1e-4, 1e-5);
  });

  test('predict (inference mode: moving statistics) matches TF.js predict after training', async () => {
    bw.setSeed(5);
    const specs = mlp('categoricalCrossentropy');
    const m = buildBw(specs), t = buildTf(specs);
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    // train here only, then copy everything (moving statistics included) to TF.js
    for (let s = 0; s < 20; s++) m.trainOnBatch(bw.tensor(randn(16 * IN, 200 + s, 1, 3), [16, IN]), targetsFor('categoricalCrossentropy', 16, OUT, s).bw);
    const mv = m.layers[1].getWeights()[3].dataSync();
    expect(Math.abs(mv[0] - 1)).toBeGreaterThan(0.05); // the moving variance moved away from its initial 1
    copyWeightsToTf(m, t);
    const x = randn(37 * IN, 999, 1, 3); // 37 rows: two predict batches of 32 and 5
    const got = m.predict(bw.tensor(x, [37, IN])).dataSync();
    const want = tfPredict(t, tf.tensor(x, [37, IN]));
    expectClose(got, want, `predict on ${backend}`, 1e-4, 1e-6);
    // predict never updates the moving statistics
    expect(Array.from(m.layers[1].getWeights()[3].dataSync())).toEqual(Array.from(mv));
    // a small predict batchSize gives the same answer (inference does not depend on the batch)
    expectClose(m.predict(bw.tensor(x, [37, IN]), { batchSize: 3 }).dataSync(), want, 'predict batchSize 3', 1e-4, 1e-6);
  });

  test.each(LOSSES)('evaluate (inference mode) matches TF.js evaluate: %s', async (loss) => {
    bw.setSeed(8);
    const specs = mlp(loss);
    const m = buildBw(specs), t = buildTf(specs);
    m.compile({ optimizer: 'sgd', loss, metrics: ['accuracy'] });
    t.compile({ optimizer: 'sgd', loss, metrics: ['accuracy'] });
    m.setWeights(m.getWeights().map((w, i) => (i === 4 || i === 5) ? bw.tensor(randn(w.size, 70 + i, i === 5 ? 2 : 0.5, 0.3).map(Math.abs), w.shape) : w));
    copyWeightsToTf(m, t);
    const x = randn(20 * IN, 31), y = targetsFor(loss, 20, OUT, 32);
    const got = m.evaluate(bw.tensor(x, [20, IN]), y.bw);
    const res = t.evaluate(tf.tensor(x, [20, IN]), y.tf) as tf.Scalar[];
    expectClose([got.loss], [res[0].dataSync()[0]], `${loss} evaluate loss`, 1e-4, 1e-6);
    if (loss !== 'meanSquaredError') expectClose([got.accuracy!], [res[1].dataSync()[0]], `${loss} evaluate accuracy`, 1e-6, 1e-6);
  });
});
