/**
 * Convolutional models against TensorFlow.js 4.22 (cpu) on the same weights and batches: per-step losses,
 * every weight after training (moving statistics included) and inference-mode predictions (BN folded into
 * the convolution) agree to ~1e-4 relative, on both bnwasm backends. Covers 'valid'/'same' padding (with
 * its uneven split), strides 1 and 2, rectangular kernels, 1×1 convolutions, pooling with and without
 * overlap, global average pooling, Flatten and Reshape, after SGD with momentum and Adam.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  BACKENDS, bw, bwOptimizer, copyWeightsToTf, expectClose, expectSameWeights, randn, setupBoth, targetsFor, tf,
  tfOptimizer, tfPredict, tfTrainOnBatch, type OptSpec,
} from '../helpers/tfjs.js';

beforeAll(setupBoth);

/** A layer both libraries build from the same factory name and arguments. */
type Spec = [factory: 'conv2d' | 'batchNormalization' | 'activation' | 'maxPooling2d' | 'averagePooling2d' | 'globalAveragePooling2d' | 'flatten' | 'reshape' | 'dense', args: Record<string, unknown>];

const build = {
  bw: (specs: Spec[]) => bw.sequential({ layers: specs.map(([f, a]) => (bw.layers[f] as (x: unknown) => bw.Layer)(structuredClone(a))) }),
  // a copy each time: TF.js's Reshape rewrites its targetShape array
  tf: (specs: Spec[]) => tf.sequential({ layers: specs.map(([f, a]) => (tf.layers[f] as (x: unknown) => tf.layers.Layer)(structuredClone(a))) }),
};

const SHAPE = [9, 8, 2], BATCH = 6, STEPS = 5, CLASSES = 3;

const MODELS: Array<[string, Spec[]]> = [
  ['conv 3×3 valid relu → BN → maxpool 2 → flatten → dense softmax', [
    ['conv2d', { filters: 4, kernelSize: 3, activation: 'relu', inputShape: SHAPE }],
    ['batchNormalization', { momentum: 0.8 }],
    ['maxPooling2d', { poolSize: 2 }],
    ['flatten', {}],
    ['dense', { units: CLASSES, activation: 'softmax' }],
  ]],
  // no bias in front of BN: its gradient is 0 up to rounding, which Adam would blow up to full steps in both libraries
  ['conv [3, 2] same stride 2 no bias → BN → relu → avgpool 2 stride 1 (overlap) → conv 1×1 → global avg → dense', [
    ['conv2d', { filters: 5, kernelSize: [3, 2], strides: 2, padding: 'same', useBias: false, inputShape: SHAPE }],
    ['batchNormalization', { momentum: 0.7 }],
    ['activation', { activation: 'relu' }],
    ['averagePooling2d', { poolSize: 2, strides: 1 }],
    ['conv2d', { filters: 3, kernelSize: 1, activation: 'tanh' }],
    ['globalAveragePooling2d', {}],
    ['dense', { units: CLASSES, activation: 'softmax' }],
  ]],
  ['conv [2, 3] same tanh → maxpool 3 stride 2 same (overlap, padded) → BN → conv 2×2 stride [2, 1] valid no bias → reshape → flatten → dense', [
    ['conv2d', { filters: 3, kernelSize: [2, 3], padding: 'same', activation: 'tanh', inputShape: SHAPE }],
    ['maxPooling2d', { poolSize: 3, strides: 2, padding: 'same' }],
    ['batchNormalization', { momentum: 0.5, epsilon: 0.01 }],
    ['conv2d', { filters: 4, kernelSize: 2, strides: [2, 1], useBias: false }],
    ['reshape', { targetShape: [2, 12] }],
    ['flatten', {}],
    ['dense', { units: CLASSES, activation: 'softmax' }],
  ]],
  // activations that run after the GEMM epilogue, and a weight penalty on a convolution kernel
  ['conv 3×3 elu + l1l2 kernel penalty → BN → conv 2×2 same selu → conv 1×1 swish → global avg → dense softmax', [
    ['conv2d', { filters: 4, kernelSize: 3, activation: 'elu', kernelRegularizer: 'l1l2', inputShape: SHAPE }],
    ['batchNormalization', { momentum: 0.8 }],
    ['conv2d', { filters: 3, kernelSize: 2, padding: 'same', activation: 'selu' }],
    ['conv2d', { filters: 3, kernelSize: 1, activation: 'swish' }],
    ['globalAveragePooling2d', {}],
    ['dense', { units: CLASSES, activation: 'softmax' }],
  ]],
];

const OPTIMIZERS: Array<[string, OptSpec]> = [
  ['sgd+momentum', { kind: 'sgd', learningRate: 0.05, momentum: 0.9 }],
  ['adam', { kind: 'adam', learningRate: 0.01 }],
];

const size = BATCH * SHAPE.reduce((a, b) => a * b, 1);

