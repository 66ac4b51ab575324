/**
 * Multi-threaded GEMM (src/backend/threads/): the partition covers C exactly; split GEMMs and fused
 * Dense calls are bitwise equal to single-threaded ones for every form, edge shape and thread count
 * (and right against the float64 reference); the threaded path really ran; workers see memory that
 * grew after they started; training is identical on 1 and 2 threads; setThreads validates its
 * argument; a process with idle kernel threads still exits.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';
import type { Act, GemmOp, Kernels } from '../../src/backend/kernels.js';
import { heap, threadPool } from '../../src/backend/runtime.js';
import { GEMM_PACK_MIN_ROWS } from '../../src/backend/abi.js';
import { MIN_PARALLEL_FLOPS, partition } from '../../src/backend/threads/pool.js';
import { available, kernels } from '../helpers/backends.js';
import { checkDense, checkGemm } from '../helpers/gemm-checks.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';

const SETS = (['wasm', 'wasm-relaxed'] as const).filter(available);

beforeAll(() => bw.ready());
afterAll(() => bw.setThreads(2));

describe('partition', () => {
  test.each([[128, 256, 2], [1024, 256, 2], [13, 200, 3], [3, 400, 2], [2000, 5, 4], [5, 9, 4], [1, 1, 2], [257, 129, 3]])(
    'm=%i n=%i into %i parts: disjoint blocks that cover C, column cuts on multiples of 8', (m, n, parts) => {
      const blocks = partition(m, n, parts);
      expect(blocks.length).toBeGreaterThan(0);
      expect(blocks.length).toBeLessThanOrEqual(parts);
      const covered = new Uint8Array(m * n);
      for (const [i0, i1, j0, j1] of blocks) {
        expect(i0).toBeLessThan(i1);
        expect(j0).toBeLessThan(j1);
        expect(j0 % 8).toBe(0);
        if (j1 !== n) expect(j1 % 8).toBe(0);
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) covered[i * n + j]++;
      }
      expect(covered.every((c) => c === 1)).toBe(true);
    });
});

/** Bitwise equality that fails fast (a diff of 100,000 floats would take minutes to print). */
function expectBitwise(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  const bad = got.findIndex((v, i) => !Object.is(v, want[i]));
  expect(bad === -1 ? 'bitwise equal' : `first difference at ${bad}: ${got[bad]} vs ${want[bad]}`).toBe('bitwise equal');
}

/** Blocks workers computed (handed out and not taken back), summed over the file. */
let workerBlocks = 0;

/** C for one call on `threads` threads, with the number of calls that went to the pool. */
async function run(threads: number, body: () => Float32Array): Promise<{ out: Float32Array; parallel: number }> {
  await bw.setThreads(threads);
  expect(bw.getThreads()).toBe(threads);
  const pool = threadPool()!, before = pool.parallelCalls, stolen = pool.stolenBlocks;
  const out = body();
  const parallel = pool.parallelCalls - before;
  workerBlocks += parallel * (threads - 1) - (pool.stolenBlocks - stolen);
  return { out, parallel };
}

function gemmOnce(K: Kernels, op: GemmOp, m: number, n: number, k: number, accumulate: boolean, seed: string): () => Float32Array {
  const rng = seeded(seed);
  const a = rng.uniform(m * k), b = rng.uniform(k * n), c0 = rng.uniform(m * n);
  return () => withHeap((h) => {
    const A = h.put(a), B = h.put(b), C = accumulate ? h.put(c0) : h.out(m * n);
    K.gemm(m, n, k, A, B, C, op, accumulate);
    return Float32Array.from(h.read(C));
  });
}

function denseOnce(K: Kernels, m: number, n: number, k: number, act: Act, seed: string): () => Float32Array {
  const rng = seeded(seed);
  const x = rng.uniform(m * k), w = rng.uniform(k * n, -0.5, 0.5), bias = rng.uniform(n);
  return () => withHeap((h) => {
    const X = h.put(x), W = h.put(w), Bi = h.put(bias), Y = h.out(m * n);
    K.dense(m, n, k, X, W, Bi, Y, act);
    return Float32Array.from(h.read(Y));
  });
}

// every shape is above the threading threshold; they cover row and column splits, < 8 leftover
// columns, m < 4 with B transposed (the only small-m form that splits), and sizes off every tile edge
const SHAPES: Array<[GemmOp, number, number, number]> = [
  ['nn', 128, 256, 784], ['tn', 784, 256, 128], ['nt', 128, 784, 256], ['nn', 257, 67, 129], ['tn', 129, 67, 257],
  ['nt', 3, 400, 2000], ['nn', 13, 200, 1000], ['nn', 2000, 5, 300], ['nt', 1025, 9, 257], ['nn', 64, 13, 1500],
];

