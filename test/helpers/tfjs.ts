/**
 * Shared helpers for comparing bnwasm against TensorFlow.js (the reference implementation of the API):
 * building the same model in both libraries, copying weights layer by layer, optimizer mapping,
 * closeness checks, seeded data and in-memory IOHandlers.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import * as bw from '../../src/index.js';
import { expectClose as closeTo } from './close.js';
import { mulberry32 } from './rng.js';

export { tf, bw, mulberry32 };

export const BACKENDS = ['wasm', 'js'] as const;
export type BackendName = (typeof BACKENDS)[number];

let tfReady: Promise<void> | undefined;
/** TF.js on its pure-JS 'cpu' backend; IS_TEST silences the "install tfjs-node" console banner. */
export function setupTf(): Promise<void> {
  tfReady ??= (async () => {
    tf.env().set('IS_TEST', true);
    await tf.setBackend('cpu');
    await tf.ready();
  })();
  return tfReady;
}

/** bnwasm ready + TF.js ready. */
export async function setupBoth(): Promise<void> {
  await bw.ready();
  await setupTf();
}

// ---------------------------------------------------------------------------------------------
// Model specs: one description, built in both libraries (their layer factories take the same args)

export type LayerSpec =
  | { kind: 'dense'; args: { units: number; activation?: 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax'; useBias?: boolean; inputShape?: number[]; kernelInitializer?: 'zeros' | 'ones' | 'glorotUniform' | 'glorotNormal' | 'heNormal' | 'heUniform'; name?: string; trainable?: boolean } }
  | { kind: 'bn'; args: { axis?: number; momentum?: number; epsilon?: number; center?: boolean; scale?: boolean; inputShape?: number[]; name?: string; trainable?: boolean } }
  | { kind: 'activation'; args: { activation: 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax'; inputShape?: number[]; name?: string } }
  | { kind: 'dropout'; args: { rate: number; inputShape?: number[]; name?: string } };

export const dense = (args: Extract<LayerSpec, { kind: 'dense' }>['args']): LayerSpec => ({ kind: 'dense', args });
export const bn = (args: Extract<LayerSpec, { kind: 'bn' }>['args'] = {}): LayerSpec => ({ kind: 'bn', args });
export const act = (activation: Extract<LayerSpec, { kind: 'activation' }>['args']['activation']): LayerSpec => ({ kind: 'activation', args: { activation } });

export function buildBw(specs: LayerSpec[]): bw.Sequential {
  return bw.sequential({
    layers: specs.map((s) => {
      switch (s.kind) {
        case 'dense': return bw.layers.dense({ ...s.args });
        case 'bn': return bw.layers.batchNormalization({ ...s.args });
        case 'activation': return bw.layers.activation({ ...s.args });
        case 'dropout': return bw.layers.dropout({ ...s.args });
      }
    }),
  });
}

export function buildTf(specs: LayerSpec[]): tf.Sequential {
  return tf.sequential({
    layers: specs.map((s) => {
      // TF.js names must be unique per program: let it choose them
      const { name: _n, ...args } = s.args as Record<string, unknown>;
      switch (s.kind) {
        case 'dense': return tf.layers.dense(args as never);
        case 'bn': return tf.layers.batchNormalization(args as never);
        case 'activation': return tf.layers.activation(args as never);
        case 'dropout': return tf.layers.dropout(args as never);
      }
    }),
  });
}

/**
 * TF.js 4.22's cpu backend normalizes correctly only over the LAST axis: its BatchNorm kernel broadcasts
 * mean/variance by flat index (inference with axis 1 of a rank-3 input gives wrong values) and the
 * training gradient throws ("Size(48) must match the product of shape 1,3,1"). So BN over another axis
 * is mirrored in TF.js as Permute(axis to last) -> BN(axis -1) -> Permute(back), which is the same function.
 * `shape` excludes the batch; returns the permutation and its inverse in Permute's 1-based `dims`.
 */
export function permutationToLast(shape: number[], axis: number): { dims: number[]; inverse: number[]; last: boolean } {
  const rank = shape.length + 1, ax = axis < 0 ? rank + axis : axis;
  const dims = [...Array.from({ length: rank - 1 }, (_, i) => i + 1).filter((d) => d !== ax), ax];
  const inverse = new Array<number>(dims.length);
  dims.forEach((d, i) => { inverse[d - 1] = i + 1; });
  return { dims, inverse, last: ax === rank - 1 };
}

/**
 * Copies bnwasm's weights into the TF.js model, layer by layer (the model-level orders differ).
 * `map[i]` is the TF.js layer that mirrors bnwasm layer i (default: the same index).
 */
export function copyWeightsToTf(from: bw.Sequential, to: tf.LayersModel, map?: number[]): void {
  if (!map) expect(to.layers.length).toBe(from.layers.length);
  from.layers.forEach((l, i) => {
    const ws = l.getWeights().map((t) => tf.tensor(t.dataSync(), t.shape));
    to.layers[map ? map[i] : i].setWeights(ws);
    tf.dispose(ws);
  });
}

/** Copies TF.js's weights into bnwasm, layer by layer. */
export function copyWeightsToBw(from: tf.LayersModel, to: bw.Sequential): void {
  expect(to.layers.length).toBe(from.layers.length);
  from.layers.forEach((l, i) => {
    to.layers[i].setWeights(l.getWeights().map((t) => bw.tensor(t.dataSync() as Float32Array, t.shape)));
  });
}

export interface NamedArray { name: string; shape: number[]; data: Float32Array }

/** Every weight of a bnwasm model, per layer in Keras order, with a readable name. */
export function bwWeights(m: bw.Sequential): NamedArray[] {
  return m.layers.flatMap((l, i) => {
    const names = weightNames(l.className, l.getWeights().length, l);
    return l.getWeights().map((t, j) => ({ name: `layer ${i} (${l.className}) ${names[j]}`, shape: t.shape, data: t.dataSync() }));
  });
}

/** Every weight of a TF.js model, per layer (trainable then non-trainable per layer: Keras order). */
export function tfWeights(m: tf.LayersModel, map?: number[]): NamedArray[] {
  const layers = map ? map.map((j) => m.layers[j]) : m.layers;
  return layers.flatMap((l, i) => l.getWeights().map((t, j) => ({
    name: `layer ${i} (${l.getClassName()}) ${l.weights[j]?.originalName ?? j}`,
    shape: t.shape,
    data: t.dataSync() as Float32Array,
  })));
}

function weightNames(cls: string, n: number, l: bw.Layer): string[] {
  if (cls === 'Dense') return ['kernel', 'bias'];
  if (cls === 'BatchNormalization') {
    const b = l as bw.BatchNormalization;
    return [...(b.scale ? ['gamma'] : []), ...(b.center ? ['beta'] : []), 'moving_mean', 'moving_variance'];
  }
  return Array.from({ length: n }, (_, i) => String(i));
}

// ---------------------------------------------------------------------------------------------
// Closeness

/** Element-wise |a − e| <= atol + rtol·|e| (test/helpers/close.ts, in this file's argument order). */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rtol = 1e-4, atol = 1e-5): void {
  closeTo(what, actual, expected, { rtol, atol });
}

/** Compares every weight (moving statistics included) of the two models, layer by layer. */
export function expectSameWeights(m: bw.Sequential, t: tf.LayersModel, rtol = 1e-4, atol = 1e-5, map?: number[]): void {
  const a = bwWeights(m), b = tfWeights(t, map);
  expect(a.map((w) => w.shape), 'weight shapes').toEqual(b.map((w) => w.shape));
  a.forEach((w, i) => expectClose(w.data, b[i].data, w.name, rtol, atol));
}

export function expectSameWeightsBw(a: bw.Sequential, b: bw.Sequential, rtol = 0, atol = 0): void {
  const wa = bwWeights(a), wb = bwWeights(b);
  expect(wa.length).toBe(wb.length);
  wa.forEach((w, i) => {
    expect(w.shape).toEqual(wb[i].shape);
    if (rtol === 0 && atol === 0) expect(Array.from(w.data), w.name).toEqual(Array.from(wb[i].data));
    else expectClose(w.data, wb[i].data, w.name, rtol, atol);
  });
}

// ---------------------------------------------------------------------------------------------
// Optimizers and losses

export type OptSpec =
  | { kind: 'sgd'; learningRate: number; momentum?: number; nesterov?: boolean }
  | { kind: 'adam'; learningRate: number; beta1?: number; beta2?: number; epsilon?: number };

export function bwOptimizer(o: OptSpec): bw.Optimizer {
  return o.kind === 'sgd'
    ? bw.optimizers.sgd({ learningRate: o.learningRate, momentum: o.momentum ?? 0, nesterov: o.nesterov ?? false })
    : bw.optimizers.adam({ learningRate: o.learningRate, beta1: o.beta1 ?? 0.9, beta2: o.beta2 ?? 0.999, epsilon: o.epsilon ?? 1e-7 });
}

/**
 * TF.js equivalents. Keras SGD with momentum (v = m·v − lr·g; w += v) is TF.js's MomentumOptimizer
 * (a = m·a + g; w −= lr·a) with v = −lr·a, and the Nesterov forms agree the same way.
 */
export function tfOptimizer(o: OptSpec): tf.Optimizer {
  if (o.kind === 'adam') return tf.train.adam(o.learningRate, o.beta1 ?? 0.9, o.beta2 ?? 0.999, o.epsilon ?? 1e-7);
  if (!o.momentum) return tf.train.sgd(o.learningRate);
  return tf.train.momentum(o.learningRate, o.momentum, o.nesterov ?? false);
}

export type LossName = 'meanSquaredError' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'binaryCrossentropy';

// ---------------------------------------------------------------------------------------------
// Data

/** n values, roughly N(mean, std) (sum of uniforms), seeded. */
export function randn(n: number, seed: number, mean = 0, std = 1): Float32Array {
  const r = mulberry32(seed), out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < 4; k++) s += r();
    out[i] = mean + std * (s - 2) * Math.sqrt(3);
  }
  return out;
}

/** Integer labels in [0, classes), seeded. */
export function labels(n: number, classes: number, seed: number): Float32Array {
  const r = mulberry32(seed), out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * classes);
  return out;
}

