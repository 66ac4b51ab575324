/**
 * The activation layers ELU, ReLU, Softmax, ThresholdedReLU and PReLU: training and predict against
 * TensorFlow.js on the same weights and data (per-step losses, final weights), what TF.js cannot compute
 * (ELU's alpha ≠ 1, ReLU's negativeSlope and threshold, ThresholdedReLU's gradient: TF.js has none for
 * Greater) against the float64 definition after one SGD step, NaN propagation, model.json files in both
 * directions, and argument errors.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  BACKENDS, bw, copyWeightsToTf, expectClose, expectSameWeights, randn, setupBoth, tf, tfPredict, tfTrainOnBatch,
} from '../helpers/tfjs.js';

beforeAll(setupBoth);

const IN = 4, HIDDEN = 6, BATCH = 10, STEPS = 5;
const xs = Array.from({ length: STEPS }, (_, s) => randn(BATCH * IN, 140 + s, 0.1, 1.5));
const ys = randn(BATCH * 2, 199);

type Pair = { bw: bw.Layer[]; tf: tf.layers.Layer[] };

/** Trains the two models (the same layers written once per library) for STEPS SGD steps; losses, weights and predict agree. */
async function trainsLikeTf(make: () => Pair, loss: 'meanSquaredError' | 'categoricalCrossentropy' = 'meanSquaredError',
  inShape = [IN], tol = 2e-4): Promise<{ m: bw.Sequential; t: tf.Sequential }> {
  const { bw: bl, tf: tl } = make();
  const m = bw.sequential({ layers: bl }), t = tf.sequential({ layers: tl });
  copyWeightsToTf(m, t);
  m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.05 }), loss });
  t.compile({ optimizer: tf.train.sgd(0.05), loss });
  const out = m.outputShape![m.outputShape!.length - 1];
  const target = loss === 'meanSquaredError' ? ys.slice(0, BATCH * out)
    : Float32Array.from({ length: BATCH * out }, (_, i) => (i % out === Math.floor(i / out) % out ? 1 : 0));
  const y = bw.tensor(target, [BATCH, out]), ty = tf.tensor(target, [BATCH, out]);
  const shape = [BATCH, ...inShape], n = inShape.reduce((a, b) => a * b, 1);
  for (let s = 0; s < STEPS; s++) {
    const x = randn(BATCH * n, 300 + s, 0.1, 1.5);
    expect(m.trainOnBatch(bw.tensor(x, shape), y)).toBeCloseTo(await tfTrainOnBatch(t, tf.tensor(x, shape), ty), 4);
  }
  expectSameWeights(m, t, tol, tol / 10);
  const x = randn(BATCH * n, 400, 0.1, 1.5);
  expectClose(m.predict(bw.tensor(x, shape)).dataSync(), tfPredict(t, tf.tensor(x, shape)), 'predict', 1e-4, 1e-5);
  return { m, t };
}

/**
 * A float64 check of a parameter-free activation layer f: Dense(3) → layer, weights set; predict is f(z), and
 * one SGD step (lr 1, MSE to 0, one sample) moves the bias by −(2/3)·y·f'(z).
 */
function checkAgainstFloat64(layer: bw.Layer, fn: (z: number) => number, dfn: (z: number) => number): void {
  const m = bw.sequential({ layers: [bw.layers.dense({ units: 3, inputShape: [2] }), layer] });
  m.setWeights([bw.tensor([[1, -2, 0.5], [3, 1, -1]]), bw.tensor([0.1, 0, -0.2])]);
  const x = [[0.5, 1], [-2, 0.25], [1.5, -1], [0.2, -0.3]];
  const z = (a: number, b: number) => [a + 3 * b + 0.1, -2 * a + b, 0.5 * a - b - 0.2];
  expectClose(m.predict(bw.tensor(x)).dataSync(), x.flatMap(([a, b]) => z(a, b).map(fn)), `${layer.className} predict`, 1e-6, 1e-7);
  m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 1 }), loss: 'meanSquaredError' });
  m.trainOnBatch(bw.tensor([[0.3, -0.4]]), bw.tensor([[0, 0, 0]]));
  const zs = z(0.3, -0.4), bias = [0.1, 0, -0.2].map((b, j) => b - (2 / 3) * fn(zs[j]) * dfn(zs[j]));
  expectClose(m.getWeights()[1].dataSync(), bias, `${layer.className} bias after one step`, 1e-6, 1e-7);
}