describe.each(SETS)('threaded GEMM on %s', (set) => {
  test.each(SHAPES)('%s m=%i n=%i k=%i: bitwise equal on 1, 2 and 3 threads, right against float64', async (op, m, n, k) => {
    expect(2 * m * n * k).toBeGreaterThanOrEqual(MIN_PARALLEL_FLOPS);
    const K = kernels(set);
    for (const accumulate of [false, true]) {
      const once = gemmOnce(K, op, m, n, k, accumulate, `threads ${op} ${m} ${n} ${k} ${accumulate}`);
      const one = await run(1, once), two = await run(2, once), three = await run(3, once);
      expect(one.parallel).toBe(0);
      expect(two.parallel).toBe(1);
      expect(three.parallel).toBe(1);
      expectBitwise(two.out, one.out);
      expectBitwise(three.out, one.out);
      checkGemm(K, `threads check ${op} ${m} ${n} ${k} ${accumulate}`, op, m, n, k, accumulate); // on 3 threads
    }
  });

  test.each([['relu', 128, 256, 784], ['sigmoid', 257, 67, 129], ['tanh', 2000, 5, 300], ['linear', 13, 200, 1000]] as const)(
    'fused dense %s m=%i n=%i k=%i: bitwise equal on 1 and 2 threads', async (act, m, n, k) => {
      const K = kernels(set);
      const once = denseOnce(K, m, n, k, act, `threads dense ${act} ${m}`);
      const one = await run(1, once), two = await run(2, once);
      expect(two.parallel).toBe(1);
      expectBitwise(two.out, one.out);
      checkDense(K, `threads dense check ${act} ${m}`, m, n, k, act, true);
    });

  test('workers really computed blocks (not all taken back by the caller)', () => {
    expect(workerBlocks).toBeGreaterThan(0);
  });

  test('small products and m < 4 with B not transposed stay on the calling thread', async () => {
    const K = kernels(set);
    const small = await run(2, gemmOnce(K, 'nn', 16, 16, 16, false, 'small'));
    const gemv = await run(2, gemmOnce(K, 'nn', GEMM_PACK_MIN_ROWS - 1, 2000, 2000, false, 'gemv'));
    expect(small.parallel).toBe(0);
    expect(gemv.parallel).toBe(0);
  });
});

test('workers compute on memory that grew after they started', async () => {
  await bw.setThreads(2);
  const grownFrom = bw.memoryStats().wasmBytes;
  const filler = heap().alloc(grownFrom / 4); // pushes the next arrays past the memory the workers saw
  try {
    expect(bw.memoryStats().wasmBytes).toBeGreaterThan(grownFrom);
    const K = kernels(SETS[SETS.length - 1]);
    const before = threadPool()!.parallelCalls;
    checkGemm(K, 'grown memory', 'nn', 300, 260, 500, false);
    expect(threadPool()!.parallelCalls).toBe(before + 1);
  } finally {
    heap().release(filler);
  }
});

