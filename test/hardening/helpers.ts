/** Shared pieces of the hardening suite: a small BN model, seeded data, and exact state comparisons. */
import { expect } from 'vitest';
import * as bw from '../../src/index.js';

export { bw };
export const BACKENDS = ['wasm', 'js'] as const;

/** Deterministic pseudo-random numbers in [-1, 1) (no dependence on the library's generator). */
export function noise(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return offset + scale * (s / 2 ** 31 - 1);
  });
}

/** Dense(8, relu) → BN → Dense(3, softmax) on 5 features, built, compiled with `optimizer`. */
export function smallModel(seed: number, optimizer: unknown = bw.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'meanSquaredError' = 'categoricalCrossentropy'): bw.Sequential {
  bw.setSeed(seed);
  const m = bw.sequential({ layers: [
    bw.layers.dense({ units: 8, activation: 'relu', inputShape: [5] }),
    bw.layers.batchNormalization({ momentum: 0.9 }),
    bw.layers.dense({ units: 3, activation: loss === 'meanSquaredError' ? 'linear' : 'softmax' }),
  ] });
  m.compile({ optimizer: optimizer as never, loss, metrics: loss === 'meanSquaredError' ? [] : ['accuracy'] });
  return m;
}

/** rows samples of 5 features and one-hot targets over 3 classes. */
export function batch(rows: number, seed: number): { x: bw.Tensor; y: bw.Tensor; labels: bw.Tensor } {
  const x = noise(rows * 5, seed, 2);
  const labels = Float32Array.from({ length: rows }, (_, i) => (x[i * 5] + x[i * 5 + 1] > 0 ? 0 : x[i * 5 + 2] > 0 ? 1 : 2));
  const y = new Float32Array(rows * 3);
  labels.forEach((l, i) => { y[i * 3 + l] = 1; });
  return { x: bw.tensor(x, [rows, 5]), y: bw.tensor(y, [rows, 3]), labels: bw.tensor(labels, [rows]) };
}

export const weightsOf = (m: bw.Sequential): Float32Array[] => m.getWeights().map((w) => w.dataSync());

/** Bit-for-bit equal weights (moving statistics included) and optimizer step counts. */
export function expectSameState(a: bw.Sequential, b: bw.Sequential, label = 'state'): void {
  const wa = weightsOf(a), wb = weightsOf(b);
  expect(wa.length, `${label}: weight count`).toBe(wb.length);
  wa.forEach((w, i) => expect(Array.from(w), `${label}: weight ${i}`).toEqual(Array.from(wb[i])));
  expect(a.optimizer?.iterations, `${label}: optimizer iterations`).toBe(b.optimizer?.iterations);
}

/**
 * The model as it was: same weights and optimizer step count now, and after one more identical step
 * on both (which also compares the optimizer's hidden slots, Adam's moments or SGD's velocity).
 */
export function expectUntouched(model: bw.Sequential, twin: bw.Sequential, label = 'after the failed call'): void {
  expectSameState(model, twin, label);
  const { x, y, labels } = batch(16, 99), t = model.loss === 'sparseCategoricalCrossentropy' ? labels : y;
  expect(model.trainOnBatch(x, t)).toBe(twin.trainOnBatch(x, t));
  expectSameState(model, twin, `${label}, then one more step`);
}

export async function rejects(p: Promise<unknown> | (() => unknown), pattern: RegExp): Promise<void> {
  if (typeof p === 'function') { expect(p).toThrow(pattern); return; }
  await expect(p).rejects.toThrow(pattern);
}
