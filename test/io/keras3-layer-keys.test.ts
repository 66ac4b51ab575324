/**
 * Every config key Keras 3 (and tf.keras 2, for ThresholdedReLU, which Keras 3 dropped) writes for Dense,
 * BatchNormalization, Dropout and the activation layers is known: a hand-written Keras 3 file loads with
 * the predictions of the same model built in bnwasm, and a setting bnwasm does not have (LoRA, a quantized
 * kernel, a shared dropout mask, an activity regularizer) is refused by layer, key and value.
 */
import { beforeAll, expect, test } from 'vitest';
import { bw, randn, setupBoth } from '../helpers/tfjs.js';
import { LAYER_CLASSES } from '../../src/layers/registry.js';

beforeAll(async () => {
  await setupBoth();
  bw.setBackend('wasm');
});

type Config = Record<string, unknown>;
type Layers = Array<{ class_name: string; config: Config }>;
const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const init = (cls: string) => ({ module: 'keras.initializers', class_name: cls, config: cls === 'GlorotUniform' ? { seed: null } : {}, registered_name: null });
const entry = (cls: string, config: Config) => ({ module: 'keras.layers', class_name: cls, config: { trainable: true, dtype: policy, ...config }, registered_name: null });
const dense = (name: string, units: number) => entry('Dense', {
  name, units, activation: 'linear', use_bias: true, kernel_initializer: init('GlorotUniform'), bias_initializer: init('Zeros'),
  kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null, quantization_config: null,
});

/** Keras 3's config.json of the model below, key for key as its get_config writes them. */
function topology(): { config: { layers: Layers } } {
  return {
    module: 'keras', class_name: 'Sequential', registered_name: null,
    config: {
      name: 'sequential', trainable: true, dtype: policy,
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 5], dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null },
        dense('d', 6),
        entry('BatchNormalization', {
          name: 'bn', axis: -1, momentum: 0.9, epsilon: 0.01, center: true, scale: true, beta_initializer: init('Zeros'),
          gamma_initializer: init('Ones'), moving_mean_initializer: init('Zeros'), moving_variance_initializer: init('Ones'),
          beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null, synchronized: false,
        }),
        entry('Dropout', { name: 'drop', rate: 0.25, seed: null, noise_shape: null }),
        entry('Activation', { name: 'act', activation: 'tanh' }),
        entry('LeakyReLU', { name: 'lrelu', negative_slope: 0.1 }),
        entry('ELU', { name: 'elu' }), // Keras 3 writes no alpha (it reloads as 1)
        entry('ReLU', { name: 'relu', max_value: 6, negative_slope: 0, threshold: 0 }),
        entry('PReLU', { name: 'prelu', alpha_initializer: init('Zeros'), alpha_regularizer: null, alpha_constraint: null, shared_axes: null }),
        // tf.keras 2 (Keras 3 has no ThresholdedReLU layer)
        { class_name: 'ThresholdedReLU', config: { name: 'trelu', trainable: true, dtype: 'float32', theta: 0.1 } },
        dense('out', 3),
        entry('Softmax', { name: 'sm', axis: -1 }),
      ],
      build_input_shape: [null, 5],
    },
  } as never;
}

async function keras3Model(edit: (layers: Layers) => void = () => {}) {
  bw.setSeed(3);
  const m = bw.sequential({ layers: [
    bw.layers.dense({ name: 'd', units: 6, inputShape: [5], biasInitializer: 'ones' }),
    bw.layers.batchNormalization({ name: 'bn', momentum: 0.9, epsilon: 0.01, movingVarianceInitializer: 'ones' }),
    bw.layers.dropout({ name: 'drop', rate: 0.25 }),
    bw.layers.activation({ name: 'act', activation: 'tanh' }),
    bw.layers.leakyReLU({ name: 'lrelu', alpha: 0.1 }),
    bw.layers.elu({ name: 'elu' }),
    bw.layers.reLU({ name: 'relu', maxValue: 6 }),
    bw.layers.prelu({ name: 'prelu', alphaInitializer: 'ones' }),
    bw.layers.thresholdedReLU({ name: 'trelu', theta: 0.1 }),
    bw.layers.dense({ name: 'out', units: 3 }),
    bw.layers.softmax({ name: 'sm' }),
  ] });
  // moving statistics away from their initial values, so a BN read wrongly would show
  m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  await m.fit(bw.tensor(randn(8 * 5, 4, 1, 2), [8, 5]), bw.tensor(Array.from({ length: 24 }, (_, i) => (i % 3 === i % 8 % 3 ? 1 : 0)), [8, 3]), { epochs: 2, batchSize: 4, verbose: 0 });
  let a: bw.ModelArtifacts | undefined;
  await m.save({ save: async (x) => { a = x; return {}; } });
  const t = topology();
  edit(t.config.layers);
  return { m, load: () => bw.loadModel({ load: async () => ({ ...a!, modelTopology: t }) }) };
}