async function saveBw(m: bw.Sequential): Promise<bw.ModelArtifacts> {
  let saved: bw.ModelArtifacts | undefined;
  await m.save({ save: async (a) => { saved = a; return {}; } });
  return saved!;
}

async function saveTf(t: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await t.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  return saved!;
}

/** TF.js's file loads here with the same predictions, and ours loads in TF.js with the same predictions. */
async function filesLoadBothWays(m: bw.Sequential, t: tf.LayersModel): Promise<void> {
  const x = randn(BATCH * IN, 500, 0, 2);
  const back = await bw.loadModel({ load: async () => saveTf(t) as Promise<bw.ModelArtifacts> });
  expectClose(back.predict(bw.tensor(x, [BATCH, IN])).dataSync(), tfPredict(t, tf.tensor(x, [BATCH, IN])), 'TF.js file read here', 1e-4, 1e-5);
  const t2 = await tf.loadLayersModel(tf.io.fromMemory(await saveBw(m) as tf.io.ModelArtifacts));
  expectClose(tfPredict(t2, tf.tensor(x, [BATCH, IN])), m.predict(bw.tensor(x, [BATCH, IN])).dataSync(), 'our file read by TF.js', 1e-4, 1e-5);
}

const elu64 = (a: number) => (z: number) => (z > 0 ? z : a * Math.expm1(z));
const dElu64 = (a: number) => (z: number) => (z > 0 ? 1 : a * Math.exp(z));

