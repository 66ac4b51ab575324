/**
 * Deterministic memory: model.dispose() frees a model's WASM memory at once and makes any later use throw;
 * an unusually large call's scratch is given back after it; an allocation that would fail first frees what
 * dropped models hold, and otherwise says how much undisposed models hold.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';
import { reclaimDropped } from '../../src/memory/holding.js';
import { residency } from '../../src/tensor/residency.js';

beforeAll(async () => {
  await bw.ready();
  bw.setBackend('wasm');
});

const MiB = 2 ** 20;

function small(units = 8) {
  const m = bw.sequential({ layers: [
    bw.layers.dense({ units, activation: 'relu', inputShape: [4] }),
    bw.layers.batchNormalization(),
    bw.layers.dense({ units: 2, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}
const x = bw.tensor(Array.from({ length: 16 }, (_, i) => [i % 3, i % 5, (i * 7) % 4, 1]));
const y = bw.tensor(Array.from({ length: 16 }, (_, i) => i % 2));

describe('model.dispose()', () => {
  test('gives back every byte the model and its layers took (weights, optimizer slots, scratch)', async () => {
    // the model's bytes: tensors' own WASM copies (predict keeps one of a small input with it) are not the model's
    const modelBytes = () => bw.memoryStats().allocatedBytes - residency.residentBytes;
    const before = modelBytes();
    const m = small(64);
    await m.fit(x, y, { epochs: 2, batchSize: 8, validationSplit: 0.25 });
    m.predict(x);
    expect(modelBytes()).toBeGreaterThan(before);
    m.dispose();
    expect(modelBytes()).toBe(before);
    m.dispose(); // again: nothing to do
    expect(modelBytes()).toBe(before);
  });

  test('any later use of the model or its layers throws an Error that says it was disposed', async () => {
    const m = small();
    m.trainOnBatch(x, y);
    const layer = m.layers[0];
    m.dispose();
    const disposed = /was disposed/;
    expect(() => m.predict(x)).toThrow(disposed);
    expect(() => m.evaluate(x, y)).toThrow(disposed);
    expect(() => m.trainOnBatch(x, y)).toThrow(disposed);
    expect(() => m.getWeights()).toThrow(disposed);
    expect(() => m.setWeights([])).toThrow(disposed);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })).toThrow(disposed);
    expect(() => m.add(bw.layers.dense({ units: 1 }))).toThrow(disposed);
    expect(() => m.summary()).toThrow(disposed);
    expect(() => m.foldBatchNorm()).toThrow(disposed);
    await expect(m.fit(x, y)).rejects.toThrow(disposed);
    await expect(m.save({ save: async () => ({}) } as never)).rejects.toThrow(disposed);
    expect(() => layer.getWeights()).toThrow(/layer '.*' was disposed/);
    expect(() => layer.apply(bw.tensor([[1, 2, 3, 4]]))).toThrow(disposed);
    // a disposed layer cannot be reused in a new model either
    expect(() => bw.sequential({ layers: [layer] })).toThrow(disposed);
  });

  test('a model cannot be disposed while fit() runs on it; after fit it can', async () => {
    const m = small();
    let error: unknown;
    await m.fit(x, y, { epochs: 1, batchSize: 8, callbacks: { onBatchEnd: () => { try { m.dispose(); } catch (e) { error = e; } } } });
    expect(String(error)).toMatch(/dispose: .* is training/);
    m.dispose();
    expect(() => m.predict(x)).toThrow(/was disposed/);
  });

  test('10,000 models created, trained and disposed: WASM memory stays flat', () => {
    const run = (n: number) => {
      for (let i = 0; i < n; i++) {
        const m = small();
        m.trainOnBatch(x, y);
        m.dispose();
      }
    };
    run(100); // warm-up: the memory reaches its size for one such model
    const warm = bw.memoryStats();
    const t0 = performance.now();
    run(10_000);
    const ms = performance.now() - t0;
    const after = bw.memoryStats();
    console.log(`10,000 models: wasmBytes ${warm.wasmBytes} -> ${after.wasmBytes}, allocatedBytes ${warm.allocatedBytes} -> ${after.allocatedBytes}, ${(ms / 1000).toFixed(1)} s`);
    expect(after).toEqual(warm);
  }, 60_000);
});

describe('scratch of an unusually large call', () => {
  test('predict of 200,000 rows in one batch gives its ~80 MB of scratch back when it returns', () => {
    const m = bw.sequential({ layers: [
      bw.layers.dense({ units: 64, activation: 'relu', inputShape: [32] }),
      bw.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    const small = bw.tensor(new Float32Array(32 * 32).fill(0.5), [32, 32]);
    m.predict(small);
    const steady = bw.memoryStats().allocatedBytes;
    const rows = 200_000;
    const big = bw.tensor(new Float32Array(rows * 32).fill(0.25), [rows, 32]);
    const out = m.predict(big, { batchSize: rows });
    expect(out.shape).toEqual([rows, 10]);
    expect(bw.memoryStats().allocatedBytes).toBeLessThanOrEqual(steady);
    // an ordinary call afterwards takes its ordinary scratch again
    expect(m.predict(small).shape).toEqual([32, 10]);
    expect(bw.memoryStats().allocatedBytes).toBe(steady);
    m.dispose();
  });
});

describe('when WASM memory runs out', () => {
  test('models dropped without dispose() by a loop of fit calls are freed before an allocation fails', async () => {
    // one model's bytes, for the bound below
    const base = bw.memoryStats().allocatedBytes;
    const probe = small(256);
    await probe.fit(x, y, { epochs: 1, batchSize: 8 });
    const oneModel = bw.memoryStats().allocatedBytes - base;
    probe.dispose();

    const before = bw.memoryStats().allocatedBytes;
    // awaits of settled promises only (no timers): without fit's turn of the event loop this whole loop would
    // be one job of the engine, which keeps every model it made a WeakRef for alive until the job ends
    const dropOne = async () => { await small(256).fit(x, y, { epochs: 1, batchSize: 8 }); };
    for (let i = 0; i < 20; i++) await dropOne();
    const held = bw.memoryStats().allocatedBytes - before;
    const freed = reclaimDropped(); // what the heap calls when the memory cannot grow (Node: after a full GC)
    const left = bw.memoryStats().allocatedBytes - before;
    console.log(`20 dropped models: ${held} bytes held, ${freed} freed by reclaim, ${left} left (one model: ${oneModel})`);
    expect(freed).toBeGreaterThan(held - oneModel); // without the turn, nothing would be collectable yet
    // at most the model of the last fit (made in the job that is still running) is left
    expect(left).toBeLessThanOrEqual(oneModel);
  });

  test('otherwise the error says how many undisposed models still hold how much', () => {
    const kept = [small(512), small(512), small(512)];
    for (const m of kept) m.trainOnBatch(x, y);
    const before = bw.memoryStats();
    let message = '';
    try {
      bw.sequential({ layers: [bw.layers.dense({ units: 40_000, inputShape: [20_000] })] }); // 3.2 GB of weights
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^out of memory: need \d+ bytes of WASM memory, the limit is 2147483648 bytes; (\d+) models and (\d+) layers that were never disposed still hold ([\d.]+) MiB \(call model.dispose\(\)/);
    const [, models, , mib] = message.match(/; (\d+) models and (\d+) layers .* hold ([\d.]+) MiB/)!;
    expect(Number(models)).toBeGreaterThanOrEqual(3);
    expect(Number(mib)).toBeGreaterThan((3 * 4 * 512 * 4) / MiB);
    expect(bw.memoryStats()).toEqual(before); // the failed build took nothing
    for (const m of kept) m.dispose();
  });
});
