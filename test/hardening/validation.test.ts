/**
 * Input validation everywhere public: every bad argument throws an Error that names the argument, what
 * was expected and what came, and a call that throws leaves the model exactly as it was (weights, moving
 * statistics, optimizer step count and slots: checked against a twin that never saw the bad call).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, batch, bw, expectUntouched, smallModel } from './helpers.js';

beforeAll(() => bw.ready());

type Case = [string, () => unknown, RegExp];

describe('construction-time arguments are checked', () => {
  const cases: Case[] = [
    ['tensor: ragged nested array', () => bw.tensor([[1, 2], [3]]), /ragged array: expected 2 entries at \[1\].*got an array of length 1/],
    ['tensor: a hole in a nested array (was: later values shifted left, a 0 at the end)', () => bw.tensor([[1, , 3], [4, 5, 6]] as never), /tensor: expected a number at \[0\]\[1\], got an empty slot \(a sparse array\)/],
    ['tensor: a missing row', () => bw.tensor([[1, 2], , [5, 6]] as never), /expected a number at \[1\], got an empty slot/],
    ['tensor: a hole in a flat array with a shape (was: NaN)', () => bw.tensor([1, , 3, 4] as never, [2, 2]), /expected a number at \[1\], got an empty slot/],
    ['tensor: new Array(3)', () => bw.tensor(new Array(3)), /expected a number at \[0\], got an empty slot/],
    ['tensor: a string inside the values', () => bw.tensor([1, 'a' as never]), /expected a number at \[1\], got the string "a"/],
    ['tensor: shape needs more values than given', () => bw.tensor([1, 2, 3], [2, 2]), /shape \[2, 2\] needs 4 values, got 3/],
    ['tensor: negative dimension', () => bw.tensor([1, 2], [2, -1]), /shape must be an array of non-negative integers, got \[2,-1\]/],
    ['tensor: fractional dimension', () => bw.tensor([1, 2], [4, 0.5]), /non-negative integers, got \[4,0.5\]/],
    ['tensor: null values', () => bw.tensor(null as never), /got null/],
    ['tensor: a string as values', () => bw.tensor('abc' as never), /got the string "abc"/],
    ['dense: units 0', () => bw.layers.dense({ units: 0 }), /dense: units: expected an integer >= 1, got 0/],
    ['dense: units 2.5', () => bw.layers.dense({ units: 2.5 }), /dense: units: expected an integer >= 1, got 2.5/],
    ['dense: units as a string', () => bw.layers.dense({ units: '8' as never }), /dense: units: expected an integer >= 1, got "8"/],
    ['dense: units NaN', () => bw.layers.dense({ units: NaN }), /dense: units: expected an integer >= 1, got NaN/],
    ['dense: unknown activation', () => bw.layers.dense({ units: 2, activation: 'mish' as never }), /dense: activation: expected one of 'linear', .*got "mish"/],
    ['dense: inputShape with a 0', () => bw.layers.dense({ units: 2, inputShape: [0] }), /inputShape must be an array of positive integers .*got \[0\]/],
    ['dense: misspelt option', () => bw.layers.dense({ units: 2, unit: 3 } as never), /dense: unknown option 'unit'/],
    ['dense: a name that is not a string', () => bw.layers.dense({ units: 2, name: 5 as never }), /dense: name: expected a non-empty string, got 5/],
    ['batchNormalization: an empty name', () => bw.layers.batchNormalization({ name: '' }), /batchNormalization: name: expected a non-empty string, got ""/],
    ['dense: unknown initializer', () => bw.layers.dense({ units: 2, kernelInitializer: 'uniform' as never }), /dense: kernelInitializer: expected one of .*got "uniform"/],
    ['dropout: rate 1', () => bw.layers.dropout({ rate: 1 }), /dropout: rate: expected a number in \[0, 1\), got 1/],
    ['dropout: rate -0.1', () => bw.layers.dropout({ rate: -0.1 }), /dropout: rate: expected a number in \[0, 1\), got -0.1/],
    ['dropout: rate NaN', () => bw.layers.dropout({ rate: NaN }), /dropout: rate: expected a number in \[0, 1\), got NaN/],
    ['batchNormalization: momentum 1.5', () => bw.layers.batchNormalization({ momentum: 1.5 }), /momentum: expected a number in \[0, 1\], got 1.5/],
    ['batchNormalization: momentum -0.01', () => bw.layers.batchNormalization({ momentum: -0.01 }), /momentum: expected a number in \[0, 1\], got -0.01/],
    ['batchNormalization: epsilon 0', () => bw.layers.batchNormalization({ epsilon: 0 }), /epsilon: expected a number > 0, got 0/],
    ['batchNormalization: epsilon -1e-3', () => bw.layers.batchNormalization({ epsilon: -1e-3 }), /epsilon: expected a number > 0, got -0.001/],
    ['batchNormalization: axis 1.5', () => bw.layers.batchNormalization({ axis: 1.5 }), /axis: expected an integer, got 1.5/],
    ['batchNormalization: axis out of range for the input', () => bw.sequential({ layers: [bw.layers.batchNormalization({ axis: 3, inputShape: [4] })] }), /axis must be in \[-1, -1\] or \[1, 1\] for inputs of rank 2.*got 3/],
    ['batchNormalization: axis 0 (the batch axis)', () => bw.sequential({ layers: [bw.layers.batchNormalization({ axis: 0, inputShape: [4, 2] })] }), /the batch axis 0 cannot be normalised over\), got 0/],
    ['activation: unknown name', () => bw.layers.activation({ activation: 'mish' as never }), /activation: activation: expected one of .*got "mish"/],
    ['sgd: learningRate 0', () => bw.optimizers.sgd({ learningRate: 0 }), /optimizers.sgd: learningRate: expected a number > 0, got 0/],
    ['sgd: learningRate -1', () => bw.optimizers.sgd({ learningRate: -1 }), /learningRate: expected a number > 0, got -1/],
    ['sgd: learningRate Infinity', () => bw.optimizers.sgd({ learningRate: Infinity }), /learningRate: expected a number > 0, got Infinity/],
    ['sgd: momentum 1.5', () => bw.optimizers.sgd({ momentum: 1.5 }), /momentum: expected a number in \[0, 1\], got 1.5/],
    ['adam: learningRate NaN', () => bw.optimizers.adam({ learningRate: NaN }), /optimizers.adam: learningRate: expected a number > 0, got NaN/],
    ['adam: beta1 1', () => bw.optimizers.adam({ beta1: 1 }), /beta1: expected a number in \[0, 1\), got 1/],
    ['adam: epsilon 0', () => bw.optimizers.adam({ epsilon: 0 }), /optimizers.adam: epsilon: expected a number > 0, got 0/],
    ['setBackend: unknown backend', () => bw.setBackend('gpu' as never), /backend must be 'wasm' or 'js', got "gpu"/],
    ['setSeed: fractional seed', () => bw.setSeed(1.5), /seed must be an integer, got 1.5/],
    ['ops.matMul: inner dimensions differ', () => bw.ops.matMul(bw.tensor([[1, 2]]), bw.tensor([[1, 2]])), /inner dimensions must agree/],
    ['ops.matMul: transposeA not a boolean', () => bw.ops.matMul(bw.tensor([[1]]), bw.tensor([[1]]), 'yes' as never), /matMul: transposeA: expected true or false, got "yes"/],
    ['ops.matMul: transposeB not a boolean', () => bw.ops.matMul(bw.tensor([[1]]), bw.tensor([[1]]), false, 1 as never), /matMul: transposeB: expected true or false, got 1/],
    ['ops.batchNorm: epsilon 0', () => bw.ops.batchNorm(bw.tensor([[1, 2]]), bw.tensor([0, 0]), bw.tensor([1, 1]), null, null, 0), /epsilon: expected a positive finite number, got 0/],
    ['ops.moments: rank-1 input', () => bw.ops.moments(bw.tensor([1, 2, 3])), /x: expected a rank-2 tensor, got shape \[3\]/],
  ];
  test.each(cases)('%s', (_name, call, pattern) => {
    expect(call).toThrow(pattern);
  });
});

describe.each(BACKENDS)('a call that throws leaves the model exactly as it was, on %s', (backend) => {
  /** A model and its twin after two identical Adam steps (so Adam's slots and BN's moving statistics hold state). */
  const pair = (loss: 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' = 'categoricalCrossentropy') => {
    bw.setBackend(backend);
    const model = smallModel(7, undefined, loss), twin = smallModel(7, undefined, loss);
    const { x, y, labels } = batch(16, 1);
    for (let i = 0; i < 2; i++) { model.trainOnBatch(x, loss === 'categoricalCrossentropy' ? y : labels); twin.trainOnBatch(x, loss === 'categoricalCrossentropy' ? y : labels); }
    return { model, twin };
  };
  const { x, y } = batch(16, 2);
  const xBad = bw.tensor(new Float32Array(16 * 4), [16, 4]);

  const sync: Array<[string, (m: bw.Sequential) => unknown, RegExp]> = [
    ['trainOnBatch: x with 4 features for a 5-feature model', (m) => m.trainOnBatch(xBad, y), /trainOnBatch: x: expected inputs of shape \[batch, 5\], got \[16, 4\]/],
    ['trainOnBatch: x of rank 1', (m) => m.trainOnBatch(bw.tensor([1, 2, 3, 4, 5]), y), /expected a batch of inputs \(rank >= 2.*got shape \[5\]/],
    ['trainOnBatch: an empty batch', (m) => m.trainOnBatch(bw.tensor(new Float32Array(0), [0, 5]), bw.tensor(new Float32Array(0), [0, 3])), /expected at least one sample, got shape \[0, 5\]/],
    ['trainOnBatch: y with fewer rows than x', (m) => m.trainOnBatch(x, bw.tensor(new Float32Array(15 * 3), [15, 3])), /y: expected 16 targets \(one per input row\), got shape \[15, 3\]/],
    ['trainOnBatch: y of the wrong width', (m) => m.trainOnBatch(x, bw.tensor(new Float32Array(16 * 4), [16, 4])), /y: expected targets of shape \[16, 3\].*got \[16, 4\]/],
    ['trainOnBatch: y missing', (m) => m.trainOnBatch(x, undefined as never), /y: expected a Tensor or nested number array, got undefined/],
    ['trainOnBatch: a NaN in x (diverges, not applied)', (m) => m.trainOnBatch(bw.tensor(x.dataSync().map((v, i) => (i === 7 ? NaN : v)), [16, 5]), y), /trainOnBatch: training diverged: the loss became NaN; the step was not applied/],
    ['predict: batchSize 0', (m) => m.predict(x, { batchSize: 0 }), /predict: batchSize: expected an integer >= 1, got 0/],
    ['predict: wrong feature count', (m) => m.predict(xBad), /predict: x: expected inputs of shape \[batch, 5\], got \[16, 4\]/],
    ['evaluate: batchSize 1.5', (m) => m.evaluate(x, y, { batchSize: 1.5 }), /evaluate: batchSize: expected an integer >= 1, got 1.5/],
    ['setWeights: wrong count', (m) => m.setWeights(m.getWeights().slice(1)), /setWeights: expected 8 weights, got 7/],
    ['setWeights: wrong shape (the last one)', (m) => m.setWeights([...m.getWeights().slice(0, 7), bw.tensor([1, 2])]), /setWeights: weights\[7\].*must have shape \[3\], got \[2\]/],
    ['setWeights: not a tensor', (m) => m.setWeights([...m.getWeights().slice(0, 7), 'x' as never]), /setWeights: weights\[7\]: values must be .*got the string "x"/],
    ['layer.setWeights: wrong shape', (m) => m.layers[0].setWeights([bw.tensor(new Float32Array(5 * 8), [8, 5]), bw.tensor(new Float32Array(8), [8])]), /kernel must have shape \[5, 8\], got \[8, 5\]/],
    ['add: not a layer', (m) => m.add({} as never), /add: layer: expected a layer from bw.layers, got \{\}/],
    ['add: a layer that cannot take the output', (m) => m.add(bw.layers.batchNormalization({ axis: 2 })), /axis must be in/],
    ['compile: unknown optimizer', (m) => m.compile({ optimizer: 'nadam', loss: 'meanSquaredError' }), /compile: optimizer: expected 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad' or an optimizer from bw.optimizers, got "nadam"/],
    ['compile: unknown loss', (m) => m.compile({ optimizer: 'sgd', loss: 'poisson' as never }), /compile: loss: expected one of .*got "poisson"/],
    ['compile: unknown metric', (m) => m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['f1'] }), /compile: metrics\[0\]: expected one of 'accuracy', .*got "f1"/],
  ];
  test.each(sync)('%s', (_name, call, pattern) => {
    const { model, twin } = pair();
    expect(() => call(model)).toThrow(pattern);
    expectUntouched(model, twin);
  });

  const asyncCases: Array<[string, (m: bw.Sequential) => Promise<unknown>, RegExp]> = [
    ['fit: batchSize 0', (m) => m.fit(x, y, { batchSize: 0 }), /fit: batchSize: expected an integer >= 1, got 0/],
    ['fit: batchSize 2.5', (m) => m.fit(x, y, { batchSize: 2.5 }), /fit: batchSize: expected an integer >= 1, got 2.5/],
    ['fit: epochs 0', (m) => m.fit(x, y, { epochs: 0 }), /fit: epochs: expected an integer >= 1, got 0/],
    ['fit: validationSplit 1', (m) => m.fit(x, y, { validationSplit: 1 }), /fit: validationSplit: expected a number in \[0, 1\), got 1/],
    ['fit: shuffle "yes"', (m) => m.fit(x, y, { shuffle: 'yes' as never }), /fit: shuffle: expected true or false, got "yes"/],
    ['fit: callback that is not a function', (m) => m.fit(x, y, { callbacks: { onBatchEnd: 3 as never } }), /fit: callbacks.onBatchEnd: expected a function, got 3/],
    ['fit: misspelt option', (m) => m.fit(x, y, { batch_size: 4 } as never), /fit: unknown option 'batch_size'/],
    ['fit: validationData of the wrong shape', (m) => m.fit(x, y, { validationData: [xBad, y] }), /fit: validationData: x: expected inputs of shape \[batch, 5\], got \[16, 4\]/],
    ['fit: a NaN target (diverges at the first batch)', (m) => m.fit(x, bw.tensor(y.dataSync().map((v, i) => (i === 4 ? NaN : v)), [16, 3]), { batchSize: 16, shuffle: false }), /fit: training diverged at epoch 1, batch 1: the loss became NaN/],
  ];
  test.each(asyncCases)('%s', async (_name, call, pattern) => {
    const { model, twin } = pair();
    await expect(call(model)).rejects.toThrow(pattern);
    expectUntouched(model, twin);
  });

  const labelCases: Array<[string, number[], RegExp]> = [
    ['sparse labels: label 3 with 3 classes', [0, 1, 3], /label at row 2 must be an integer in \[0, 2\] \(the model has 3 outputs\), got 3/],
    ['sparse labels: label -1', [-1, 1, 2], /label at row 0 must be an integer in \[0, 2\].*got -1/],
    ['sparse labels: label 1.5', [0, 1.5, 2], /label at row 1 must be an integer in \[0, 2\].*got 1.5/],
    ['sparse labels: label NaN', [0, 1, NaN], /label at row 2 must be an integer in \[0, 2\].*got NaN/],
  ];
  test.each(labelCases)('%s', async (_name, labels, pattern) => {
    const { model, twin } = pair('sparseCategoricalCrossentropy');
    const x3 = bw.tensor(new Float32Array(15).fill(0.5), [3, 5]);
    expect(() => model.trainOnBatch(x3, bw.tensor(labels))).toThrow(pattern);
    await expect(model.fit(x3, bw.tensor(labels))).rejects.toThrow(pattern);
    expect(() => model.evaluate(x3, bw.tensor(labels))).toThrow(pattern);
    expectUntouched(model, twin);
  });

  test('trainOnBatch and fit before compile throw and change nothing', async () => {
    bw.setBackend(backend);
    const m = bw.sequential({ layers: [bw.layers.dense({ units: 3, inputShape: [5] })] });
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(() => m.trainOnBatch(x, y)).toThrow(/trainOnBatch: the model must be compiled first/);
    await expect(m.fit(x, y)).rejects.toThrow(/fit: the model must be compiled first/);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  });

  test('categoricalCrossentropy on a single output is refused (use binaryCrossentropy)', () => {
    bw.setBackend(backend);
    const m = bw.sequential({ layers: [bw.layers.dense({ units: 1, inputShape: [5] })] });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    expect(() => m.trainOnBatch(x, bw.tensor(new Float32Array(16), [16, 1]))).toThrow(/categoricalCrossentropy needs one-hot targets with at least 2 classes/);
  });
});
