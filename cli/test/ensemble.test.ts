import { describe, expect, test } from 'vitest';
import * as bw from 'bnwasm';
import { averageNetworks } from '../src/ensemble.js';
import { buildModel } from '../src/model-builder.js';
import { random } from './messy-csv.js';

/** k small-table regression networks with random weights, their input BN calibrated on the same rows. */
async function members(k: number, inputs: number, hidden: number[], x: bw.Tensor): Promise<bw.Sequential[]> {
  const out: bw.Sequential[] = [];
  for (let j = 0; j < k; j++) {
    bw.setSeed(10 + j);
    const m = buildModel({ inputs, hidden, batchNorm: true, hiddenBatchNorm: false, task: 'regression', outputs: 1 });
    const r = random(j + 1);
    // non-trivial gamma, beta, biases: the merge must carry them all
    m.setWeights(m.getWeights().map((w, i) => (i === 2 || i === 3 ? w : new bw.Tensor(Float32Array.from(w.dataSync(), (v) => v + (r() - 0.5)), w.shape))));
    await m.calibrateBatchNorm(x);
    out.push(m);
  }
  return out;
}

describe('averageNetworks', () => {
  test.each([[[7, 5]], [[4]], [[]]])('one network predicts the mean of the members (hidden %j)', async (hidden) => {
    await bw.ready();
    const r = random(9), rows = 13, inputs = 6;
    const x = new bw.Tensor(Float32Array.from({ length: rows * inputs }, (_, i) => (r() - 0.5) * 10 ** (i % inputs) + 2000 * (i % inputs === 5 ? 1 : 0)), [rows, inputs]);
    const nets = await members(5, inputs, hidden as number[], x);
    const merged = averageNetworks(nets, inputs, hidden as number[]);
    const want = nets.map((m) => m.predict(x).dataSync()).reduce((sum, p) => sum.map((v, i) => v + p[i] / 5), new Array<number>(rows).fill(0));
    const got = merged.predict(x).dataSync();
    for (let i = 0; i < rows; i++) expect(got[i]).toBeCloseTo(want[i], 4);
    expect(merged.layers.filter((l) => l instanceof bw.BatchNormalization)).toHaveLength(1);
  });

  test('members calibrated on different rows are refused', async () => {
    await bw.ready();
    const x = new bw.Tensor(Float32Array.from({ length: 12 }, (_, i) => i), [4, 3]);
    const a = (await members(1, 3, [2], x))[0];
    const b = (await members(1, 3, [2], new bw.Tensor(Float32Array.from({ length: 12 }, (_, i) => i * 2), [4, 3])))[0];
    expect(() => averageNetworks([a, b], 3, [2])).toThrow(/calibrated on different rows/);
  });
});
