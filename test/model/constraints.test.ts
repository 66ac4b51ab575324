/**
 * Weight constraints (maxNorm, nonNeg, unitNorm; minMaxNorm has min-max-norm.test.ts): the functions against
 * TF.js's, applied after every update in training as Keras does (TF.js applies them only when weights are
 * set) checked against training without them plus a float64 constraint after each step, and model.json both ways.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, bw, expectClose, randn, setupBoth, tf } from '../helpers/tfjs.js';

beforeAll(setupBoth);

/** Keras's constraints in float64 over `axis` of a rank-1 or rank-2 weight. */
function reference(kind: 'maxNorm' | 'nonNeg' | 'unitNorm', w: Float32Array, shape: number[], axis = 0, maxValue = 2): number[] {
  if (kind === 'nonNeg') return Array.from(w, (v) => (v >= 0 ? v : 0));
  const [r, c] = shape.length === 1 ? [shape[0], 1] : shape;
  const out = Array.from(w);
  const groups = axis === 0 ? c : r, len = axis === 0 ? r : c;
  for (let g = 0; g < groups; g++) {
    const idx = Array.from({ length: len }, (_, k) => (axis === 0 ? k * c + g : g * c + k));
    const norm = Math.sqrt(idx.reduce((s, i) => s + out[i] ** 2, 0));
    const scale = kind === 'unitNorm' ? 1 / (1e-7 + norm) : Math.min(norm, maxValue) / (1e-7 + norm);
    for (const i of idx) out[i] *= scale;
  }
  return out;
}

test('maxNorm, nonNeg and unitNorm compute TF.js\'s functions (axes 0 and 1, rank 1 and 2)', () => {
  for (const [shape, axis] of [[[5, 7], 0], [[5, 7], 1], [[7], 0]] as Array<[number[], number]>) {
    const w = randn(shape.reduce((a, b) => a * b, 1), 3 + axis, 0, 1.5);
    const cases: Array<[bw.Constraint, { apply(t: tf.Tensor): tf.Tensor }]> = [
      [bw.constraints.maxNorm({ maxValue: 1.5, axis }), tf.constraints.maxNorm({ maxValue: 1.5, axis })],
      [bw.constraints.nonNeg(), tf.constraints.nonNeg()],
      [bw.constraints.unitNorm({ axis }), tf.constraints.unitNorm({ axis })],
    ];
    for (const [mine, theirs] of cases) {
      const got = Float32Array.from(w);
      mine.apply(got, shape);
      expectClose(got, theirs.apply(tf.tensor(w, shape)).dataSync(), `${mine.className} shape [${shape}] axis ${axis}`, 1e-6, 1e-7);
    }
  }
});

describe.each(BACKENDS)('in training on %s', (backend) => {
  test('constraints act after every update: the same as training unconstrained and constraining each step by hand', () => {
    bw.setBackend(backend);
    bw.setSeed(31);
    const make = (constrained: boolean) => bw.sequential({ layers: [
      bw.layers.dense({ units: 6, inputShape: [4], activation: 'relu', ...(constrained ? { kernelConstraint: bw.constraints.maxNorm({ maxValue: 0.8 }), biasConstraint: 'nonNeg' as const } : {}) }),
      bw.layers.batchNormalization({ ...(constrained ? { gammaConstraint: bw.constraints.unitNorm() } : {}) }),
      bw.layers.dense({ units: 2 }),
    ] });
    const a = make(true), b = make(false);
    b.setWeights(a.getWeights());
    for (const m of [a, b]) m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.3 }), loss: 'mse' });
    for (let s = 0; s < 5; s++) {
      const x = bw.tensor(randn(16 * 4, 50 + s, 0, 2), [16, 4]), y = bw.tensor(randn(16 * 2, 60 + s), [16, 2]);
      a.trainOnBatch(x, y);
      b.trainOnBatch(x, y);
      const ws = b.getWeights();
      ws[0] = bw.tensor(reference('maxNorm', ws[0].dataSync(), [4, 6], 0, 0.8), [4, 6]);
      ws[1] = bw.tensor(reference('nonNeg', ws[1].dataSync(), [6]));
      ws[2] = bw.tensor(reference('unitNorm', ws[2].dataSync(), [6]));
      b.setWeights(ws);
    }
    a.getWeights().forEach((w, i) => expectClose(w.dataSync(), b.getWeights()[i].dataSync(), `weight ${i}`, 1e-5, 1e-6));
    const norms = [0, 1, 2, 3, 4, 5].map((j) => Math.hypot(...[0, 1, 2, 3].map((i) => a.getWeights()[0].dataSync()[i * 6 + j])));
    expect(Math.max(...norms)).toBeLessThanOrEqual(0.8 + 1e-6);
    expect(Math.min(...a.getWeights()[1].dataSync())).toBeGreaterThanOrEqual(0);
  });
});

test('constraints are saved as TF.js writes them and read back from TF.js\'s files; an unknown one is an error', async () => {
  bw.setBackend('wasm');
  const m = bw.sequential({ layers: [bw.layers.dense({ units: 3, inputShape: [2], kernelConstraint: bw.constraints.maxNorm({ maxValue: 3, axis: 1 }), biasConstraint: bw.constraints.nonNeg() })] });
  const t = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2], kernelConstraint: tf.constraints.maxNorm({ maxValue: 3, axis: 1 }), biasConstraint: tf.constraints.nonNeg() })] });
  const grab = async (save: (h: tf.io.IOHandler) => Promise<unknown>) => {
    let a: tf.io.ModelArtifacts | undefined;
    await save({ save: async (x: tf.io.ModelArtifacts) => { a = x; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; } });
    return a!;
  };
  const mine = await grab((h) => m.save(h as never)), theirs = await grab((h) => t.save(h));
  const cfg = (a: tf.io.ModelArtifacts) => { const c = (a.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config; return [c.kernel_constraint, c.bias_constraint]; };
  expect(cfg(mine)).toEqual(cfg(theirs));
  const back = await bw.loadModel({ load: async () => theirs as bw.ModelArtifacts });
  expect((back.layers[0] as bw.Dense).kernelConstraint?.getConfig()).toEqual({ maxValue: 3, axis: 1 });
  await tf.loadLayersModel(tf.io.fromMemory(mine)); // TF.js reads bnwasm's file
  const bad = structuredClone(theirs);
  (bad.modelTopology as { config: { layers: Array<{ config: Record<string, unknown> }> } }).config.layers[0].config.kernel_constraint = { class_name: 'RadialConstraint', config: {} };
  await expect(bw.loadModel({ load: async () => bad as bw.ModelArtifacts })).rejects.toThrow(/kernelConstraint: expected a constraint .*RadialConstraint.*bnwasm reads the constraint classes MaxNorm, MinMaxNorm/);
});
