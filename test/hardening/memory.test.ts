/**
 * Memory: flat over 5,000 steps; memory growth in the middle of training (a much larger batch) keeps
 * every result exact; requests beyond the 2 GiB engine limit give a clear Error, change nothing and leave
 * the library usable; a failed build frees what it took; a collected model gives back its scratch arena.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { heap } from '../../src/backend/runtime.js';
import { residency } from '../../src/tensor/residency.js';
import { BACKENDS, batch, bw, expectSameState, expectUntouched, noise, smallModel, weightsOf } from './helpers.js';

beforeAll(() => bw.ready());
afterEach(() => { vi.restoreAllMocks(); });

// first in the file, while the shared memory is still small (it never shrinks)
describe.each(BACKENDS)('memory growth on %s', (backend) => {
  test('memory growth in the middle of training (a much larger batch) keeps every result exact (twin on grown memory)', () => {
    bw.setBackend(backend);
    const small = batch(16, 13);
    // enough rows that this step's scratch outgrows the memory the process has now
    const rows = Math.ceil(bw.memoryStats().wasmBytes / 120);
    const big = { x: bw.tensor(noise(rows * 5, 14, 2), [rows, 5]), y: bw.tensor(new Float32Array(rows * 3).map((_, i) => (i % 3 === (i / 3 | 0) % 3 ? 1 : 0)), [rows, 3]) };
    const run = (m: bw.Sequential) => {
      const losses: number[] = [];
      for (let i = 0; i < 5; i++) losses.push(m.trainOnBatch(small.x, small.y));
      const before = m.predict(small.x).dataSync();
      losses.push(m.trainOnBatch(big.x, big.y));
      for (let i = 0; i < 5; i++) losses.push(m.trainOnBatch(small.x, small.y));
      return { losses, before, after: m.predict(small.x).dataSync(), bigPredict: m.predict(big.x, { batchSize: rows }).dataSync() };
    };
    const grownAt = bw.memoryStats().wasmBytes;
    const a = smallModel(15), ra = run(a);
    expect(bw.memoryStats().wasmBytes).toBeGreaterThan(grownAt); // the memory really grew under model a
    const b = smallModel(15), rb = run(b); // the same training on memory that is already large
    expect(ra.losses).toEqual(rb.losses);
    expect(Array.from(ra.before)).toEqual(Array.from(rb.before));
    expect(Array.from(ra.after)).toEqual(Array.from(rb.after));
    expect(Array.from(ra.bigPredict)).toEqual(Array.from(rb.bigPredict));
    expectSameState(a, b);
    expect(ra.losses.every(Number.isFinite)).toBe(true);
  });

});

describe.each(BACKENDS)('memory on %s', (backend) => {
  test('5,000 trainOnBatch steps plus fit, predict and evaluate: memoryStats() identical after warm-up', async () => {
    bw.setBackend(backend);
    const m = smallModel(11);
    const { x, y } = batch(32, 12);
    for (let i = 0; i < 20; i++) m.trainOnBatch(x, y);
    await m.fit(x, y, { batchSize: 8, epochs: 1, validationSplit: 0.25 });
    m.predict(x); m.evaluate(x, y);
    // tensors' own WASM copies (an input predict kept, earlier tests' results) are freed whenever the garbage
    // collector runs: everything else must stay exactly as it was
    const stats = () => { const s = bw.memoryStats(); return { ...s, allocatedBytes: s.allocatedBytes - residency.residentBytes }; };
    const warm = stats();
    for (let i = 0; i < 5000; i++) {
      const loss = m.trainOnBatch(x, y);
      if (i % 1000 === 0) { expect(Number.isFinite(loss)).toBe(true); expect(stats()).toEqual(warm); }
    }
    await m.fit(x, y, { batchSize: 8, epochs: 2, validationSplit: 0.25 });
    m.predict(x); m.evaluate(x, y);
    expect(stats()).toEqual(warm);
  });

  test('a Dense whose weights exceed 2 GiB: a clear out-of-memory Error, nothing allocated, the library still works', () => {
    bw.setBackend(backend);
    const before = bw.memoryStats();
    const layer = bw.layers.dense({ units: 2 ** 28, inputShape: [4] }); // 4·2^28 floats = 4 GiB of kernel
    expect(() => bw.sequential({ layers: [layer] })).toThrow(/out of memory: need \d+ bytes of WASM memory, the limit is 2147483648 bytes/);
    // nothing allocated; before failing, the heap may have freed what earlier tests' dropped models held
    expect(bw.memoryStats().wasmBytes).toBe(before.wasmBytes);
    expect(bw.memoryStats().allocatedBytes).toBeLessThanOrEqual(before.allocatedBytes);
    expect(layer.built).toBe(false);
    const m = smallModel(16), { x, y } = batch(8, 17);
    expect(Number.isFinite(m.trainOnBatch(x, y))).toBe(true);
  });

  test('a huge allocation request fails instead of wrapping into a tiny block (2^30 and 6e8 floats)', () => {
    const before = bw.memoryStats();
    expect(() => heap().alloc(2 ** 30)).toThrow(/out of memory/);
    expect(() => heap().alloc(600_000_000)).toThrow(/out of memory/);
    expect(bw.memoryStats()).toEqual(before);
  });

  test('running out of memory in the middle of a training step (after BatchNormalization ran) changes nothing', () => {
    bw.setBackend(backend);
    const make = () => {
      bw.setSeed(21);
      const m = bw.sequential({ layers: [
        bw.layers.batchNormalization({ inputShape: [2], momentum: 0.5 }),
        bw.layers.dense({ units: 50_000, activation: 'relu' }),
        bw.layers.dense({ units: 1 }),
      ] });
      m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      return m;
    };
    const m = make(), twin = make();
    const sx = bw.tensor(noise(16 * 2, 22), [16, 2]), sy = bw.tensor(noise(16, 23), [16, 1]);
    m.trainOnBatch(sx, sy); twin.trainOnBatch(sx, sy);
    const rows = 12_000; // 12,000 × 50,000 floats = 2.4 GB of activations
    const hx = bw.tensor(noise(rows * 2, 24, 1, 3), [rows, 2]), hy = bw.tensor(new Float32Array(rows), [rows, 1]);
    const wasm = bw.memoryStats().wasmBytes;
    expect(() => m.trainOnBatch(hx, hy)).toThrow(/out of memory/);
    expect(() => m.predict(hx, { batchSize: rows })).toThrow(/out of memory/);
    // refused before growing towards 2.4 GB (small steps before the failing one may grow it by the usual 1/8)
    expect(bw.memoryStats().wasmBytes).toBeLessThanOrEqual(wasm * 1.25);
    // moving statistics (updated by the BN forward before the failure) are rolled back, like everything else
    expectSameState(m, twin);
    expect(m.trainOnBatch(sx, sy)).toBe(twin.trainOnBatch(sx, sy));
    expectSameState(m, twin);
    expect(Array.from(m.predict(hx.dataSync().subarray(0, 64) && bw.tensor(hx.dataSync().subarray(0, 64), [32, 2])).dataSync()))
      .toEqual(Array.from(twin.predict(bw.tensor(hx.dataSync().subarray(0, 64), [32, 2])).dataSync()));
  });

  test('an allocation failing half-way through a layer build frees what the build took; the layer builds later', () => {
    bw.setBackend(backend);
    const h = heap(), before = bw.memoryStats();
    const real = h.alloc.bind(h);
    let calls = 0;
    vi.spyOn(h, 'alloc').mockImplementation((n: number) => { if (++calls === 3) throw new Error('out of memory: injected fault'); return real(n); });
    const layer = bw.layers.dense({ units: 6, inputShape: [4] }); // kernel value, kernel grad, bias value (fails), ...
    expect(() => bw.sequential({ layers: [layer] })).toThrow(/injected fault/);
    expect(bw.memoryStats()).toEqual(before);
    vi.restoreAllMocks();
    const m = bw.sequential({ layers: [layer] });
    expect(m.getWeights().map((w) => w.shape)).toEqual([[4, 6], [6]]);
  });

  test('an allocation failing in the optimizer\'s first step (Adam slots) leaves the model as it was', () => {
    bw.setBackend(backend);
    const m = smallModel(31), twin = smallModel(31), { x, y } = batch(16, 32);
    const h = heap(), real = h.alloc.bind(h);
    const arenaWarm = () => { m.predict(x); twin.predict(x); };
    arenaWarm();
    let calls = 0;
    vi.spyOn(h, 'alloc').mockImplementation((n: number) => { if (++calls === 4) throw new Error('out of memory: injected fault'); return real(n); });
    expect(() => m.trainOnBatch(x, y)).toThrow(/injected fault/);
    vi.restoreAllMocks();
    expectUntouched(m, twin);
  });
});

describe('models that are dropped give their memory back', () => {
  test('200 models built, trained and dropped: allocatedBytes returns to the baseline after garbage collection', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const settle = async () => { for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); } };
    await settle();
    const base = bw.memoryStats().allocatedBytes;
    const churn = () => {
      const { x, y } = batch(16, 41);
      for (let i = 0; i < 200; i++) {
        const m = smallModel(i);
        m.trainOnBatch(x, y);
        m.predict(x);
      }
    };
    churn();
    await settle();
    // each model held a 64 KiB scratch arena that was never freed (13 MB for 200 models); at most the
    // last model may still be reachable from the engine's registers when the collector ran
    expect(bw.memoryStats().allocatedBytes - base).toBeLessThanOrEqual(70_000);
  });

  test('weights are returned unchanged by getWeights after memory growth (no stale views)', () => {
    const m = smallModel(51), w = weightsOf(m);
    heap().release(heap().alloc(bw.memoryStats().wasmBytes / 4)); // forces a grow, then frees it
    expect(weightsOf(m)).toEqual(w);
  });
});