export function oneHot(ls: ArrayLike<number>, classes: number): Float32Array {
  const out = new Float32Array(ls.length * classes);
  for (let i = 0; i < ls.length; i++) out[i * classes + ls[i]] = 1;
  return out;
}

/** Targets for a loss, in both libraries' formats. Sparse labels go to TF.js as [n, 1] (its requirement). */
export function targetsFor(loss: LossName, n: number, width: number, seed: number): { bw: bw.Tensor; tf: tf.Tensor } {
  switch (loss) {
    case 'meanSquaredError': {
      const y = randn(n * width, seed);
      return { bw: bw.tensor(y, [n, width]), tf: tf.tensor(y, [n, width]) };
    }
    case 'binaryCrossentropy': {
      const r = mulberry32(seed), y = new Float32Array(n * width).map(() => (r() < 0.5 ? 0 : 1));
      return { bw: bw.tensor(y, [n, width]), tf: tf.tensor(y, [n, width]) };
    }
    case 'categoricalCrossentropy': {
      const y = oneHot(labels(n, width, seed), width);
      return { bw: bw.tensor(y, [n, width]), tf: tf.tensor(y, [n, width]) };
    }
    case 'sparseCategoricalCrossentropy': {
      const y = labels(n, width, seed);
      return { bw: bw.tensor(y, [n]), tf: tf.tensor(y, [n, 1]) };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// IO

/** Reads a model.json + weights written to `dir` as TF.js ModelArtifacts (for tf.loadLayersModel). */
export async function artifactsFromDir(dir: string): Promise<tf.io.ModelArtifacts> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const json = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8'));
  const groups = json.weightsManifest as Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  const buffers = [];
  for (const g of groups) for (const p of g.paths) buffers.push(await fs.readFile(path.join(dir, p)));
  const total = buffers.reduce((s, b) => s + b.byteLength, 0), data = new Uint8Array(total);
  let at = 0;
  for (const b of buffers) { data.set(b, at); at += b.byteLength; }
  return {
    modelTopology: json.modelTopology,
    weightSpecs: groups.flatMap((g) => g.weights),
    weightData: data.buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
  };
}

/** A TF.js save handler that writes model.json + weights.bin into `dir` (what tfjs-node's file:// does). */
export function dirSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts) => {
      const fs = await import('node:fs/promises');
      const path = await import('node:path');
      await fs.mkdir(dir, { recursive: true });
      const data = artifacts.weightData as ArrayBuffer | ArrayBuffer[];
      const bytes = Array.isArray(data) ? Buffer.concat(data.map((b) => Buffer.from(b))) : Buffer.from(data);
      await fs.writeFile(path.join(dir, 'weights.bin'), bytes);
      await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify({
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
      }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } };
    },
  };
}