describe.each(BACKENDS)('on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('ELU trains like tf.layers.elu(); alpha ≠ 1 (which TF.js refuses) follows the float64 definition', async () => {
    bw.setSeed(21);
    expect(bw.layers.elu().alpha).toBe(1);
    await trainsLikeTf(() => ({
      bw: [bw.layers.dense({ units: HIDDEN, inputShape: [IN] }), bw.layers.elu(), bw.layers.dense({ units: 2 })],
      tf: [tf.layers.dense({ units: HIDDEN, inputShape: [IN] }), tf.layers.elu(), tf.layers.dense({ units: 2 })],
    }));
    checkAgainstFloat64(bw.layers.elu({ alpha: 0.5 }), elu64(0.5), dElu64(0.5));
    checkAgainstFloat64(bw.layers.elu({ alpha: 2.5 }), elu64(2.5), dElu64(2.5));
  });

  test('ReLU trains like tf.layers.reLU() and reLU({ maxValue }); negativeSlope and threshold follow Keras 3 in float64', async () => {
    bw.setSeed(22);
    await trainsLikeTf(() => ({
      bw: [bw.layers.dense({ units: HIDDEN, inputShape: [IN] }), bw.layers.reLU({ maxValue: 1.2 }), bw.layers.dense({ units: 2 }), bw.layers.reLU()],
      tf: [tf.layers.dense({ units: HIDDEN, inputShape: [IN] }), tf.layers.reLU({ maxValue: 1.2 }), tf.layers.dense({ units: 2 }), tf.layers.reLU()],
    }));
    const keras = (max: number, slope: number, thr: number) => (z: number) => (z > thr ? Math.min(z, max) : slope * (z - thr));
    const dKeras = (max: number, slope: number, thr: number) => (z: number) => (z > thr ? (z <= max ? 1 : 0) : slope);
    checkAgainstFloat64(bw.layers.reLU({ negativeSlope: 0.1 }), keras(Infinity, 0.1, 0), dKeras(Infinity, 0.1, 0));
    checkAgainstFloat64(bw.layers.reLU({ maxValue: 2, negativeSlope: 0.3, threshold: 0.5 }), keras(2, 0.3, 0.5), dKeras(2, 0.3, 0.5));
    checkAgainstFloat64(bw.layers.reLU({ maxValue: 0.4, threshold: 0.05 }), keras(0.4, 0, 0.05), dKeras(0.4, 0, 0.05));
  });

  test('Softmax trains like tf.layers.softmax() under MSE and under cross-entropy (the fused path), on rank-3 inputs too', async () => {
    bw.setSeed(23);
    await trainsLikeTf(() => ({
      bw: [bw.layers.dense({ units: 3, inputShape: [IN] }), bw.layers.softmax(), bw.layers.dense({ units: 2 })],
      tf: [tf.layers.dense({ units: 3, inputShape: [IN] }), tf.layers.softmax(), tf.layers.dense({ units: 2 })],
    }));
    await trainsLikeTf(() => ({
      bw: [bw.layers.dense({ units: HIDDEN, inputShape: [IN] }), bw.layers.dense({ units: 3 }), bw.layers.softmax({ axis: 1 })],
      tf: [tf.layers.dense({ units: HIDDEN, inputShape: [IN] }), tf.layers.dense({ units: 3 }), tf.layers.softmax({ axis: 1 })],
    }), 'categoricalCrossentropy');
    await trainsLikeTf(() => ({
      bw: [bw.layers.dense({ units: 3, inputShape: [2, 2] }), bw.layers.softmax(), bw.layers.flatten(), bw.layers.dense({ units: 2 })],
      // TF.js's Softmax defaults to axis 1 (Keras: -1); the same as the last axis only on rank-2 inputs
      tf: [tf.layers.dense({ units: 3, inputShape: [2, 2] }), tf.layers.softmax({ axis: -1 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })],
    }), 'meanSquaredError', [2, 2]);
  });

  test('ThresholdedReLU predicts like tf.layers.thresholdedReLU and trains by its float64 gradient (TF.js has none)', () => {
    bw.setSeed(24);
    expect(bw.layers.thresholdedReLU().theta).toBe(1);
    const m = bw.sequential({ layers: [bw.layers.dense({ units: HIDDEN, inputShape: [IN] }), bw.layers.thresholdedReLU({ theta: 0.3 })] });
    const t = tf.sequential({ layers: [tf.layers.dense({ units: HIDDEN, inputShape: [IN] }), tf.layers.thresholdedReLU({ theta: 0.3 })] });
    copyWeightsToTf(m, t);
    expectClose(m.predict(bw.tensor(xs[0], [BATCH, IN])).dataSync(), tfPredict(t, tf.tensor(xs[0], [BATCH, IN])), 'predict', 1e-5, 1e-6);
    for (const theta of [1, 0.25, -0.5]) {
      checkAgainstFloat64(bw.layers.thresholdedReLU({ theta }), (z) => (z > theta ? z : 0), (z) => (z > theta ? 1 : 0));
    }
  });

  test('PReLU trains like tf.layers.prelu: alpha per feature (with an L2 penalty), and shared over an image\'s spatial axes', async () => {
    bw.setSeed(25);
    const { m } = await trainsLikeTf(() => ({
      bw: [bw.layers.dense({ units: HIDDEN, inputShape: [IN] }), bw.layers.prelu({ alphaInitializer: 'glorotUniform', alphaRegularizer: bw.regularizers.l2({ l2: 0.05 }) }),
        bw.layers.dense({ units: 2 })],
      tf: [tf.layers.dense({ units: HIDDEN, inputShape: [IN] }), tf.layers.prelu({ alphaRegularizer: tf.regularizers.l2({ l2: 0.05 }) }), tf.layers.dense({ units: 2 })],
    }));
    expect(m.layers[1].getWeights()[0].shape).toEqual([HIDDEN]);
    const { m: image } = await trainsLikeTf(() => ({
      bw: [bw.layers.dense({ units: 3, inputShape: [4, 3, 2] }), bw.layers.prelu({ alphaInitializer: 'heUniform', sharedAxes: [1, 2] }),
        bw.layers.flatten(), bw.layers.dense({ units: 2 })],
      tf: [tf.layers.dense({ units: 3, inputShape: [4, 3, 2] }), tf.layers.prelu({ sharedAxes: [1, 2] }), tf.layers.flatten(), tf.layers.dense({ units: 2 })],
    }), 'meanSquaredError', [4, 3, 2]);
    expect(image.layers[1].getWeights()[0].shape).toEqual([1, 1, 3]);
    await trainsLikeTf(() => ({
      bw: [bw.layers.dense({ units: 3, inputShape: [4, 2] }), bw.layers.prelu({ alphaInitializer: 'ones', sharedAxes: 1 as unknown as number[] }),
        bw.layers.flatten(), bw.layers.dense({ units: 2 })],
      tf: [tf.layers.dense({ units: 3, inputShape: [4, 2] }), tf.layers.prelu({ sharedAxes: 1 }), tf.layers.flatten(), tf.layers.dense({ units: 2 })],
    }), 'meanSquaredError', [4, 2]);
  });

  test('a NaN input comes out NaN through each layer', () => {
    const layers = [bw.layers.elu(), bw.layers.reLU({ maxValue: 1 }), bw.layers.softmax(), bw.layers.thresholdedReLU(), bw.layers.prelu()];
    for (const l of layers) {
      const m = bw.sequential({ layers: [bw.layers.reshape({ targetShape: [3], inputShape: [3] }), l] });
      const y = m.predict(bw.tensor([[NaN, 1, -2]])).dataSync();
      expect(Number.isNaN(y[0]), `${l.className}(NaN)`).toBe(true);
    }
  });
});