test('training gives bitwise the same losses and weights on 1 and 2 threads', async () => {
  const train = async (threads: number) => {
    await bw.setThreads(threads);
    bw.setSeed(7);
    const model = bw.sequential({ layers: [
      bw.layers.dense({ units: 256, inputShape: [300] }), bw.layers.batchNormalization(), bw.layers.activation({ activation: 'relu' }),
      bw.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    model.compile({ optimizer: bw.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
    const rng = seeded('threads fit');
    const x = bw.tensor(Float32Array.from(rng.uniform(512 * 300)), [512, 300]);
    const y = bw.tensor(Float32Array.from({ length: 512 }, (_, i) => i % 10), [512]);
    const before = threadPool()!.parallelCalls;
    const history = await model.fit(x, y, { epochs: 2, batchSize: 128, verbose: 0 });
    const parallel = threadPool()!.parallelCalls - before;
    return { loss: history.history.loss, weights: model.getWeights().map((w) => Array.from(w.dataSync())), parallel, predict: Array.from(model.predict(x).dataSync()) };
  };
  const one = await train(1), two = await train(2);
  expect(one.parallel).toBe(0);
  expect(two.parallel).toBeGreaterThan(0);
  expect(two.loss).toEqual(one.loss);
  two.weights.forEach((w, i) => expectBitwise(Float32Array.from(w), Float32Array.from(one.weights[i])));
  expectBitwise(Float32Array.from(two.predict), Float32Array.from(one.predict));
});

test('a killed worker: the caller takes its share, so every GEMM still completes, right and without waiting', async () => {
  await bw.setThreads(2);
  const K = kernels(SETS[SETS.length - 1]);
  (threadPool() as unknown as { threads: Array<{ handle: { terminate(): void } }> }).threads[0].handle.terminate();
  await new Promise((r) => setTimeout(r, 200)); // let the termination land
  const started = Date.now();
  for (let i = 0; i < 5; i++) checkGemm(K, 'killed worker', 'nn', 300, 260, 500, false);
  expect(Date.now() - started).toBeLessThan(5_000);
  await bw.setThreads(2);
});

test('a worker that died inside its block: the GEMM throws after the stall timeout instead of hanging, one thread carries on', async () => {
  await bw.setThreads(2);
  const pool = threadPool()!;
  const internals = pool as unknown as { ctrl: Int32Array; threads: Array<{ handle: { terminate(): void } }> };
  internals.threads[0].handle.terminate();
  await new Promise((r) => setTimeout(r, 200));
  const K = kernels(SETS[SETS.length - 1]);
  // the calling thread's part marks worker 0's slot TAKEN: as if it had claimed the block, then died
  const SLOT0_STATE = 4 + 17, TAKEN = 2;
  const part = (...args: Parameters<Parameters<typeof pool.gemm>[1]>) => {
    Atomics.store(internals.ctrl, SLOT0_STATE, TAKEN);
    void args;
  };
  pool.stallMs = 300;
  try {
    const started = Date.now();
    withHeap((h) => {
      const A = h.out(300 * 500, 1), B = h.out(500 * 260, 1), C = h.out(300 * 260);
      expect(() => pool.gemm(0, part, 0, 300, 260, 500, A.ptr, B.ptr, C.ptr, 0, 0, 0, 0)).toThrow(/a kernel thread stopped responding/);
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(bw.getThreads()).toBe(1);
    checkGemm(K, 'after a dead worker', 'nn', 300, 260, 500, false);
  } finally {
    pool.stallMs = 10_000;
    await bw.setThreads(2);
  }
  expect(bw.getThreads()).toBe(2);
});

test("the caller's own block failing (a trap) leaves no worker writing and no error behind for the next GEMM", async () => {
  await bw.setThreads(3);
  const pool = threadPool()!;
  const K = kernels(SETS[SETS.length - 1]);
  const failing = () => { throw new Error('trap in the caller'); };
  withHeap((h) => {
    const A = h.out(300 * 500, 1), B = h.out(500 * 260, 1), C = h.out(300 * 260);
    expect(() => pool.gemm(0, failing, 0, 300, 260, 500, A.ptr, B.ptr, C.ptr, 0, 0, 0, 0)).toThrow(/trap in the caller/);
    // every block handed out is settled at the throw: none still open to a worker, none running
    expect((pool as unknown as { taken(slots: number): boolean }).taken(2)).toBe(false);
    const settled = h.read(C); // whatever the workers wrote, they are done: C does not change any more
    expect(h.read(C)).toEqual(settled);
  });
  const before = pool.parallelCalls;
  checkGemm(K, 'after a failed caller block', 'nn', 300, 260, 500, false);
  expect(pool.parallelCalls).toBe(before + 1);
  await bw.setThreads(2);
});

describe('setThreads', () => {
  test.each([0, -1, 1.5, 17, Number.NaN, '2', null])('refuses %s with an Error naming the argument, and keeps the threads', async (bad) => {
    await bw.setThreads(2);
    expect(() => bw.setThreads(bad as number)).toThrow(/setThreads: n must be an integer from 1 to 16, got/);
    expect(bw.getThreads()).toBe(2);
  });

  test('calls queue: the last one wins, and memory does not grow with restarts', async () => {
    await bw.setThreads(2);
    const allocated = bw.memoryStats().allocatedBytes;
    void bw.setThreads(3);
    void bw.setThreads(1);
    await bw.setThreads(4);
    expect(bw.getThreads()).toBe(4);
    await bw.setThreads(2);
    expect(bw.memoryStats().allocatedBytes).toBe(allocated);
  });
});

test('a process with idle kernel threads exits by itself', () => {
  const script = `
    const bw = await import(${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)});
    await bw.ready();
    await bw.setThreads(2);
    const a = bw.tensor(new Float32Array(256 * 256).fill(1), [256, 256]);
    console.log(bw.getThreads(), bw.ops.matMul(a, a).dataSync()[0]);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(out.trim()).toBe('2 256');
});
