/**
 * activityRegularizer on Dense and Conv2D: λ·Σ over the batch of the layer's output (after its activation),
 * added to the loss in training and evaluate as Keras 3 adds it (not divided by the batch size). TF.js refuses
 * to run a layer that has one, so the reference is the same model written with TF.js ops and tf.variableGrads.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, bw, mulberry32, setupBoth, tf } from '../helpers/tfjs.js';

const IN = 3, HID = 4, OUT = 2, BATCH = 5, LR = 0.1, STEPS = 3;

function data(seed: number, n: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

beforeAll(setupBoth);

describe.each(BACKENDS)('activityRegularizer (%s)', (backend) => {
  test('Dense: losses and weights after SGD steps equal TF.js ops computing Keras 3\'s loss', () => {
    bw.setBackend(backend);
    bw.setSeed(7);
    const m = bw.sequential({ layers: [
      bw.layers.dense({ units: HID, activation: 'tanh', inputShape: [IN], activityRegularizer: bw.regularizers.l1l2({ l1: 0.01, l2: 0.02 }) }),
      bw.layers.dense({ units: OUT, activityRegularizer: bw.regularizers.l2({ l2: 0.05 }) }),
    ] });
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: LR }), loss: 'meanSquaredError' });
    const vars = m.getWeights().map((w) => tf.variable(tf.tensor(w.dataSync(), w.shape)));
    const [w1, b1, w2, b2] = vars;
    for (let s = 0; s < STEPS; s++) {
      const x = data(10 + s, BATCH * IN), y = data(20 + s, BATCH * OUT);
      const mine = m.trainOnBatch(bw.tensor(x, [BATCH, IN]), bw.tensor(y, [BATCH, OUT])) as number;
      const { value, grads } = tf.variableGrads(() => {
        const h = tf.tanh(tf.add(tf.matMul(tf.tensor2d(x, [BATCH, IN]), w1), b1));
        const o = tf.add(tf.matMul(h, w2), b2);
        const mse = tf.mean(tf.square(tf.sub(o, tf.tensor2d(y, [BATCH, OUT]))));
        const act = tf.addN([tf.mul(0.01, tf.sum(tf.abs(h))), tf.mul(0.02, tf.sum(tf.square(h))), tf.mul(0.05, tf.sum(tf.square(o)))]);
        return tf.add(mse, act) as tf.Scalar;
      }, vars);
      expect(mine).toBeCloseTo(value.dataSync()[0], 5);
      for (const v of vars) v.assign(tf.sub(v, tf.mul(LR, grads[v.name])));
    }
    m.getWeights().forEach((w, i) => {
      const ref = vars[i].dataSync();
      w.dataSync().forEach((v, j) => expect(v).toBeCloseTo(ref[j], 5));
    });
  });

  test('on a softmax output under cross-entropy (not fused then), the step reports the penalty of the probabilities', () => {
    bw.setBackend(backend);
    const make = (reg: bw.Regularizer | null) => {
      bw.setSeed(3);
      const m = bw.sequential({ layers: [bw.layers.dense({ units: OUT, inputShape: [IN], activation: 'softmax', activityRegularizer: reg })] });
      m.compile({ optimizer: bw.optimizers.sgd({ learningRate: LR }), loss: 'categoricalCrossentropy' });
      return m;
    };
    const x = bw.tensor(data(1, BATCH * IN), [BATCH, IN]), y = bw.tensor(Float32Array.from({ length: BATCH * OUT }, (_, i) => (i % 2 === (i >> 1) % 2 ? 1 : 0)), [BATCH, OUT]);
    const plain = make(null), reg = make(bw.regularizers.l2({ l2: 0.1 }));
    const probs = plain.predict(x).dataSync();
    const penalty = 0.1 * probs.reduce((s, p) => s + p * p, 0);
    const a = plain.trainOnBatch(x, y) as number, b = reg.trainOnBatch(x, y) as number;
    expect(b - a).toBeCloseTo(penalty, 5);
  });

  test('Conv2D and Dense gradients match finite differences of evaluate (which includes the penalty, as Keras 3)', () => {
    bw.setBackend(backend);
    bw.setSeed(11);
    const m = bw.sequential({ layers: [
      bw.layers.conv2d({ filters: 2, kernelSize: 2, activation: 'tanh', inputShape: [4, 3, 2], activityRegularizer: bw.regularizers.l1l2({ l1: 0.03, l2: 0.04 }) }),
      bw.layers.flatten(),
      bw.layers.dense({ units: OUT, activation: 'sigmoid', activityRegularizer: bw.regularizers.l1({ l1: 0.02 }) }),
    ] });
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 1 }), loss: 'meanSquaredError' });
    const n = 3, x = bw.tensor(data(5, n * 24), [n, 4, 3, 2]), y = bw.tensor(data(6, n * OUT), [n, OUT]);
    const w0 = m.getWeights();
    const loss0 = m.evaluate(x, y, { batchSize: n }).loss;
    const stepLoss = m.trainOnBatch(x, y) as number;
    expect(stepLoss).toBeCloseTo(loss0, 5);
    const grads = w0.map((w, i) => w.dataSync().map((v, j) => v - m.getWeights()[i].dataSync()[j])); // lr 1: w − w' = g
    const at = (i: number, j: number, d: number) => {
      const v = w0[i].dataSync().slice();
      v[j] += d;
      m.setWeights(w0.map((w, k) => (k === i ? bw.tensor(v, w.shape) : w)));
      return m.evaluate(x, y, { batchSize: n }).loss;
    };
    let checked = 0;
    for (let i = 0; i < w0.length; i++) {
      for (let j = 0; j < w0[i].size; j += 3) {
        const eps = 1e-2, fd = (at(i, j, eps) - at(i, j, -eps)) / (2 * eps);
        expect(Math.abs(fd - grads[i][j])).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });
});

describe('activityRegularizer option and file', () => {
  test('saved as TF.js serializes it, loaded back; TF.js writes the same config', async () => {
    bw.setBackend('wasm');
    bw.setSeed(2);
    const m = bw.sequential({ layers: [
      bw.layers.dense({ units: HID, inputShape: [IN], activityRegularizer: bw.regularizers.l1({ l1: 0.01 }) }),
      bw.layers.dense({ units: OUT, activityRegularizer: 'l2' }),
    ] });
    let saved: bw.ModelArtifacts | undefined;
    await m.save({ save: async (a: bw.ModelArtifacts) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; } } as never);
    const layers = (saved!.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers;
    const theirs = tf.layers.dense({ units: HID, activityRegularizer: tf.regularizers.l1({ l1: 0.01 }) }).getConfig().activityRegularizer as { className: string; config: unknown };
    expect(layers[0].config.activity_regularizer).toEqual({ class_name: theirs.className, config: theirs.config });
    expect(layers[1].config.activity_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.01 } });
    const back = await bw.loadModel({ load: async () => saved! });
    expect((back.layers[0] as bw.Dense).activityRegularizer).toMatchObject({ l1: 0.01, l2: 0 });
    expect((back.layers[1] as bw.Dense).activityRegularizer).toMatchObject({ l1: 0, l2: 0.01 });
    // and it trains as the original: same loss on the same batch
    const x = bw.tensor(data(3, BATCH * IN), [BATCH, IN]), y = bw.tensor(data(4, BATCH * OUT), [BATCH, OUT]);
    for (const model of [m, back]) model.compile({ optimizer: bw.optimizers.sgd({ learningRate: LR }), loss: 'mse' });
    expect(back.trainOnBatch(x, y)).toBe(m.trainOnBatch(x, y));
  });

  test('bad values are refused with an Error naming the argument', () => {
    expect(() => bw.layers.dense({ units: 2, activityRegularizer: 'l3' as never })).toThrow(/dense: activityRegularizer: expected a regularizer .*got "l3"/);
    expect(() => bw.layers.conv2d({ filters: 2, kernelSize: 2, activityRegularizer: 0.01 as never })).toThrow(/conv2d: activityRegularizer: expected a regularizer .*got 0.01/);
    expect(() => bw.layers.dense({ units: 2, activityRegularizer: bw.regularizers.l1({ l1: -0.1 }) })).toThrow(/regularizers.l1: l1: expected a number >= 0, got -0.1/);
  });
});