describe('model.json', () => {
  test('ELU, ReLU, Softmax, ThresholdedReLU and PReLU files load both ways with the same predictions', async () => {
    bw.setBackend('wasm');
    bw.setSeed(31);
    const m = bw.sequential({ layers: [
      bw.layers.dense({ units: HIDDEN, inputShape: [IN] }), bw.layers.elu(), bw.layers.reLU({ maxValue: 2 }),
      bw.layers.prelu({ alphaInitializer: 'glorotUniform' }), bw.layers.thresholdedReLU({ theta: 0.1 }), bw.layers.dense({ units: 3 }), bw.layers.softmax(),
    ] });
    const t = tf.sequential({ layers: [
      tf.layers.dense({ units: HIDDEN, inputShape: [IN] }), tf.layers.elu(), tf.layers.reLU({ maxValue: 2 }),
      tf.layers.prelu(), tf.layers.thresholdedReLU({ theta: 0.1 }), tf.layers.dense({ units: 3 }), tf.layers.softmax(),
    ] });
    copyWeightsToTf(m, t);
    await filesLoadBothWays(m, t);
    const back = await bw.loadModel({ load: async () => saveTf(t) as Promise<bw.ModelArtifacts> });
    expect(back.layers.map((l) => l.className)).toEqual(['Dense', 'ELU', 'ReLU', 'PReLU', 'ThresholdedReLU', 'Dense', 'Softmax']);
    expect((back.layers[2] as bw.ReLU).maxValue).toBe(2);
    expect((back.layers[4] as bw.ThresholdedReLU).theta).toBeCloseTo(0.1, 7);
  });

  test('a Keras 3 file with ReLU(negative_slope, threshold), ELU(alpha) and PReLU(shared_axes) loads with those values', async () => {
    const topology = { class_name: 'Sequential', config: { name: 'k', layers: [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, 2, 3], name: 'in' } },
      { class_name: 'ReLU', config: { name: 'r', max_value: null, negative_slope: 0.2, threshold: 0.5, trainable: true } },
      { class_name: 'ELU', config: { name: 'e', alpha: 0.7, trainable: true } },
      { class_name: 'PReLU', config: { name: 'p', alpha_initializer: { class_name: 'Zeros', config: {} }, alpha_regularizer: null,
        alpha_constraint: null, shared_axes: [1], trainable: true } },
      { class_name: 'Softmax', config: { name: 's', axis: [-1], trainable: true } },
    ] } };
    const alpha = new Float32Array([0.5, -0.25, 2]);
    const m = await bw.loadModel({ load: async () => ({ modelTopology: topology, weightSpecs: [{ name: 'p/alpha', shape: [1, 3], dtype: 'float32' }],
      weightData: alpha.buffer }) as bw.ModelArtifacts });
    const r = m.layers[0] as bw.ReLU, e = m.layers[1] as bw.ELU, p = m.layers[2] as bw.PReLU;
    expect([r.maxValue, r.negativeSlope, r.threshold, e.alpha, p.sharedAxes, (m.layers[3] as bw.Softmax).axis]).toEqual([null, 0.2, 0.5, 0.7, [1], -1]);
    const x = [1, -1, 0.2, 0.7, 3, -4];
    const relu = x.map((v) => (v > 0.5 ? v : 0.2 * (v - 0.5))), elu = relu.map(elu64(0.7));
    const pre = elu.map((v, i) => (v > 0 ? v : alpha[i % 3] * v));
    const want = [pre.slice(0, 3), pre.slice(3)].flatMap((row) => {
      const mx = Math.max(...row), ex = row.map((v) => Math.exp(v - mx)), s = ex.reduce((a, b) => a + b);
      return ex.map((v) => v / s);
    });
    expectClose(m.predict(bw.tensor(x, [1, 2, 3])).dataSync(), want, 'Keras file predict', 1e-6, 1e-7);
  });

  test('TF.js\'s default reLU() file loads with no cap; TF.js ignores negativeSlope and refuses ELU alpha ≠ 1 (as the docs say)', async () => {
    const t = tf.sequential({ layers: [tf.layers.reLU({ inputShape: [3] })] });
    const back = await bw.loadModel({ load: async () => saveTf(t) as Promise<bw.ModelArtifacts> });
    expect(back.layers[0].getConfig()).toMatchObject({ maxValue: null, negativeSlope: 0, threshold: 0 });
    expectClose(back.predict(bw.tensor([[1e6, -2, 0.5]])).dataSync(), [1e6, 0, 0.5], 'no cap', 0, 0);
    const leaky = bw.sequential({ layers: [bw.layers.reLU({ inputShape: [3], negativeSlope: 0.5 })] });
    const t2 = await tf.loadLayersModel(tf.io.fromMemory(await saveBw(leaky) as tf.io.ModelArtifacts));
    expectClose(tfPredict(t2, tf.tensor([[-2, 1, 3]])), [0, 1, 3], 'TF.js without the slope', 0, 0);
    const elu = bw.sequential({ layers: [bw.layers.elu({ inputShape: [3], alpha: 0.5 })] });
    await expect(tf.loadLayersModel(tf.io.fromMemory(await saveBw(elu) as tf.io.ModelArtifacts))).rejects.toThrow(/alpha/);
  });

  test('a bnwasm ReLU with Keras 3\'s options saves them, and survives a round trip', async () => {
    const m = bw.sequential({ layers: [bw.layers.reLU({ inputShape: [3], negativeSlope: 0.1, threshold: 0.25, maxValue: 4 })] });
    const saved = await saveBw(m);
    const text = JSON.stringify(saved.modelTopology);
    expect(text).toContain('"negative_slope":0.1');
    expect(text).toContain('"max_value":4');
    const back = await bw.loadModel({ load: async () => saved });
    expect(back.layers[0].getConfig()).toEqual(m.layers[0].getConfig());
  });
});