const at = (layers: Layers, name: string) => layers.find((l) => l.config.name === name)!.config;

test('a Keras 3 file of Dense, BatchNormalization, Dropout and every activation layer loads with the same predictions', async () => {
  const { m, load } = await keras3Model();
  const k = await load();
  expect(k.layers.map((l) => l.className)).toEqual(m.layers.map((l) => l.className));
  expect((k.layers[4] as bw.LeakyReLU).alpha).toBeCloseTo(0.1, 7); // Keras 3's negative_slope
  expect([(k.layers[1] as bw.BatchNormalization).momentum, (k.layers[1] as bw.BatchNormalization).epsilon]).toEqual([0.9, 0.01]);
  const x = bw.tensor(randn(4 * 5, 9, 0, 1.5), [4, 5]);
  expect(Array.from(k.predict(x).dataSync())).toEqual(Array.from(m.predict(x).dataSync()));
});

test('keys that change nothing here load with any value: BatchNormalization synchronized, Dropout seed, unset keys', async () => {
  const { load } = await keras3Model((l) => {
    at(l, 'bn').synchronized = true;
    at(l, 'drop').seed = 42;
    at(l, 'd').lora_rank = null;
    at(l, 'drop').noise_shape = null;
  });
  await expect(load()).resolves.toBeDefined();
});

test('settings bnwasm does not have are refused by layer, key and value, one per layer', async () => {
  const refused = async (edit: (layers: Layers) => void, message: RegExp) =>
    expect((await keras3Model(edit)).load()).rejects.toThrow(message);
  await refused((l) => { Object.assign(at(l, 'd'), { lora_rank: 4, lora_alpha: 4 }); }, /layer 'd': Dense lora_rank: 4 is not supported by bnwasm \(only null\)/);
  await refused((l) => { at(l, 'out').quantization_config = { class_name: 'Int8QuantizationConfig', config: {} }; },
    /layer 'out': Dense quantization_config: .*Int8QuantizationConfig.* is not supported by bnwasm/);
  await refused((l) => { at(l, 'drop').noise_shape = [null, 1]; }, /layer 'drop': Dropout noise_shape: \[null,1\] is not supported by bnwasm \(only null\)/);
  await refused((l) => { at(l, 'lrelu').alpha = 0.2; }, /layer 'lrelu': negative_slope 0.1 and alpha 0.2 disagree/);
  const l2 = { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.01 }, registered_name: null };
  for (const [name, cls] of [['bn', 'BatchNormalization'], ['act', 'Activation'], ['lrelu', 'LeakyReLU'], ['elu', 'ELU'], ['relu', 'ReLU'],
    ['prelu', 'PReLU'], ['trelu', 'ThresholdedReLU'], ['sm', 'Softmax']]) {
    await refused((l) => { at(l, name).activity_regularizer = l2; },
      new RegExp(`layer '${name}': ${cls} activity_regularizer: .*L2.* is not supported by bnwasm \\(it reads .*\\)`));
  }
  // Dense has an activity regularizer: it loads
  const d = (await (await keras3Model((l) => { at(l, 'd').activity_regularizer = l2; })).load()).layers.find((x) => x.name === 'd') as bw.Dense;
  expect(d.activityRegularizer).toMatchObject({ l1: 0, l2: 0.01 });
});

test('every layer class knows all the keys its files hold (so none loads with a setting dropped)', () => {
  expect(Object.values(LAYER_CLASSES).filter((c) => !c.def.fileKeys).map((c) => c.def.className)).toEqual([]);
});
