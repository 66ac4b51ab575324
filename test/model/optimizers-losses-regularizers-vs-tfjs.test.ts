/**
 * Training with the added optimizers, losses and regularizers against TensorFlow.js on the same weights
 * and batches (per-step losses and final weights, moving statistics included), on both backends; AdamW and
 * schedules against bnwasm's own Adam/SGD; regularizers in model.json both ways, and the files bnwasm must
 * refuse rather than silently drop.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  BACKENDS, bw, copyWeightsToTf, expectClose, expectSameWeights, expectSameWeightsBw, randn, setupBoth, tf, tfTrainOnBatch,
} from '../helpers/tfjs.js';

beforeAll(setupBoth);
const IN = 5, HIDDEN = 7, OUT = 3, BATCH = 12, STEPS = 6;
const xs = Array.from({ length: STEPS }, (_, s) => randn(BATCH * IN, 300 + s, 0.3, 1.5));
const yReg = randn(BATCH * OUT, 77, 0, 2);

interface Net { bw: bw.Sequential; tf: tf.Sequential }
function nets(args: { out?: string; regularized?: boolean } = {}): Net {
  const reg = args.regularized;
  const m = bw.sequential({ layers: [
    bw.layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [IN], ...(reg ? { kernelRegularizer: bw.regularizers.l2({ l2: 0.05 }), biasRegularizer: bw.regularizers.l1({ l1: 0.02 }) } : {}) }),
    bw.layers.batchNormalization({ momentum: 0.9, ...(reg ? { gammaRegularizer: bw.regularizers.l1l2({ l1: 0.01, l2: 0.03 }), betaRegularizer: 'l2' as const } : {}) }),
    bw.layers.dense({ units: OUT, activation: (args.out ?? 'linear') as 'linear' }),
  ] });
  const t = tf.sequential({ layers: [
    tf.layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [IN], ...(reg ? { kernelRegularizer: tf.regularizers.l2({ l2: 0.05 }), biasRegularizer: tf.regularizers.l1({ l1: 0.02 }) } : {}) }),
    tf.layers.batchNormalization({ momentum: 0.9, ...(reg ? { gammaRegularizer: tf.regularizers.l1l2({ l1: 0.01, l2: 0.03 }), betaRegularizer: tf.regularizers.l2({ l2: 0.01 }) } : {}) }),
    tf.layers.dense({ units: OUT, activation: (args.out ?? 'linear') as 'linear' }),
  ] });
  copyWeightsToTf(m, t);
  return { bw: m, tf: t };
}

async function trainBoth(n: Net, y: number[] | Float32Array = yReg, rtol = 2e-4) {
  const yb = bw.tensor(y, [BATCH, OUT]), yt = tf.tensor(y, [BATCH, OUT]);
  for (const x of xs) {
    const a = n.bw.trainOnBatch(bw.tensor(x, [BATCH, IN]), yb);
    const b = await tfTrainOnBatch(n.tf, tf.tensor(x, [BATCH, IN]), yt);
    expectClose([a], [b], 'step loss', rtol, 1e-5);
  }
  expectSameWeights(n.bw, n.tf, rtol, 2e-5);
}

describe.each(BACKENDS)('on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test.each([
    ['rmsprop', () => bw.optimizers.rmsprop({ learningRate: 0.01 }), () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7)],
    ['rmsprop momentum 0.9', () => bw.optimizers.rmsprop({ learningRate: 0.01, momentum: 0.9 }), () => tf.train.rmsprop(0.01, 0.9, 0.9, 1e-7)],
    ['adagrad', () => bw.optimizers.adagrad({ learningRate: 0.05 }), () => tf.train.adagrad(0.05, 0.1)],
    ['adam amsgrad=false via adamw weightDecay 0', () => bw.optimizers.adamw({ learningRate: 0.01, weightDecay: 0 }), () => tf.train.adam(0.01)],
  ] as const)('%s trains like TF.js (losses, weights, moving statistics)', async (_n, mine, theirs) => {
    bw.setBackend(backend);
    bw.setSeed(21);
    const n = nets();
    n.bw.compile({ optimizer: mine(), loss: 'meanSquaredError' });
    n.tf.compile({ optimizer: theirs(), loss: 'meanSquaredError' });
    await trainBoth(n);
  });

  test('compile strings give Keras defaults: rmsprop, adagrad, adamw', () => {
    const m = bw.sequential({ layers: [bw.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'rmsprop', loss: 'mse' });
    expect(m.optimizer!.getConfig()).toEqual({ learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false });
    m.compile({ optimizer: 'adagrad', loss: 'mae' });
    expect(m.optimizer!.getConfig()).toEqual({ learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 });
    m.compile({ optimizer: 'adamw', loss: 'logcosh' });
    expect(m.optimizer!.getConfig()).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weightDecay: 0.004 });
    expect(m.loss).toBe('logCosh');
  });

  test('adamw: the first step is Adam\'s step plus the decay lr·weightDecay·w of the old weights; amsgrad differs from Adam once v falls', () => {
    bw.setBackend(backend);
    bw.setSeed(3);
    const a = nets().bw, b = nets().bw;
    b.setWeights(a.getWeights());
    const w0 = a.getWeights().map((t) => t.dataSync());
    a.compile({ optimizer: bw.optimizers.adam({ learningRate: 0.01 }), loss: 'mse' });
    b.compile({ optimizer: bw.optimizers.adamw({ learningRate: 0.01, weightDecay: 0.3 }), loss: 'mse' });
    const x = bw.tensor(xs[0], [BATCH, IN]), y = bw.tensor(yReg, [BATCH, OUT]);
    a.trainOnBatch(x, y); b.trainOnBatch(x, y);
    const wa = a.getWeights(), wb = b.getWeights();
    [0, 1, 2, 3, 6, 7].forEach((i) => { // trainable weights: kernels, biases, gamma, beta
      expectClose(wb[i].dataSync(), Array.from(wa[i].dataSync(), (v, j) => v - 0.01 * 0.3 * w0[i][j]), `weight ${i}`, 1e-5, 1e-7);
    });
    // AMSGrad: the same as Adam while v grows; large then small gradients make v fall, and the max holds
    const c = nets().bw, d = nets().bw;
    d.setWeights(c.getWeights());
    c.compile({ optimizer: bw.optimizers.adam({ learningRate: 0.01, beta2: 0.5 }), loss: 'mse' });
    d.compile({ optimizer: bw.optimizers.adam({ learningRate: 0.01, beta2: 0.5, amsgrad: true }), loss: 'mse' });
    for (const [i, scale] of [[0, 10], [1, 10], [2, 0.1], [3, 0.1]] as const) {
      const yi = bw.tensor(yReg.map((v) => v * scale), [BATCH, OUT]);
      c.trainOnBatch(bw.tensor(xs[i], [BATCH, IN]), yi); d.trainOnBatch(bw.tensor(xs[i], [BATCH, IN]), yi);
    }
    const diff = Math.max(...c.getWeights()[0].dataSync().map((v, j) => Math.abs(v - d.getWeights()[0].dataSync()[j])));
    expect(diff).toBeGreaterThan(1e-4);
  });

  test('a schedule as learningRate gives the step-by-step rates: exponential and cosine decay, against setting learningRate by hand', () => {
    bw.setBackend(backend);
    for (const schedule of [bw.optimizers.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5 }),
      bw.optimizers.schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 4, alpha: 0.1 })]) {
      bw.setSeed(4);
      const a = nets().bw, b = nets().bw;
      b.setWeights(a.getWeights());
      const byHand = bw.optimizers.sgd({ learningRate: 1 });
      a.compile({ optimizer: bw.optimizers.sgd({ learningRate: schedule }), loss: 'mse' });
      b.compile({ optimizer: byHand, loss: 'mse' });
      xs.forEach((x, step) => {
        expect(a.optimizer!.learningRate).toBeCloseTo(schedule.at(step), 12);
        byHand.learningRate = schedule.at(step);
        a.trainOnBatch(bw.tensor(x, [BATCH, IN]), bw.tensor(yReg, [BATCH, OUT]));
        b.trainOnBatch(bw.tensor(x, [BATCH, IN]), bw.tensor(yReg, [BATCH, OUT]));
      });
      expectSameWeightsBw(a, b);
      expect(() => { a.optimizer!.learningRate = 0.5; }).toThrow(/follows a (ExponentialDecay|CosineDecay) schedule and cannot be set/);
    }
  });

  test.each([
    ['meanAbsoluteError', 'meanAbsoluteError'],
    ['logCosh', 'logcosh'],
    ['huber', (yt: tf.Tensor, yp: tf.Tensor) => {
      const e = tf.abs(tf.sub(yp, yt)), q = tf.minimum(e, 1);
      return tf.mean(tf.add(tf.mul(0.5, tf.square(q)), tf.sub(e, q)), -1);
    }],
  ] as const)('loss %s trains like TF.js', async (mine, theirs) => {
    bw.setBackend(backend);
    bw.setSeed(22);
    const n = nets();
    n.bw.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.1 }), loss: mine });
    n.tf.compile({ optimizer: tf.train.sgd(0.1), loss: theirs as never });
    await trainBoth(n);
  });

  test('l1, l2 and l1l2 regularizers on kernel, bias, gamma and beta: the loss includes the penalties and the weights move as in TF.js', async () => {
    bw.setBackend(backend);
    bw.setSeed(23);
    const n = nets({ regularized: true });
    // TF.js differentiates |w| at exactly 0 as −1 (tf.step(x, −1)), TF/Keras as sign(0) = 0 (bnwasm): start the
    // L1-regularized bias away from 0, where the two agree
    const ws = n.bw.getWeights();
    ws[1] = bw.tensor(Array.from(randn(HIDDEN, 5, 0, 0.1)));
    n.bw.setWeights(ws);
    copyWeightsToTf(n.bw, n.tf);
    n.bw.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    n.tf.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
    await trainBoth(n);
  });
});

describe('regularizers in model.json', () => {
  const artifactsOf = async (save: (h: tf.io.IOHandler) => Promise<unknown>) => {
    let out: tf.io.ModelArtifacts | undefined;
    await save({ save: async (a: tf.io.ModelArtifacts) => { out = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; } });
    return out!;
  };

  test('bnwasm writes them as TF.js does, TF.js reads them back, and a TF.js file loads here with them', async () => {
    bw.setBackend('wasm');
    bw.setSeed(24);
    const n = nets({ regularized: true });
    const mine = await artifactsOf((h) => n.bw.save(h as never));
    const theirs = await artifactsOf((h) => n.tf.save(h));
    const configs = (a: tf.io.ModelArtifacts) => (a.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } })
      .config.layers.map((l) => [l.config.kernel_regularizer, l.config.bias_regularizer, l.config.gamma_regularizer, l.config.beta_regularizer]);
    expect(configs(mine)).toEqual(configs(theirs));
    const t = await tf.loadLayersModel(tf.io.fromMemory(mine));
    expect((t.layers[0].getConfig().kernelRegularizer as { config: unknown }).config).toEqual({ l1: 0, l2: 0.05 });
    const back = await bw.loadModel({ load: async () => theirs as bw.ModelArtifacts });
    const d0 = back.layers[0] as bw.Dense;
    expect([d0.kernelRegularizer?.l1, d0.kernelRegularizer?.l2, d0.biasRegularizer?.l1]).toEqual([0, 0.05, 0.02]);
    expect((back.layers[1] as bw.BatchNormalization).betaRegularizer?.l2).toBe(0.01);
  });

  test('Keras 3 class names L1 and L2 load; an activity regularizer loads; an unknown regularizer or constraint is an error naming it', async () => {
    bw.setBackend('wasm');
    const base = await artifactsOf((h) => nets().bw.save(h as never));
    const edit = (f: (c: Record<string, unknown>) => void) => {
      const a = structuredClone(base);
      f((a.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config);
      return bw.loadModel({ load: async () => a as bw.ModelArtifacts });
    };
    const m = await edit((c) => { c.kernel_regularizer = { class_name: 'L2', config: { l2: 0.2 } }; c.bias_regularizer = { class_name: 'L1', config: { l1: 0.3 } }; });
    expect([(m.layers[0] as bw.Dense).kernelRegularizer?.l2, (m.layers[0] as bw.Dense).biasRegularizer?.l1]).toEqual([0.2, 0.3]);
    await expect(edit((c) => { c.kernel_regularizer = { class_name: 'OrthogonalRegularizer', config: { factor: 0.01 } }; }))
      .rejects.toThrow(/kernelRegularizer: expected a regularizer .*OrthogonalRegularizer/);
    await expect(edit((c) => { c.kernel_constraint = { class_name: 'RadialConstraint', config: {} }; }))
      .rejects.toThrow(/kernelConstraint: expected a constraint .*RadialConstraint/);
    const act = await edit((c) => { c.activity_regularizer = { class_name: 'L1L2', config: { l1: 0.1, l2: 0 } }; });
    expect((act.layers[0] as bw.Dense).activityRegularizer).toMatchObject({ l1: 0.1, l2: 0 });
    await expect(edit((c) => { c.activity_regularizer = { class_name: 'L1L2', config: { l1: -1 } }; })).rejects.toThrow(/l1: expected a number >= 0, got -1/);
  });

  test('regularizer arguments are checked', () => {
    expect(() => bw.regularizers.l2({ l2: -1 })).toThrow(/regularizers.l2: l2: expected a number >= 0, got -1/);
    expect(() => bw.layers.dense({ units: 2, kernelRegularizer: 'l3' as never })).toThrow(/dense: kernelRegularizer: expected a regularizer/);
  });
});