describe('argument errors name the argument, what was expected and what came', () => {
  test.each([
    [() => bw.layers.elu({ alpha: -1 }), /^elu: alpha: expected a number >= 0, got -1/],
    [() => bw.layers.elu({ alpha: NaN }), /^elu: alpha: expected/],
    [() => bw.layers.reLU({ maxValue: -1 }), /^reLU: maxValue: expected a number >= 0 or null, got -1/],
    [() => bw.layers.reLU({ negativeSlope: '0.1' as unknown as number }), /^reLU: negativeSlope: expected a number >= 0, got "0.1"/],
    [() => bw.layers.reLU({ threshold: -0.5 }), /^reLU: threshold: expected a number >= 0, got -0.5/],
    [() => bw.layers.softmax({ axis: 1.5 }), /^softmax: axis: expected an integer, got 1.5/],
    [() => bw.layers.thresholdedReLU({ theta: Infinity }), /^thresholdedReLU: theta: expected a finite number, got Infinity/],
    [() => bw.layers.prelu({ sharedAxes: [0] }), /^prelu: sharedAxes: expected null, an axis >= 1 or an array of distinct axes >= 1 \(the batch axis is 0\), got \[0\]/],
    [() => bw.layers.prelu({ sharedAxes: [1, 1] }), /^prelu: sharedAxes: expected/],
    [() => bw.layers.prelu({ alphaInitializer: 'bogus' as 'zeros' }), /^prelu: alphaInitializer: /],
  ])('%#', (make, message) => {
    expect(make).toThrow(message);
  });

  test('a softmax over another axis, and PReLU sharing a non-leading axis, are refused when built', () => {
    expect(() => bw.sequential({ layers: [bw.layers.softmax({ axis: 1, inputShape: [3, 4] })] }))
      .toThrow(/^softmax: axis: bnwasm runs softmax over the last axis only \(-1 or 2 for inputs of shape \[3, 4\]\), got 1/);
    expect(() => bw.sequential({ layers: [bw.layers.prelu({ sharedAxes: [2], inputShape: [3, 4] })] }))
      .toThrow(/^prelu: sharedAxes: bnwasm shares alpha over leading axes only .* got \[2\]/);
    expect(() => bw.sequential({ layers: [bw.layers.prelu({ sharedAxes: [1, 2, 3], inputShape: [3, 4] })] })).toThrow(/^prelu: sharedAxes/);
  });

  test('a model whose first predict is refused that way is left unbuilt and works on inputs it can take', () => {
    const m = bw.sequential({ layers: [bw.layers.softmax({ axis: 1 })] });
    expect(() => m.predict(bw.tensor(new Float32Array(12), [2, 2, 3]))).toThrow(/^softmax: axis: /);
    expectClose(m.predict(bw.tensor([[0, Math.log(3)]])).dataSync(), [0.25, 0.75], 'softmax after the refusal', 1e-6, 1e-7);
  });
});
