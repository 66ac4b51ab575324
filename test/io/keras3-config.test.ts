/**
 * Model files as Keras 3 writes them (hand-written configs: dtype policies, module and registered_name
 * keys, groups and keepdims): a model bnwasm implements loads with the same predictions; a setting it does
 * not implement (groups: 2, a channels-first Flatten, an unknown key with a value) is refused by layer, key
 * and value instead of being dropped; TF.js files keep loading.
 */
import { beforeAll, expect, test } from 'vitest';
import { bw, expectClose, randn, setupBoth, tf, tfPredict } from '../helpers/tfjs.js';

beforeAll(async () => {
  await setupBoth();
  bw.setBackend('wasm');
});

type Config = Record<string, unknown>;
const SHAPE = [6, 5, 3];
const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const init = (cls: string) => ({ module: 'keras.initializers', class_name: cls, config: cls === 'Zeros' ? {} : { seed: null }, registered_name: null });
const entry = (cls: string, config: Config) => ({ module: 'keras.layers', class_name: cls, config: { trainable: true, dtype: policy, ...config }, registered_name: null });

/** A Keras 3 Sequential's config.json: Conv2D → MaxPooling2D → GlobalAveragePooling2D(keepdims) → Flatten → Dense. */
function keras3Topology(): { class_name: string; config: { layers: Array<{ class_name: string; config: Config }> } } {
  return {
    module: 'keras', class_name: 'Sequential', registered_name: null,
    config: {
      name: 'sequential', trainable: true, dtype: policy,
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, ...SHAPE], dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null },
        entry('Conv2D', {
          name: 'conv', filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'same', data_format: 'channels_last',
          dilation_rate: [1, 1], groups: 1, activation: 'relu', use_bias: true, kernel_initializer: init('GlorotUniform'),
          bias_initializer: init('Zeros'), kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null,
          kernel_constraint: null, bias_constraint: null,
        }),
        entry('MaxPooling2D', { name: 'pool', pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' }),
        entry('GlobalAveragePooling2D', { name: 'gap', data_format: 'channels_last', keepdims: true }),
        entry('Flatten', { name: 'flat', data_format: 'channels_last' }),
        entry('Dense', {
          name: 'out', units: 3, activation: 'softmax', use_bias: true, kernel_initializer: init('GlorotUniform'), bias_initializer: init('Zeros'),
          kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null,
        }),
      ],
      build_input_shape: [null, ...SHAPE],
    },
  } as never;
}

/** The same model built in bnwasm (random weights), and its saved weights under the Keras 3 topology. */
async function keras3Model(edit: (layers: Array<{ class_name: string; config: Config }>) => void = () => {}) {
  bw.setSeed(11);
  const m = bw.sequential({ layers: [
    bw.layers.conv2d({ name: 'conv', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: SHAPE, biasInitializer: 'ones' }),
    bw.layers.maxPooling2d({ name: 'pool' }),
    bw.layers.globalAveragePooling2d({ name: 'gap', keepdims: true }),
    bw.layers.flatten({ name: 'flat' }),
    bw.layers.dense({ name: 'out', units: 3, activation: 'softmax' }),
  ] });
  let a: bw.ModelArtifacts | undefined;
  await m.save({ save: async (x) => { a = x; return {}; } });
  const topology = keras3Topology();
  edit(topology.config.layers);
  return { m, load: () => bw.loadModel({ load: async () => ({ ...a!, modelTopology: topology }) }) };
}

test('a Keras 3 Conv2D (groups: 1) and GlobalAveragePooling2D (keepdims: true) load with the same predictions', async () => {
  const { m, load } = await keras3Model();
  const k = await load();
  expect(k.layers.map((l) => l.outputShape)).toEqual([[6, 5, 4], [3, 2, 4], [1, 1, 4], [4], [3]]);
  expect([(k.layers[0] as bw.Conv2D).groups, (k.layers[2] as bw.GlobalAveragePooling2D).keepdims]).toEqual([1, true]);
  const x = bw.tensor(randn(4 * 90, 3, 0.2, 1), [4, ...SHAPE]);
  expect(Array.from(k.predict(x).dataSync())).toEqual(Array.from(m.predict(x).dataSync()));
});

test('Keras 3 settings bnwasm does not implement are refused by layer, key and value, never dropped', async () => {
  const refused = async (edit: (layers: Array<{ config: Config }>) => void, message: RegExp) =>
    expect((await keras3Model(edit)).load()).rejects.toThrow(message);
  await refused((l) => { l[1].config.groups = 2; }, /layer 'conv': conv2d: groups: expected 1 \(grouped convolutions are not implemented\), got 2/);
  await refused((l) => { l[3].config.keepdims = 'yes'; }, /layer 'gap': globalAveragePooling2d: keepdims: expected true or false, got "yes"/);
  await refused((l) => { l[4].config.data_format = 'channels_first'; }, /layer 'flat': Flatten data_format: "channels_first" is not supported by bnwasm \(only "channels_last"\)/);
  await refused((l) => { l[1].config.lora_rank = 4; }, /layer 'conv': Conv2D lora_rank: 4 is not supported by bnwasm \(it reads .*groups.*\); loading without it could change the model/);
  await refused((l) => { l[2].config.keepdims = true; }, /layer 'pool': MaxPooling2D keepdims: true is not supported/);
  // a Conv2D's activity regularizer is a setting bnwasm has: it loads
  const conv = await (await keras3Model((l) => { l[1].config.activity_regularizer = { class_name: 'L2', config: { l2: 0.01 } }; })).load();
  expect((conv.layers[0] as bw.Conv2D).activityRegularizer).toMatchObject({ l1: 0, l2: 0.01 });
  // an unset key (null) changes nothing and loads
  const { load } = await keras3Model((l) => { l[1].config.lora_rank = null; });
  await expect(load()).resolves.toBeDefined();
});

test('GlobalAveragePooling2D is saved with keepdims, which TF.js ignores: keepdims: false loads in TF.js with the same predictions', async () => {
  bw.setSeed(5);
  const m = bw.sequential({ layers: [
    bw.layers.conv2d({ filters: 4, kernelSize: 2, inputShape: SHAPE }),
    bw.layers.globalAveragePooling2d(),
    bw.layers.dense({ units: 2 }),
  ] });
  let a: bw.ModelArtifacts | undefined;
  await m.save({ save: async (x) => { a = x; return {}; } });
  expect((a!.modelTopology as { config: { layers: Array<{ config: Config }> } }).config.layers[1].config.keepdims).toBe(false);
  const t = await tf.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
  const x = randn(2 * 90, 4, 0, 1);
  expectClose(m.predict(bw.tensor(x, [2, ...SHAPE])).dataSync(), tfPredict(t, tf.tensor(x, [2, ...SHAPE])), 'predictions', 1e-5, 1e-6);
});
