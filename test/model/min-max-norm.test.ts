/**
 * The MinMaxNorm constraint: the function against TF.js's tf.constraints.minMaxNorm and a float64 definition,
 * applied after every update in training, saved and read as TF.js writes it, and its argument errors.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, bw, expectClose, randn, setupBoth, tf } from '../helpers/tfjs.js';

beforeAll(setupBoth);

/** Keras's MinMaxNorm in float64 on a rank-2 weight: each slice along `axis` rescaled to rate·clip(norm) + (1 − rate)·norm. */
function reference(w: ArrayLike<number>, [r, c]: number[], axis: number, min: number, max: number, rate: number): number[] {
  const out = Array.from(w), groups = axis === 0 ? c : r, len = axis === 0 ? r : c;
  for (let g = 0; g < groups; g++) {
    const idx = Array.from({ length: len }, (_, k) => (axis === 0 ? k * c + g : g * c + k));
    const norm = Math.sqrt(idx.reduce((s, i) => s + out[i] ** 2, 0));
    const desired = rate * Math.min(Math.max(norm, min), max) + (1 - rate) * norm;
    for (const i of idx) out[i] *= desired / (1e-7 + norm);
  }
  return out;
}

const CONFIGS = [
  { minValue: 0, maxValue: 1, rate: 1, axis: 0 },
  { minValue: 1.5, maxValue: 2.5, rate: 1, axis: 0 },
  { minValue: 0.5, maxValue: 1.2, rate: 0.3, axis: 1 },
  { minValue: 2, maxValue: 2, rate: 0.75, axis: -1 },
];

test.each(CONFIGS)('minMaxNorm(%o) computes TF.js\'s function and the float64 definition', (cfg) => {
  const shape = [5, 7], w = randn(35, 11 + cfg.axis, 0, 0.9);
  const got = Float32Array.from(w);
  bw.constraints.minMaxNorm(cfg).apply(got, shape);
  expectClose(got, tf.constraints.minMaxNorm(cfg).apply(tf.tensor(w, shape)).dataSync(), 'vs TF.js', 1e-6, 1e-7);
  expectClose(got, reference(w, shape, cfg.axis < 0 ? 2 + cfg.axis : cfg.axis, cfg.minValue, cfg.maxValue, cfg.rate), 'vs float64', 1e-6, 1e-7);
  // some norms were below minValue and some above maxValue before, so the test moves both ways
  expect(Array.from(got).some((v, i) => Math.abs(v - w[i]) > 1e-3)).toBe(true);
});

test('defaults are TF.js\'s (0, 1, rate 1, axis 0); the name alone gives them; a NaN weight stays NaN', () => {
  expect(bw.constraints.minMaxNorm().getConfig()).toEqual({ minValue: 0, maxValue: 1, rate: 1, axis: 0 });
  expect((bw.layers.dense({ units: 2, kernelConstraint: 'minMaxNorm' }).kernelConstraint)?.getConfig()).toEqual({ minValue: 0, maxValue: 1, rate: 1, axis: 0 });
  const w = Float32Array.from([NaN, 1, 2, 3]);
  bw.constraints.minMaxNorm().apply(w, [2, 2]);
  expect(Number.isNaN(w[0]) && Number.isNaN(w[2])).toBe(true);
});

describe.each(BACKENDS)('in training on %s', (backend) => {
  test('applied after every update: the same as training unconstrained and constraining each step in float64', () => {
    bw.setBackend(backend);
    bw.setSeed(41);
    const c = { minValue: 0.6, maxValue: 0.9, rate: 0.5, axis: 0 };
    const make = (constrained: boolean) => bw.sequential({ layers: [
      bw.layers.dense({ units: 6, inputShape: [4], activation: 'tanh', ...(constrained ? { kernelConstraint: bw.constraints.minMaxNorm(c) } : {}) }),
      bw.layers.dense({ units: 2 }),
    ] });
    const a = make(true), b = make(false);
    b.setWeights(a.getWeights());
    for (const m of [a, b]) m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.3 }), loss: 'mse' });
    for (let s = 0; s < 4; s++) {
      const x = bw.tensor(randn(16 * 4, 70 + s, 0, 2), [16, 4]), y = bw.tensor(randn(16 * 2, 80 + s), [16, 2]);
      a.trainOnBatch(x, y);
      b.trainOnBatch(x, y);
      const ws = b.getWeights();
      ws[0] = bw.tensor(reference(ws[0].dataSync(), [4, 6], 0, c.minValue, c.maxValue, c.rate), [4, 6]);
      b.setWeights(ws);
    }
    a.getWeights().forEach((w, i) => expectClose(w.dataSync(), b.getWeights()[i].dataSync(), `weight ${i}`, 1e-5, 1e-6));
  });
});

test('saved as TF.js writes MinMaxNorm and read back from TF.js\'s files', async () => {
  bw.setBackend('wasm');
  const cfg = { minValue: 0.25, maxValue: 3, rate: 0.5, axis: 1 };
  const m = bw.sequential({ layers: [bw.layers.dense({ units: 3, inputShape: [2], kernelConstraint: bw.constraints.minMaxNorm(cfg) })] });
  const t = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], kernelConstraint: tf.constraints.minMaxNorm(cfg) })] });
  const grab = async (save: (h: tf.io.IOHandler) => Promise<unknown>) => {
    let a: tf.io.ModelArtifacts | undefined;
    await save({ save: async (x: tf.io.ModelArtifacts) => { a = x; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; } });
    return a!;
  };
  const mine = await grab((h) => m.save(h as never)), theirs = await grab((h) => t.save(h));
  const kc = (a: tf.io.ModelArtifacts) => (a.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config.kernel_constraint;
  expect(kc(mine)).toEqual(kc(theirs));
  expect(kc(mine)).toEqual({ class_name: 'MinMaxNorm', config: { min_value: 0.25, max_value: 3, rate: 0.5, axis: 1 } });
  const back = await bw.loadModel({ load: async () => theirs as bw.ModelArtifacts });
  expect((back.layers[0] as bw.Dense).kernelConstraint?.getConfig()).toEqual(cfg);
  const t2 = await tf.loadLayersModel(tf.io.fromMemory(mine));
  expect((t2.layers[0].getConfig() as { kernelConstraint: unknown }).kernelConstraint).toEqual((t.layers[0].getConfig() as { kernelConstraint: unknown }).kernelConstraint);
});

test.each([
  [{ minValue: -1 }, /^constraints\.minMaxNorm: minValue: expected a number >= 0, got -1/],
  [{ minValue: 2, maxValue: 1 }, /^constraints\.minMaxNorm: maxValue: expected a number >= minValue \(2\), got 1/],
  [{ rate: 1.5 }, /^constraints\.minMaxNorm: rate: expected a number in \[0, 1\], got 1\.5/],
  [{ axis: 0.5 }, /^constraints\.minMaxNorm: axis: expected an integer, got 0\.5/],
  [{ maxvalue: 2 }, /^constraints\.minMaxNorm: unknown option 'maxvalue'/],
])('bad arguments are refused by name: %o', (args, message) => {
  expect(() => bw.constraints.minMaxNorm(args as never)).toThrow(message);
});
