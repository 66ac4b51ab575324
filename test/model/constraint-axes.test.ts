/**
 * maxNorm, unitNorm and minMaxNorm over a list of axes (Keras's `MaxNorm(axis=[0, 1, 2])`: one norm over
 * each Conv2D filter's whole kernel): against a float64 reference that groups elements by their index on
 * the other axes, in training, saved and loaded in the list form, and bad lists refused.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, bw, expectClose, randn, setupBoth, tf } from '../helpers/tfjs.js';

beforeAll(setupBoth);

const EPS = 1e-7;

/** Float64: every element's group is its multi-index with the listed axes left out; each group rescaled by its norm. */
function reference(w: ArrayLike<number>, shape: number[], axes: number[], desired: (n: number) => number): number[] {
  const reduced = axes.map((a) => (a < 0 ? shape.length + a : a));
  const keyOf = (i: number) => {
    const idx: number[] = [];
    for (let a = shape.length - 1; a >= 0; a--) { idx[a] = i % shape[a]; i = Math.floor(i / shape[a]); }
    return idx.filter((_, a) => !reduced.includes(a)).join(',');
  };
  const sq = new Map<string, number>();
  for (let i = 0; i < w.length; i++) sq.set(keyOf(i), (sq.get(keyOf(i)) ?? 0) + w[i] ** 2);
  return Array.from(w, (v, i) => {
    const n = Math.sqrt(sq.get(keyOf(i))!);
    return v * (desired(n) / (EPS + n));
  });
}

const kinds = [
  { name: 'maxNorm', make: (axis: number[]) => bw.constraints.maxNorm({ maxValue: 1.5, axis }), desired: (n: number) => Math.min(n, 1.5) },
  { name: 'unitNorm', make: (axis: number[]) => bw.constraints.unitNorm({ axis }), desired: () => 1 },
  { name: 'minMaxNorm', make: (axis: number[]) => bw.constraints.minMaxNorm({ minValue: 1, maxValue: 2, rate: 0.7, axis }),
    desired: (n: number) => 0.7 * Math.min(Math.max(n, 1), 2) + 0.3 * n },
];
const shapes: Array<[string, number[], number[][]]> = [
  ['a Dense kernel [13, 3]', [13, 3], [[0], [0, 1], [-1, -2], [1]]],
  ['a Conv2D kernel [3, 3, 4, 5]', [3, 3, 4, 5], [[0, 1, 2], [-4, -3, -2], [0, 2], [1, 3], [2, 0, 1], [0, 1, 2, 3]]],
];

