/**
 * Convolution, pooling, Flatten and Reshape layers on their own: bad arguments and shapes throw Errors that
 * name the argument, what was expected and what came, and leave nothing built; apply() runs a layer
 * outside a model; BatchNormalization after a Conv2D normalizes per channel over batch, height and width.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';
import { randn } from '../helpers/tfjs.js';

beforeAll(() => bw.ready());

describe('argument checks', () => {
  test.each([
    [() => bw.layers.conv2d({ filters: 0, kernelSize: 3 }), /conv2d: filters: expected an integer >= 1, got 0/],
    [() => bw.layers.conv2d({ filters: 2, kernelSize: [3] as never }), /conv2d: kernelSize: expected a positive integer or a pair \[height, width\] of them, got \[3\]/],
    [() => bw.layers.conv2d({ filters: 2, kernelSize: 3, strides: 0 }), /conv2d: strides: expected a positive integer or a pair/],
    [() => bw.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'causal' as never }), /conv2d: padding: expected one of 'valid', 'same', got "causal"/],
    [() => bw.layers.conv2d({ filters: 2, kernelSize: 3, dataFormat: 'channelsFirst' as never }), /conv2d: dataFormat: expected one of 'channelsLast'/],
    [() => bw.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2 }), /conv2d: dilationRate: expected 1 \(dilated convolutions are not implemented\), got 2/],
    [() => bw.layers.conv2d({ filters: 2, kernelSize: 3, groups: 2 }), /conv2d: groups: expected 1 \(grouped convolutions are not implemented\), got 2/],
    [() => bw.layers.globalAveragePooling2d({ keepdims: 1 as never }), /globalAveragePooling2d: keepdims: expected true or false, got 1/],
    [() => bw.layers.conv2d(undefined as never), /conv2d: expected an options object/],
    [() => bw.layers.maxPooling2d({ poolSize: -1 }), /maxPooling2d: poolSize: expected a positive integer or a pair/],
    [() => bw.layers.averagePooling2d({ padding: 'full' as never }), /averagePooling2d: padding: expected one of 'valid', 'same'/],
    [() => bw.layers.reshape({ targetShape: [2, 0] }), /reshape: targetShape: expected an array of positive integers/],
  ])('%#: %s', (make, message) => {
    expect(make).toThrow(message);
  });

  test('shapes that do not fit throw naming the layer and the shape; the layer stays unbuilt', () => {
    const conv = bw.layers.conv2d({ filters: 2, kernelSize: [3, 5] });
    expect(() => conv.build([4, 4, 1])).toThrow(/a 3×5 kernel with 'valid' padding does not fit inputs of 4×4/);
    expect(conv.built).toBe(false);
    expect(() => bw.layers.conv2d({ filters: 2, kernelSize: 3 }).build([8, 8])).toThrow(/expected inputs of shape \[height, width, channels\] \(rank 4 with the batch\), got \[null, 8, 8\]/);
    expect(() => bw.layers.maxPooling2d({ poolSize: 5 }).build([4, 6, 2])).toThrow(/a 5×5 pool with 'valid' padding does not fit inputs of 4×6/);
    expect(() => bw.layers.globalAveragePooling2d().build([4, 6])).toThrow(/expected inputs of shape \[height, width, channels\]/);
    // 'same' always fits
    expect(bw.layers.conv2d({ filters: 2, kernelSize: [3, 5], padding: 'same', strides: 3 }).build([4, 4, 1])).toEqual([2, 2, 2]);
  });

  test('a model refuses a conv2d after a layer with rank-2 outputs', () => {
    const m = bw.sequential({ layers: [bw.layers.dense({ units: 4, inputShape: [3] })] });
    expect(() => m.add(bw.layers.conv2d({ filters: 2, kernelSize: 1 }))).toThrow(/rank 4 with the batch/);
    expect(m.layers.length).toBe(1);
  });
});

test('apply() runs layers outside a model with the output shapes TF.js gives', () => {
  const x = bw.tensor(randn(2 * 7 * 5 * 3, 1), [2, 7, 5, 3]);
  expect(bw.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }).apply(x).shape).toEqual([2, 4, 3, 4]);
  expect(bw.layers.maxPooling2d({}).apply(x).shape).toEqual([2, 3, 2, 3]);
  expect(bw.layers.averagePooling2d({ poolSize: [3, 2], strides: 1, padding: 'same' }).apply(x).shape).toEqual([2, 7, 5, 3]);
  expect(bw.layers.globalAveragePooling2d().apply(x).shape).toEqual([2, 3]);
  expect(bw.layers.flatten().apply(x).shape).toEqual([2, 105]);
});

test('BatchNormalization after a Conv2D normalizes each channel over batch, height and width (training)', () => {
  const n = 3, h = 5, w = 4, c = 6;
  const x = randn(n * h * w * c, 9, 2, 3);
  const y = bw.layers.batchNormalization({ epsilon: 1e-5 }).apply(bw.tensor(x, [n, h, w, c]), { training: true }).dataSync();
  for (let ch = 0; ch < c; ch++) {
    let s = 0, q = 0;
    for (let i = ch; i < y.length; i += c) { s += y[i]; q += y[i] * y[i]; }
    const count = n * h * w;
    expect(Math.abs(s / count)).toBeLessThan(1e-5);
    expect(Math.abs(q / count - 1)).toBeLessThan(1e-3);
  }
});

test('activation softmax on a Conv2D runs over the channels, forward and backward (as a linear conv then softmax)', () => {
  bw.setSeed(2);
  const x = bw.tensor(randn(3 * 5 * 4 * 2, 7), [3, 5, 4, 2]);
  const soft = bw.layers.conv2d({ filters: 5, kernelSize: 2, padding: 'same', activation: 'softmax', inputShape: [5, 4, 2] });
  const lin = bw.layers.conv2d({ filters: 5, kernelSize: 2, padding: 'same', inputShape: [5, 4, 2] });
  const a = bw.sequential({ layers: [soft] }), b = bw.sequential({ layers: [lin, bw.layers.activation({ activation: 'softmax' })] });
  b.setWeights(a.getWeights());
  const close = (p: Float32Array, q: Float32Array) => p.forEach((v, i) => expect(Math.abs(v - q[i])).toBeLessThan(1e-6));
  close(a.predict(x).dataSync(), b.predict(x).dataSync());
  for (const m of [a, b]) m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.5 }), loss: 'meanSquaredError' });
  const y = bw.tensor(randn(3 * 5 * 4 * 5, 8).map(Math.abs), [3, 5, 4, 5]);
  const before = a.getWeights()[0].dataSync();
  for (let s = 0; s < 3; s++) expect(Math.abs(a.trainOnBatch(x, y) - b.trainOnBatch(x, y))).toBeLessThan(1e-6);
  a.getWeights().forEach((w, i) => close(w.dataSync(), b.getWeights()[i].dataSync()));
  expect(a.getWeights()[0].dataSync().some((v, i) => Math.abs(v - before[i]) > 1e-4)).toBe(true); // it trained
});
