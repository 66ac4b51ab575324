/**
 * Op results stay in WASM memory (src/tensor/residency.ts): they read the same as values that went
 * through the JS heap, chained ops read them in place, a loop that keeps every result stays within the
 * budget (the oldest move to the JS heap and still read right), and collected results give their memory back.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, beforeAll, expect, test } from 'vitest';
import * as bw from '../../src/index.js';
import { residency } from '../../src/tensor/residency.js';
import { seeded } from '../helpers/rng.js';

beforeAll(() => bw.ready());
const budget = residency.budgetBytes;
afterEach(() => { residency.budgetBytes = budget; });

const values = (n: number, seed: string) => Float32Array.from(seeded(seed).uniform(n, -2, 3));
/** The same tensor's values, made again from a JS copy (host only). */
const onHost = (t: bw.Tensor) => bw.tensor(t.dataSync(), t.shape);

test('chained ops on resident results give bitwise what they give on host copies of the same values', () => {
  const x = bw.tensor(values(37 * 13, 'x'), [37, 13]), dy = bw.tensor(values(37 * 13, 'dy'), [37, 13]);
  const gamma = bw.tensor(values(13, 'g'), [13]), beta = bw.tensor(values(13, 'b'), [13]);
  const { mean, variance } = bw.ops.moments(x);
  const y = bw.ops.batchNorm(x, mean, variance, beta, gamma, 1e-3);
  const yHost = bw.ops.batchNorm(onHost(x), onHost(mean), onHost(variance), onHost(beta), onHost(gamma), 1e-3);
  expect(Array.from(y.dataSync())).toEqual(Array.from(yHost.dataSync()));
  const g = bw.ops.batchNormGrad(y, x, gamma, 1e-3), gHost = bw.ops.batchNormGrad(onHost(y), onHost(x), onHost(gamma), 1e-3);
  for (const k of ['dx', 'dgamma', 'dbeta'] as const) expect(Array.from(g[k].dataSync())).toEqual(Array.from(gHost[k].dataSync()));
  const p = bw.ops.matMul(y, g.dx, true, false);
  expect(p.arraySync()).toEqual(bw.ops.matMul(onHost(y), onHost(g.dx), true, false).arraySync());
  // a result read whole (values) is still a valid op input, and reading does not change it
  expect(Array.from(bw.tensor(p, [13 * 13]).dataSync())).toEqual(Array.from(p.dataSync()));
});

test('dataSync hands out a copy of a resident result', () => {
  const r = bw.ops.matMul(bw.tensor([[1, 2]]), bw.tensor([[3], [4]]));
  r.dataSync()[0] = 99;
  expect(r.dataSync()[0]).toBe(11);
});

test('a loop that keeps every result stays within the budget; the oldest move to the JS heap and read right', () => {
  residency.budgetBytes = 2 ** 20; // 1 MiB: 64×64 results of 16 KiB, two inputs per op
  const a = bw.tensor(values(64 * 64, 'a'), [64, 64]);
  const kept: Array<[bw.Tensor, Float32Array]> = [];
  for (let i = 0; i < 200; i++) {
    const b = bw.tensor(values(64 * 64, `b${i % 7}`), [64, 64]);
    const c = bw.ops.matMul(a, b);
    kept.push([c, bw.ops.matMul(onHost(a), onHost(b)).dataSync()]);
    expect(residency.residentBytes).toBeLessThanOrEqual(residency.budgetBytes + 3 * 64 * 64 * 4);
  }
  for (const [c, want] of kept) expect(Array.from(c.dataSync())).toEqual(Array.from(want));
});

test('results that are garbage-collected give their WASM memory back (finalizer)', () => {
  const script = `
    const bw = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
    await bw.ready();
    const a = bw.tensor(new Float32Array(256 * 256).fill(1), [256, 256]);
    const kept = bw.ops.matMul(a, a); // a's WASM copy stays with a, this result with kept
    const base = bw.memoryStats().allocatedBytes;
    for (let i = 0; i < 50; i++) bw.ops.matMul(a, a);
    const grown = bw.memoryStats().allocatedBytes - base;
    for (let i = 0; i < 5; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); }
    console.log(grown, bw.memoryStats().allocatedBytes - base, kept.dataSync()[0]);`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  const [grown, after, value] = out.trim().split(' ').map(Number);
  expect(value).toBe(256);
  expect(grown).toBeGreaterThanOrEqual(50 * 256 * 256 * 4);
  expect(after).toBe(0);
});

test('predict reads x where it is in WASM memory, in place, and leaves it unchanged (any batch size)', () => {
  bw.setSeed(3);
  const model = bw.sequential({ layers: [
    bw.layers.dropout({ rate: 0.5, inputShape: [12] }), bw.layers.activation({ activation: 'tanh' }), bw.layers.batchNormalization(),
    bw.layers.dense({ units: 5, activation: 'relu' }), bw.layers.batchNormalization(), bw.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  const values = Float32Array.from(seeded('predict x').uniform(40 * 12, -3, 3));
  const x = bw.tensor(values, [40, 12]);
  const whole = model.predict(x, { batchSize: 40 }).dataSync();
  // batches of 4 rows or more take the GEMM's packing path, whose every element is computed the same way
  for (const batchSize of [4, 5, 8, 20, 40]) expect(Array.from(model.predict(x, { batchSize }).dataSync())).toEqual(Array.from(whole));
  model.predict(x, { batchSize: 1 }).dataSync().forEach((v, i) => expect(v).toBeCloseTo(whole[i], 5));
  expect(Array.from(x.dataSync())).toEqual(Array.from(values));
  // an op's result as the input: the same predictions
  const viaOp = bw.ops.matMul(x, bw.tensor(Float32Array.from({ length: 144 }, (_, i) => (i % 13 === 0 ? 1 : 0)), [12, 12]));
  expect(Array.from(model.predict(viaOp, { batchSize: 8 }).dataSync())).toEqual(Array.from(whole));
});

test('predict keeps a WASM copy of a small JS-heap input with the tensor (a second predict copies nothing), not of a large one', () => {
  const model = bw.sequential({ layers: [bw.layers.dense({ units: 2, inputShape: [5] })] });
  const small = bw.tensor(values(64 * 5, 'small'), [64, 5]);
  const first = model.predict(small).dataSync();
  const held = residency.residentBytes;
  expect(Array.from(model.predict(small).dataSync())).toEqual(Array.from(first));
  expect(residency.residentBytes).toBe(held); // the same copy, not a second one
  small.dispose();
  expect(residency.residentBytes).toBe(held - 4 * 64 * 5);
  // 20 MB: copied in batch by batch, nothing kept
  const rows = 1_000_000, large = bw.tensor(new Float32Array(rows * 5).fill(0.5), [rows, 5]);
  const before = residency.residentBytes;
  const out = model.predict(large, { batchSize: 65536 }).dataSync();
  expect(residency.residentBytes).toBe(before);
  expect(out.length).toBe(rows * 2);
  expect(out[2 * (rows - 1)]).toBe(out[0]);
});
