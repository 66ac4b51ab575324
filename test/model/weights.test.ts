/**
 * getWeights / setWeights order and validation (model and layer): Keras order, layer by layer; a wrong
 * count or shape throws an Error that names the argument and changes nothing.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, bw, randn, setupBoth } from '../helpers/tfjs.js';

beforeAll(setupBoth);

function model(): bw.Sequential {
  bw.setSeed(1);
  return bw.sequential({ layers: [
    bw.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }),
    bw.layers.batchNormalization(),
    bw.layers.dense({ units: 2, activation: 'softmax' }),
  ] });
}
const snapshot = (m: { getWeights(): bw.Tensor[] }) => m.getWeights().map((w) => Array.from(w.dataSync()));
const fresh = (m: bw.Sequential, seed: number) => m.getWeights().map((w, i) => bw.tensor(randn(w.size, seed + i).map(Math.abs), w.shape));

describe.each(BACKENDS)('weights on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('model.getWeights is layer by layer, Keras order: [kernel, bias], [gamma, beta, moving_mean, moving_variance], [kernel, bias]', () => {
    const m = model();
    expect(m.getWeights().map((w) => w.shape)).toEqual([[3, 4], [4], [4], [4], [4], [4], [4, 2], [2]]);
    const ws = fresh(m, 10);
    m.setWeights(ws);
    expect(snapshot(m)).toEqual(ws.map((w) => Array.from(w.dataSync())));
    // the BN layer got exactly its slice, in order
    expect(m.layers[1].getWeights().map((w) => Array.from(w.dataSync()))).toEqual(ws.slice(2, 6).map((w) => Array.from(w.dataSync())));
  });

  test('model.setWeights with the wrong count throws, names the argument, and changes nothing', () => {
    const m = model(), before = snapshot(m), ws = fresh(m, 20);
    expect(() => m.setWeights(ws.slice(0, 7))).toThrow(/setWeights.*expected 8 weights, got 7/);
    expect(() => m.setWeights([...ws, ws[0]])).toThrow(/setWeights.*expected 8 weights, got 9/);
    expect(snapshot(m)).toEqual(before);
  });

  test('model.setWeights with a wrong shape (even in the last weight) throws, names the weight, and changes nothing', () => {
    const m = model(), before = snapshot(m), ws = fresh(m, 30);
    const bad = [...ws.slice(0, 7), bw.tensor([1, 2, 3], [3])];
    expect(() => m.setWeights(bad)).toThrow(/setWeights: weights\[7\].*bias.*\[2\].*\[3\]/);
    const transposed = [bw.tensor(new Float32Array(12), [4, 3]), ...ws.slice(1)];
    expect(() => m.setWeights(transposed)).toThrow(/weights\[0\].*kernel.*\[3, 4\].*\[4, 3\]/);
    const bnBad = [...ws.slice(0, 4), bw.tensor(new Float32Array(5), [5]), ...ws.slice(5)];
    expect(() => m.setWeights(bnBad)).toThrow(/weights\[4\].*moving_mean/);
    expect(snapshot(m)).toEqual(before);
  });

  test('layer.setWeights with a wrong count or shape throws, names the layer and weight, and changes nothing', () => {
    const m = model(), l = m.layers[1], before = snapshot(l);
    const ok = l.getWeights();
    expect(() => l.setWeights(ok.slice(0, 3))).toThrow(new RegExp(`${l.name}\\.setWeights: expected 4 weights \\(gamma, beta, moving_mean, moving_variance\\), got 3`));
    expect(() => l.setWeights([ok[0], ok[1], ok[2], bw.tensor([1, 2], [2])])).toThrow(/setWeights: moving_variance must have shape \[4\], got \[2\]/);
    expect(snapshot(l)).toEqual(before);
    const d = m.layers[0], dBefore = snapshot(d);
    expect(() => d.setWeights([bw.tensor(new Float32Array(12), [12]), d.getWeights()[1]])).toThrow(/kernel must have shape \[3, 4\], got \[12\]/);
    expect(snapshot(d)).toEqual(dBefore);
  });

  test('setWeights copies: changing the tensors afterwards does not change the model; getWeights returns copies', () => {
    const m = model(), ws = fresh(m, 40);
    m.setWeights(ws);
    const before = snapshot(m);
    ws[0].dataSync()[0] = 1234; // dataSync is a copy anyway
    const got = m.getWeights();
    got[0].dataSync()[0] = 999;
    expect(snapshot(m)).toEqual(before);
  });
});