describe.each(BACKENDS)('convolutional models vs TF.js on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  describe.each(MODELS)('%s', (_name, specs) => {
    test.each(OPTIMIZERS)('%s: per-step losses, every final weight, then predictions', async (_o, opt) => {
      bw.setBackend(backend);
      bw.setSeed(21);
      const m = build.bw(specs), t = build.tf(specs);
      copyWeightsToTf(m, t);
      m.compile({ optimizer: bwOptimizer(opt), loss: 'categoricalCrossentropy' });
      t.compile({ optimizer: tfOptimizer(opt), loss: 'categoricalCrossentropy' });
      const y = targetsFor('categoricalCrossentropy', BATCH, CLASSES, 5);
      const got: number[] = [], want: number[] = [];
      for (let s = 0; s < STEPS; s++) {
        const x = randn(size, 300 + s, 0.5, 1.5);
        got.push(m.trainOnBatch(bw.tensor(x, [BATCH, ...SHAPE]), y.bw));
        const tx = tf.tensor(x, [BATCH, ...SHAPE]);
        want.push(await tfTrainOnBatch(t, tx, y.tf));
        tx.dispose();
      }
      expectClose(got, want, 'losses per step', 1e-4, 1e-6);
      expect(Math.abs(got[STEPS - 1] - got[0])).toBeGreaterThan(1e-3); // it really trained
      expectSameWeights(m, t, 2e-4, 2e-5);
      // inference: BN folded into a convolution in front where there is one; 13 rows = batches of 4 + 1
      const x = randn(13 * size / BATCH, 77, 0.5, 1.5);
      const want13 = tfPredict(t, tf.tensor(x, [13, ...SHAPE]));
      expectClose(m.predict(bw.tensor(x, [13, ...SHAPE]), { batchSize: 4 }).dataSync(), want13, 'predict', 1e-4, 1e-6);
      expectClose(m.foldBatchNorm().predict(bw.tensor(x, [13, ...SHAPE])).dataSync(), want13, 'folded model predict', 1e-4, 1e-6);
    });
  });
});

describe('convolutional layers on their own vs TF.js', () => {
  test('default names, output shapes and weight shapes match TF.js', async () => {
    const [, specs] = MODELS[2];
    const m = build.bw(specs), t = build.tf(specs);
    expect(m.layers.map((l) => l.outputShape)).toEqual(t.layers.map((l) => (l.outputShape as number[]).slice(1)));
    expect(m.layers.map((l) => l.getWeights().map((w) => w.shape))).toEqual(t.layers.map((l) => l.getWeights().map((w) => w.shape)));
    expect(m.layers.map((l) => l.name.replace(/\d+$/, ''))).toEqual(t.layers.map((l) => l.name.replace(/\d+$/, '')));
  });

  test('inference with BN folded into a biased convolution in front (pinned moving statistics) matches TF.js predict', () => {
    const specs: Spec[] = [
      ['conv2d', { filters: 6, kernelSize: [2, 3], strides: [1, 2], padding: 'same', inputShape: SHAPE }],
      ['batchNormalization', { epsilon: 0.01 }],
      ['activation', { activation: 'relu' }],
      ['conv2d', { filters: 4, kernelSize: 3 }],
      ['batchNormalization', {}],
      ['globalAveragePooling2d', {}],
      ['dense', { units: CLASSES, activation: 'softmax' }],
    ];
    bw.setSeed(4);
    const m = build.bw(specs), t = build.tf(specs);
    // moving statistics and BN weights far from their initial values, so folding really changes the kernel
    // weights: conv kernel, bias; BN gamma, beta, moving mean, moving variance (indices 2–5); conv; BN (8–11); dense
    const mean = (i: number) => ([4, 10].includes(i) ? 2 : [2, 8].includes(i) ? 1 : 0);
    m.setWeights(m.getWeights().map((w, i) => bw.tensor(randn(w.size, 50 + i, mean(i), 0.5).map((v) => ([5, 11].includes(i) ? Math.abs(v) + 0.1 : v)), w.shape)));
    copyWeightsToTf(m, t);
    const x = randn(7 * size / BATCH, 78);
    const want = tfPredict(t, tf.tensor(x, [7, ...SHAPE]));
    for (const backend of BACKENDS) {
      bw.setBackend(backend);
      expectClose(m.predict(bw.tensor(x, [7, ...SHAPE])).dataSync(), want, `predict on ${backend}`, 1e-4, 1e-6);
      const folded = m.foldBatchNorm();
      expect(folded.layers.map((l) => l.className)).toEqual(['Conv2D', 'Activation', 'Conv2D', 'GlobalAveragePooling2D', 'Dense']);
      expectClose(folded.predict(bw.tensor(x, [7, ...SHAPE])).dataSync(), want, `folded predict on ${backend}`, 1e-4, 1e-6);
    }
    bw.setBackend('wasm');
  });

  test('reshape infers a -1 entry; flatten and reshape keep the values in place', () => {
    const r = bw.layers.reshape({ targetShape: [3, -1] });
    expect(r.apply(bw.tensor(randn(2 * 24, 1), [2, 4, 3, 2])).shape).toEqual([2, 3, 8]);
    expect(() => bw.layers.reshape({ targetShape: [5, -1] }).apply(bw.tensor(randn(24, 1), [1, 4, 3, 2]))).toThrow(/cannot reshape inputs of shape \[4, 3, 2\]/);
    expect(() => bw.layers.reshape({ targetShape: [-1, -1] })).toThrow(/targetShape/);
    const x = randn(2 * 24, 2);
    expect(Array.from(bw.layers.flatten().apply(bw.tensor(x, [2, 4, 3, 2])).dataSync())).toEqual(Array.from(x));
  });

  test('glorotUniform on a conv kernel uses TF\'s fans (window × channels): same bound as TF.js', () => {
    bw.setSeed(1);
    const l = bw.layers.conv2d({ filters: 16, kernelSize: 5, inputShape: [12, 12, 3] });
    l.build([12, 12, 3]);
    const w = l.getWeights()[0].dataSync(), limit = Math.sqrt(6 / (25 * 3 + 25 * 16));
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.9 * limit);
  });
});