export async function tmpDir(prefix: string): Promise<string> {
  const fs = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function rmDir(dir: string): Promise<void> {
  const fs = await import('node:fs/promises');
  await fs.rm(dir, { recursive: true, force: true });
}

/** TF.js predict as a Float32Array (and the tensor disposed). */
export function tfPredict(m: tf.LayersModel, x: tf.Tensor): Float32Array {
  const y = m.predict(x) as tf.Tensor;
  const d = y.dataSync() as Float32Array;
  y.dispose();
  return d;
}

/** TF.js trainOnBatch returning a plain number. */
export async function tfTrainOnBatch(m: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<number> {
  const r = await m.trainOnBatch(x, y);
  return Array.isArray(r) ? r[0] : r;
}

/** UCI digits from data/digits.csv: pixels scaled by 1/16 and integer labels. */
export async function loadDigits(): Promise<{ x: Float32Array; y: Int32Array; rows: number }> {
  const fs = await import('node:fs/promises');
  const url = new URL('../../data/digits.csv', import.meta.url);
  const lines = (await fs.readFile(url, 'utf8')).trim().split(/\r?\n/);
  const header = lines[0].split(',');
  const labelCol = header.indexOf('label');
  const rows = lines.length - 1, x = new Float32Array(rows * 64), y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const cells = lines[i + 1].split(',').map(Number);
    let k = 0;
    for (let j = 0; j < cells.length; j++) {
      if (j === labelCol) y[i] = cells[j];
      else x[i * 64 + k++] = cells[j] / 16;
    }
  }
  return { x, y, rows };
}

/**
 * m is a Dense (k → c, no bias) then a normalization layer, W, gamma and beta its weights before the step. One
 * SGD step at rate lr on x (rows × k) against t (rows × c) must move each weight by lr × its float64 gradient in
 * g (dW = xᵀ·g.dx, from the normalization's input gradient).
 */
export function expectDenseNormSgdStep(m: bw.Sequential, x: ArrayLike<number>, t: ArrayLike<number>, rows: number, k: number, c: number, lr: number,
  before: { W: ArrayLike<number>; gamma: ArrayLike<number>; beta: ArrayLike<number> }, g: { dx: ArrayLike<number>; dgamma: ArrayLike<number>; dbeta: ArrayLike<number> }): void {
  const f64 = (a: ArrayLike<number>) => Float64Array.from(a);
  const dW = new Float64Array(k * c);
  for (let i = 0; i < rows; i++) for (let q = 0; q < k; q++) for (let j = 0; j < c; j++) dW[q * c + j] += x[i * k + q] * g.dx[i * c + j];
  m.trainOnBatch(bw.tensor(Float32Array.from(x), [rows, k]), bw.tensor(Float32Array.from(t), [rows, c]));
  const after = m.getWeights().map((w) => w.dataSync());
  expectClose(f64(after[0]).map((v, i) => (before.W[i] - v) / lr), dW, 'dW (through dx)', 1e-3, 1e-6);
  expectClose(f64(after[1]).map((v, j) => (before.gamma[j] - v) / lr), g.dgamma, 'dgamma', 1e-3, 1e-6);
  expectClose(f64(after[2]).map((v, j) => (before.beta[j] - v) / lr), g.dbeta, 'dbeta', 1e-3, 1e-6);
}
