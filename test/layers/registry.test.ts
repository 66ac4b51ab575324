/**
 * The layer registry: every registered class is reachable from bw.layers, found by its Keras class name,
 * and its declared options drive getConfig, clone and loading from model.json alike, so a non-default
 * configuration survives each of them unchanged.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';
import { LAYER_CLASSES, layerClass } from '../../src/layers/registry.js';

beforeAll(() => bw.ready());

/** A configuration of each class with every option away from its default (and a first layer that builds). */
const NON_DEFAULT: Record<keyof typeof LAYER_CLASSES, Record<string, unknown>> = {
  dense: { units: 3, activation: 'tanh', useBias: false, kernelInitializer: 'heNormal', biasInitializer: 'ones',
    kernelRegularizer: bw.regularizers.l2({ l2: 0.02 }), biasRegularizer: bw.regularizers.l1(),
    kernelConstraint: bw.constraints.maxNorm({ maxValue: 3, axis: 1 }), biasConstraint: bw.constraints.nonNeg() },
  batchNormalization: { axis: 1, momentum: 0.5, epsilon: 0.01, center: false, scale: false, betaInitializer: 'ones',
    gammaInitializer: 'zeros', movingMeanInitializer: 'ones', movingVarianceInitializer: 'heUniform',
    gammaRegularizer: bw.regularizers.l1l2({ l1: 0.1, l2: 0.2 }), betaRegularizer: bw.regularizers.l2(),
    gammaConstraint: bw.constraints.unitNorm(), betaConstraint: bw.constraints.maxNorm() },
  activation: { activation: 'sigmoid' },
  dropout: { rate: 0.25 },
  leakyReLU: { alpha: 0.15 },
  conv2d: { filters: 2, kernelSize: [2, 3], strides: [2, 1], padding: 'same', activation: 'relu', useBias: false,
    kernelInitializer: 'heUniform', biasInitializer: 'ones' },
  maxPooling2d: { poolSize: [3, 2], strides: [1, 2], padding: 'same' },
  averagePooling2d: { poolSize: [1, 2], strides: [2, 2], padding: 'same' },
  globalAveragePooling2d: {},
  flatten: {},
  reshape: { targetShape: [5, 4, 3] },
  elu: { alpha: 0.5 },
  reLU: { maxValue: 6, negativeSlope: 0.1, threshold: 0.5 },
  softmax: { axis: 2 },
  thresholdedReLU: { theta: 0.25 },
  prelu: { alphaInitializer: 'ones', alphaRegularizer: bw.regularizers.l2({ l2: 0.03 }), alphaConstraint: bw.constraints.nonNeg(), sharedAxes: [1] },
};

/** The input shape each class is built on in the round trip (image layers take [height, width, channels]). */
const INPUT: Partial<Record<keyof typeof LAYER_CLASSES, number[]>> = {
  conv2d: [4, 5, 3], maxPooling2d: [4, 5, 3], averagePooling2d: [4, 5, 3], globalAveragePooling2d: [4, 5, 3], flatten: [4, 5, 3], reshape: [4, 5, 3],
};

describe.each(Object.keys(LAYER_CLASSES) as Array<keyof typeof LAYER_CLASSES>)('%s', (factory) => {
  const make = (extra: Record<string, unknown> = {}) =>
    (bw.layers[factory] as (a: unknown) => bw.Layer)({ ...NON_DEFAULT[factory], ...extra });

  test('the factory builds the registered class, found again by its Keras class name', () => {
    const l = make();
    expect(l).toBeInstanceOf(LAYER_CLASSES[factory]);
    expect(layerClass(l.className)).toBe(LAYER_CLASSES[factory]);
  });

  test('every declared option is a read-only field and in getConfig', () => {
    const l = make() as unknown as Record<string, unknown> & bw.Layer;
    for (const [key, value] of Object.entries(NON_DEFAULT[factory])) expect(l[key]).toEqual(value);
    expect(Object.keys(l.getConfig())).toEqual(expect.arrayContaining(Object.keys(NON_DEFAULT[factory])));
  });

  test('clone and a model.json round trip keep the configuration', async () => {
    const shape = INPUT[factory] ?? [4, 5];
    const first = make({ inputShape: shape, name: `${factory}_round_trip`, trainable: false });
    const clone = first.clone(shape);
    expect(clone).not.toBe(first);
    expect(clone.getConfig()).toEqual(first.getConfig());
    expect([clone.name, clone.trainable]).toEqual([first.name, first.trainable]);
    const model = bw.sequential({ layers: [first] });
    let saved: bw.ModelArtifacts | undefined;
    await model.save({ save: async (a) => { saved = a; return {}; } });
    const loaded = await bw.loadModel({ load: async () => saved! });
    expect(loaded.layers[0].className).toBe(first.className);
    expect(loaded.layers[0].getConfig()).toEqual(first.getConfig());
    expect(loaded.layers[0].trainable).toBe(false);
    expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(model.getWeights().map((w) => Array.from(w.dataSync())));
  });

  test('an unknown option is refused by name', () => {
    expect(() => make({ unitz: 3 })).toThrow(new RegExp(`^${factory}: unknown option 'unitz'`));
  });
});

test('weights are declared by the layer: counted before building, trainable or not', () => {
  const bn = bw.layers.batchNormalization({ center: false });
  expect(bn.weightCountFor([7])).toBe(3 * 7); // gamma, moving mean, moving variance
  expect(bn.built).toBe(false);
  bn.build([7]);
  expect(bn.weights().map((p) => [p.name, p.grad !== null])).toEqual([['gamma', true], ['moving_mean', false], ['moving_variance', false]]);
  expect(bw.layers.dense({ units: 4 }).weightCountFor([3, 5])).toBe(5 * 4 + 4);
});

test('trainable is checked like every option, naming the factory', () => {
  expect(() => bw.layers.activation({ activation: 'relu', trainable: 'yes' as unknown as boolean })).toThrow(/^activation: trainable: expected true or false/);
  expect(() => bw.layers.dropout({ rate: 0.5, trainable: 1 as unknown as boolean })).toThrow(/^dropout: trainable: expected true or false/);
});

test("initializers use Keras's fans for weights of any rank", async () => {
  const { fans } = await import('../../src/layers/initializers.js');
  expect(fans([7])).toEqual([7, 7]);
  expect(fans([5, 3])).toEqual([5, 3]);
  expect(fans([3, 3, 4, 8])).toEqual([36, 72]); // a 3×3 convolution kernel, 4 → 8 channels
});

test('an option may not take the name of a Layer field', async () => {
  const { defineLayer, option } = await import('../../src/layers/options.js');
  expect(() => defineLayer({ className: 'Bad', factory: 'bad', options: { name: option.boolean(true) } })).toThrow(/option name would hide the Layer field/);
});
