import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';
import { expectClose as closeTo } from '../helpers/close.js';
import { mulberry32 } from '../helpers/rng.js';

// TF.js (cpu backend) is the outside reference for the public ops; both bnwasm backends must agree with it.

const randn = (n: number, seed: number, scale = 1, offset = 0) => {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => offset + scale * (r() * 2 - 1));
};

/** |got − want| <= tol·(1 + |want|), element-wise. */
const expectClose = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number) =>
  closeTo('op output', got, Array.from(want, Number), { rtol: tol, atol: tol });

beforeAll(async () => {
  await bw.ready();
  await tf.setBackend('cpu');
});

describe.each(['wasm', 'js'] as const)('ops on %s vs TF.js', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test.each([[1, 1, 1], [3, 5, 13], [17, 257, 4], [64, 33, 65]])('matMul m=%i k=%i n=%i in all transpose forms', (m, k, n) => {
    const a = randn(m * k, m * 31 + k), b = randn(k * n, n * 17 + k);
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      const A = ta ? [k, m] : [m, k], B = tb ? [n, k] : [k, n];
      const got = bw.ops.matMul(bw.tensor(a, A), bw.tensor(b, B), ta, tb);
      const want = tf.matMul(tf.tensor(a, A), tf.tensor(b, B), ta, tb);
      expect(got.shape).toEqual(want.shape);
      expectClose(got.dataSync(), want.dataSync() as Float32Array, 4 * k * 2 ** -23 * 4);
    }
  });

  test.each([[1, 3], [5, 13], [128, 257]])('moments and batchNorm on [%i, %i], offset 100', (rows, cols) => {
    const x = randn(rows * cols, rows + cols, 3, 100);
    const { mean, variance } = bw.ops.moments(bw.tensor(x, [rows, cols]));
    const ref = tf.moments(tf.tensor(x, [rows, cols]), 0);
    expectClose(mean.dataSync(), ref.mean.dataSync() as Float32Array, 1e-5);
    expectClose(variance.dataSync(), ref.variance.dataSync() as Float32Array, 1e-3);
    const gamma = randn(cols, 7, 1, 1), beta = randn(cols, 8);
    const y = bw.ops.batchNorm(bw.tensor(x, [rows, cols]), mean, variance, bw.tensor(beta), bw.tensor(gamma), 1e-3);
    const yRef = tf.batchNorm(tf.tensor(x, [rows, cols]), ref.mean, ref.variance, tf.tensor(beta), tf.tensor(gamma), 1e-3);
    expectClose(y.dataSync(), yRef.dataSync() as Float32Array, 2e-3);
  });

  test('batchNorm without gamma and beta', () => {
    const x = randn(12, 3), mean = bw.tensor([0.1, -0.2, 0.3]), variance = bw.tensor([1, 2, 0.5]);
    const y = bw.ops.batchNorm(bw.tensor(x, [4, 3]), mean, variance, null, null, 1e-3);
    const yRef = tf.batchNorm(tf.tensor(x, [4, 3]), tf.tensor([0.1, -0.2, 0.3]), tf.tensor([1, 2, 0.5]), undefined, undefined, 1e-3);
    expectClose(y.dataSync(), yRef.dataSync() as Float32Array, 1e-5);
  });

  test.each([[2, 3], [7, 13], [64, 5]])('batchNormGrad on [%i, %i] equals TF.js autodiff through moments', (rows, cols) => {
    const x = randn(rows * cols, rows * cols, 2, 5), dy = randn(rows * cols, 99), gamma = randn(cols, 3, 0.5, 1);
    const got = bw.ops.batchNormGrad(bw.tensor(dy, [rows, cols]), bw.tensor(x, [rows, cols]), bw.tensor(gamma), 1e-3);
    const f = (xt: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(xt, 0);
      return tf.batchNorm(xt, mean, variance, b, g, 1e-3).mul(tf.tensor(dy, [rows, cols])).sum();
    };
    const [dx, dgamma, dbeta] = tf.grads(f)([tf.tensor(x, [rows, cols]), tf.tensor(gamma), tf.zeros([cols])]);
    expectClose(got.dx.dataSync(), dx.dataSync() as Float32Array, 2e-3);
    expectClose(got.dgamma.dataSync(), dgamma.dataSync() as Float32Array, 2e-4);
    expectClose(got.dbeta.dataSync(), dbeta.dataSync() as Float32Array, 2e-4);
  });
});

describe('ops input validation', () => {
  test('matMul names the mismatched inner dimensions', () => {
    expect(() => bw.ops.matMul(bw.tensor([[1, 2]]), bw.tensor([[1, 2]]))).toThrow(/inner dimensions.*\[1, 2\].*\[1, 2\]/);
  });
  test('rank and shape errors name the argument', () => {
    expect(() => bw.ops.matMul(bw.tensor([1, 2]), bw.tensor([[1], [2]]))).toThrow(/^a: expected a rank-2 tensor/);
    expect(() => bw.ops.moments(bw.tensor([1, 2, 3]))).toThrow(/^x: expected a rank-2/);
    expect(() => bw.ops.batchNorm(bw.tensor([[1, 2]]), bw.tensor([0]), bw.tensor([1, 1]), null, null, 1e-3)).toThrow(/^mean: expected 2 values/);
    expect(() => bw.ops.batchNorm(bw.tensor([[1, 2]]), bw.tensor([0, 0]), bw.tensor([1, 1]), null, null, 0)).toThrow(/^epsilon: expected a positive/);
    expect(() => bw.ops.batchNormGrad(bw.tensor([[1, 2]]), bw.tensor([[1, 2], [3, 4]]), null, 1e-3)).toThrow(/^dy: expected the shape of x/);
  });
  test('tensor() rejects ragged, non-numeric and mismatched input', () => {
    expect(() => bw.tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => bw.tensor([[1, 'a' as unknown as number]])).toThrow(/expected a number at \[0\]\[1\], got the string "a"/);
    expect(() => bw.tensor([1, 2, 3], [2, 2])).toThrow(/shape \[2, 2\] needs 4 values, got 3/);
    expect(bw.tensor([[1, 2], [3, 4]]).arraySync()).toEqual([[1, 2], [3, 4]]);
  });
  test('ops leave no memory behind', () => {
    const before = bw.memoryStats().allocatedBytes;
    bw.ops.matMul(bw.tensor(randn(64 * 64, 1), [64, 64]), bw.tensor(randn(64 * 64, 2), [64, 64]));
    bw.ops.batchNormGrad(bw.tensor(randn(64, 3), [16, 4]), bw.tensor(randn(64, 4), [16, 4]), null, 1e-3);
    expect(bw.memoryStats().allocatedBytes).toBe(before);
  });
});