describe.each(kinds)('$name over a list of axes', (k) => {
  test.each(shapes)('%s matches float64 for every list', (_, shape, lists) => {
    const size = shape.reduce((a, b) => a * b);
    for (const axes of lists) {
      const w = randn(size, 7 + axes.length, 0, 0.6);
      const got = w.slice();
      k.make(axes).apply(got, shape);
      expectClose(got, reference(w, shape, axes, k.desired), `${k.name} axis ${JSON.stringify(axes)}`, 1e-6, 1e-7);
    }
  });

  test('a one-element list is the same as that axis', () => {
    const w = randn(60, 3, 0, 1), a = w.slice(), b = w.slice();
    k.make([2]).apply(a, [3, 4, 5]);
    (k.name === 'maxNorm' ? bw.constraints.maxNorm({ maxValue: 1.5, axis: 2 }) : k.name === 'unitNorm' ? bw.constraints.unitNorm({ axis: 2 })
      : bw.constraints.minMaxNorm({ minValue: 1, maxValue: 2, rate: 0.7, axis: 2 })).apply(b, [3, 4, 5]);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

test('TF.js passes a list of axes on to tf.sum: its maxNorm gives the same kernel', () => {
  const shape = [3, 3, 4, 5], w = randn(180, 21, 0, 0.5), got = w.slice();
  bw.constraints.maxNorm({ maxValue: 1, axis: [0, 1, 2] }).apply(got, shape);
  const want = tf.constraints.maxNorm({ maxValue: 1, axis: [0, 1, 2] as unknown as number }).apply(tf.tensor(w, shape)).dataSync();
  expectClose(got, want, 'vs TF.js', 1e-5, 1e-6);
});

test('bad lists are refused with the argument named: empty, repeated, not integers, outside the weight', () => {
  expect(() => bw.constraints.maxNorm({ axis: [] })).toThrow(/constraints\.maxNorm: axis: expected an integer or a non-empty list of integers, got \[\]/);
  expect(() => bw.constraints.unitNorm({ axis: [0, 1, 0] })).toThrow(/constraints\.unitNorm: axis: expected a list of distinct axes, got \[0, ?1, ?0\]/);
  expect(() => bw.constraints.minMaxNorm({ axis: [0, 1.5] })).toThrow(/constraints\.minMaxNorm: axis\[1\]: expected an integer, got 1\.5/);
  expect(() => bw.constraints.maxNorm({ axis: '0' as never })).toThrow(/constraints\.maxNorm: axis: expected an integer/);
  const w = new Float32Array(24).fill(1), before = w.slice();
  expect(() => bw.constraints.maxNorm({ axis: [0, 3] }).apply(w, [2, 3, 4])).toThrow(/constraint MaxNorm: axis \[0,3\] does not exist in a weight of shape \[2, 3, 4\]/);
  expect(() => bw.constraints.maxNorm({ axis: [2, -1] }).apply(w, [2, 3, 4])).toThrow(/constraint MaxNorm: axis \[2,-1\] names one axis twice in a weight of shape \[2, 3, 4\]/);
  expect(Array.from(w)).toEqual(Array.from(before));
});

const SHAPE = [6, 5, 3];
const kernelNorms = (k: Float32Array, filters: number) => Array.from({ length: filters }, (_, f) => Math.hypot(...k.filter((_, i) => i % filters === f)));

describe.each(BACKENDS)('on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('a Keras 3 file with MaxNorm(axis=[0, 1, 2]) on a Conv2D loads, and each filter stays inside it through fit', async () => {
    bw.setSeed(9);
    const made = bw.sequential({ layers: [
      bw.layers.conv2d({ name: 'conv', filters: 4, kernelSize: 3, inputShape: SHAPE, kernelInitializer: 'heNormal' }),
      bw.layers.flatten({ name: 'flat' }),
      bw.layers.dense({ name: 'out', units: 2 }),
    ] });
    let a: bw.ModelArtifacts | undefined;
    await made.save({ save: async (x) => { a = x; return {}; } });
    const topology = a!.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } };
    // as Keras 3 writes the constraint
    topology.config.layers[0].config.kernel_constraint = { module: 'keras.constraints', class_name: 'MaxNorm', config: { max_value: 0.4, axis: [0, 1, 2] }, registered_name: null };
    const m = await bw.loadModel({ load: async () => a! });
    const c = (m.layers[0] as bw.Conv2D).kernelConstraint!;
    expect([c.className, c.maxValue, c.axis]).toEqual(['MaxNorm', 0.4, [0, 1, 2]]);
    // unconstrained, the loaded kernel's filters are past the bound: the constraint has work to do
    expect(Math.max(...kernelNorms(m.getWeights()[0].dataSync() as Float32Array, 4))).toBeGreaterThan(0.4);
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.5 }), loss: 'mse' });
    await m.fit(bw.tensor(randn(8 * 90, 4, 0, 1.5), [8, ...SHAPE]), bw.tensor(randn(16, 5, 0, 3), [8, 2]), { epochs: 2, batchSize: 4, verbose: 0 });
    const norms = kernelNorms(m.getWeights()[0].dataSync() as Float32Array, 4);
    for (const n of norms) expect(n).toBeLessThanOrEqual(0.4 + 1e-6);
    expect(Math.max(...norms)).toBeGreaterThan(0.4 - 1e-3); // held at the bound, not merely small
    // saved in the list form, and read back
    let b: bw.ModelArtifacts | undefined;
    await m.save({ save: async (x) => { b = x; return {}; } });
    const saved = (b!.modelTopology as typeof topology).config.layers[0].config.kernel_constraint;
    expect(saved).toEqual({ class_name: 'MaxNorm', config: { max_value: 0.4, axis: [0, 1, 2] } });
    const again = await bw.loadModel({ load: async () => b! });
    expect((again.layers[0] as bw.Conv2D).kernelConstraint!.axis).toEqual([0, 1, 2]);
    // TF.js reads the list too (its types say one axis; it hands the axis to tf.sum as given)
    const t = await tf.loadLayersModel(tf.io.fromMemory(b as tf.io.ModelArtifacts));
    expect(t.layers[0].getConfig().kernelConstraint).toEqual({ className: 'MaxNorm', config: { maxValue: 0.4, axis: [0, 1, 2] } });
  });

  test('a Dense kernel under unitNorm over both axes keeps a whole-matrix norm of 1 through training', async () => {
    bw.setSeed(4);
    const m = bw.sequential({ layers: [bw.layers.dense({ units: 3, inputShape: [5], kernelConstraint: bw.constraints.unitNorm({ axis: [0, 1] }) })] });
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.3 }), loss: 'mse' });
    m.trainOnBatch(bw.tensor(randn(20, 1, 0, 1), [4, 5]), bw.tensor(randn(12, 2, 0, 1), [4, 3]));
    expect(Math.hypot(...m.getWeights()[0].dataSync())).toBeCloseTo(1, 5);
  });
});
