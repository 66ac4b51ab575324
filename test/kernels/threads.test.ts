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
import type { Act, F32, GemmOp, Kernels } from '../../src/backend/kernels.js';
import { heap, threadPool } from '../../src/backend/runtime.js';
import { GEMM_PACK_MIN_ROWS } from '../../src/backend/abi.js';
import { cut, MIN_PARALLEL_FLOPS } from '../../src/backend/threads/pool.js';
import { available, kernels } from '../helpers/backends.js';
import { checkDense, checkGemm } from '../helpers/gemm-checks.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';

const SETS = (['wasm', 'wasm-relaxed'] as const).filter(available);

beforeAll(() => bw.ready());
afterAll(() => bw.setThreads(2));

describe('blocks', () => {
  test.each([[256, 8, 4], [1024, 1, 4], [200, 8, 3], [400, 8, 2], [2000, 1, 8], [9, 8, 1], [5, 1, 2], [129, 8, 3], [257, 1, 7]])(
    '%i units on multiples of %i into %i blocks: disjoint, covering, non-empty', (units, align, blocks) => {
      const covered = new Uint8Array(units);
      for (let b = 0; b < blocks; b++) {
        const lo = cut(b, blocks, units, align), hi = cut(b + 1, blocks, units, align);
        expect(lo).toBeLessThan(hi);
        expect(lo % align).toBe(0);
        if (hi !== units) expect(hi % align).toBe(0);
        for (let i = lo; i < hi; i++) covered[i]++;
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

/** Blocks workers computed (not the caller), summed over the file. */
let workerBlocks = 0;

/** C for one call on `threads` threads, with the number of calls that went to the pool. */
async function run(threads: number, body: () => Float32Array): Promise<{ out: Float32Array; parallel: number }> {
  await bw.setThreads(threads);
  expect(bw.getThreads()).toBe(threads);
  const pool = threadPool()!, before = pool.parallelCalls, blocks = pool.workerBlocks;
  pool.adaptive = false; // every eligible call splits, however this machine is loaded
  try {
    const out = body();
    workerBlocks += pool.workerBlocks - blocks;
    return { out, parallel: pool.parallelCalls - before };
  } finally {
    pool.adaptive = true;
  }
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

/**
 * Memory-bound kernels split by elements or rows: one call on the given thread count, all outputs (and
 * the inputs the kernel updates in place) read back, guard zones checked.
 */
type Call = { name: string; inputs: number[]; outputs: number[]; run: (K: Kernels, a: F32[]) => void };
// odd sizes: cuts on multiples of 4 leave a tail; rows not 16-byte aligned; columns cut off a multiple of 4 wide
const ELEMENTS = 2 ** 17 + 3, ROWS = 1001, COLS = 131, WIDE = 2 * 2048 + 13, STRIP_ROWS = 33;
const MEMORY_BOUND: Call[] = [
  { name: 'activation relu', inputs: [ELEMENTS], outputs: [ELEMENTS], run: (K, [x, y]) => K.activation(ELEMENTS, x, y, 'relu') },
  { name: 'activation tanh', inputs: [ELEMENTS], outputs: [ELEMENTS], run: (K, [x, y]) => K.activation(ELEMENTS, x, y, 'tanh') },
  { name: 'activationBackward sigmoid', inputs: [ELEMENTS, ELEMENTS], outputs: [ELEMENTS], run: (K, [y, dy, dx]) => K.activationBackward(ELEMENTS, y, dy, dx, 'sigmoid') },
  { name: 'sgd with nesterov momentum', inputs: [ELEMENTS, ELEMENTS, ELEMENTS], outputs: [], run: (K, [g, w, v]) => K.sgd(ELEMENTS, g, w, v, 0.05, 0.9, true) },
  { name: 'sgd without momentum', inputs: [ELEMENTS, ELEMENTS], outputs: [], run: (K, [g, w]) => K.sgd(ELEMENTS, g, w, null, 0.05, 0, false) },
  { name: 'adam', inputs: [ELEMENTS, ELEMENTS, ELEMENTS, ELEMENTS], outputs: [], run: (K, [g, w, m, v]) => K.adam(ELEMENTS, g, w, m, v, 1e-3, 0.9, 0.999, 1e-7, 0.1, 0.001) },
  { name: 'multiply', inputs: [ELEMENTS, ELEMENTS], outputs: [ELEMENTS], run: (K, [x, mask, y]) => K.multiply(ELEMENTS, x, mask, y) },
  { name: 'scaleShift', inputs: [ROWS * COLS, COLS, COLS, COLS], outputs: [ROWS * COLS], run: (K, [x, c, sc, sh, y]) => K.scaleShift(ROWS, COLS, x, c, sc, sh, y) },
  { name: 'scaleShift without centre and shift', inputs: [ROWS * COLS, COLS], outputs: [ROWS * COLS], run: (K, [x, sc, y]) => K.scaleShift(ROWS, COLS, x, null, sc, null, y) },
  { name: 'batchStats', inputs: [ROWS * COLS], outputs: [COLS, COLS], run: (K, [x, m, v]) => K.batchStats(ROWS, COLS, x, m, v) },
  { name: 'bnormForwardTrain', inputs: [ROWS * COLS, COLS, COLS], outputs: [ROWS * COLS, COLS, COLS, COLS],
    run: (K, [x, g, b, y, m, v, s]) => K.bnormForwardTrain(ROWS, COLS, x, g, b, y, m, v, s, 1e-3) },
  { name: 'bnormForwardTrain without gamma and beta', inputs: [ROWS * COLS], outputs: [ROWS * COLS, COLS, COLS, COLS],
    run: (K, [x, y, m, v, s]) => K.bnormForwardTrain(ROWS, COLS, x, null, null, y, m, v, s, 1e-3) },
  { name: 'bnormBackward', inputs: [ROWS * COLS, ROWS * COLS, COLS, COLS, COLS], outputs: [ROWS * COLS, COLS, COLS],
    run: (K, [dy, x, m, s, g, dx, dg, db]) => K.bnormBackward(ROWS, COLS, dy, x, m, s, g, dx, dg, db) },
  { name: 'bnormForwardTrain and backward, wider than a column strip', inputs: [STRIP_ROWS * WIDE, STRIP_ROWS * WIDE, WIDE, WIDE], outputs: [STRIP_ROWS * WIDE, WIDE, WIDE, WIDE, STRIP_ROWS * WIDE, WIDE, WIDE],
    run: (K, [x, dy, g, b, y, m, v, s, dx, dg, db]) => {
      K.bnormForwardTrain(STRIP_ROWS, WIDE, x, g, b, y, m, v, s, 1e-3);
      K.bnormBackward(STRIP_ROWS, WIDE, dy, x, m, s, g, dx, dg, db);
    } },
  { name: 'softmax', inputs: [ROWS * COLS], outputs: [ROWS * COLS], run: (K, [x, y]) => K.softmax(ROWS, COLS, x, y) },
  { name: 'softmaxBackward', inputs: [ROWS * COLS, ROWS * COLS], outputs: [ROWS * COLS], run: (K, [y, dy, dz]) => K.softmaxBackward(ROWS, COLS, y, dy, dz) },
];

describe.each(SETS)('memory-bound kernels split over threads on %s', (set) => {
  test.each(MEMORY_BOUND.map((c) => [c.name, c] as const))('%s: bitwise equal on 1, 2 and 3 threads, and it really split', async (name, call) => {
    const rng = seeded(`memory-bound ${name}`);
    const inputs = call.inputs.map((n) => rng.uniform(n, -3, 3));
    const once = () => withHeap((h) => {
      const arrays = [...inputs.map((v) => h.put(v)), ...call.outputs.map((n) => h.out(n))];
      call.run(kernels(set), arrays);
      h.checkGuards(name);
      return Float32Array.from(arrays.flatMap((a) => Array.from(h.read(a))));
    });
    const one = await run(1, once), two = await run(2, once), three = await run(3, once);
    const kernelCalls = call.name.includes(' and backward') ? 2 : 1;
    expect(one.parallel).toBe(0);
    expect(two.parallel).toBe(kernelCalls);
    expect(three.parallel).toBe(kernelCalls);
    expectBitwise(two.out, one.out);
    expectBitwise(three.out, one.out);
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

test('a worker that died inside its block: the job throws after the stall timeout instead of hanging, one thread carries on', async () => {
  await bw.setThreads(2);
  const pool = threadPool()!;
  const internals = pool as unknown as { ctrl: Int32Array; threads: Array<{ handle: { terminate(): void } }> };
  internals.threads[0].handle.terminate();
  await new Promise((r) => setTimeout(r, 200));
  const K = kernels(SETS[SETS.length - 1]);
  // the calling thread's first block claims the next one as a worker would, and never finishes it
  const CLAIM = 1;
  let first = true;
  const part = () => {
    if (first) Atomics.add(internals.ctrl, CLAIM, 1);
    first = false;
  };
  pool.stallMs = 300;
  pool.adaptive = false; // the job must split, whatever this pool learned earlier
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
    pool.adaptive = true;
    await bw.setThreads(2);
  }
  expect(bw.getThreads()).toBe(2);
});

test("the caller's own block failing (a trap) leaves no worker writing and no error behind for the next GEMM", async () => {
  await bw.setThreads(3);
  const pool = threadPool()!;
  const K = kernels(SETS[SETS.length - 1]);
  const failing = () => { throw new Error('trap in the caller'); };
  pool.adaptive = false; // every job here must split, whatever this pool learned earlier
  withHeap((h) => {
    const A = h.out(300 * 500, 1), B = h.out(500 * 260, 1), C = h.out(300 * 260);
    expect(() => pool.gemm(0, failing, 0, 300, 260, 500, A.ptr, B.ptr, C.ptr, 0, 0, 0, 0)).toThrow(/trap in the caller/);
    // the job is closed at the throw (no block left to claim) and every block a worker took is finished
    const claim = (pool as unknown as { ctrl: Int32Array }).ctrl[1];
    expect(claim & 0xffff).toBe(claim >>> 16);
    const settled = h.read(C); // whatever the workers wrote, they are done: C does not change any more
    expect(h.read(C)).toEqual(settled);
  });
  const before = pool.parallelCalls;
  checkGemm(K, 'after a failed caller block', 'nn', 300, 260, 500, false);
  expect(pool.parallelCalls).toBe(before + 1);
  pool.adaptive = true;
  await bw.setThreads(2);
});

test('measure and adapt: a kind of job whose split runs are slower stays whole (right and bitwise equal), trying the split way now and then', async () => {
  await bw.setThreads(2);
  const pool = threadPool()!;
  const once = gemmOnce(kernels(SETS[SETS.length - 1]), 'nn', 256, 64, 64, false, 'adapt'); // 2 MFLOP: tens of µs whole
  const want = (await run(1, once)).out;
  await bw.setThreads(2);
  pool.relearn(); // a kind this pool has never timed
  // the calling thread's part, slowed down by 25 ms whenever it computes only a block: splitting then loses
  let slowed = 0;
  const realGemm = pool.gemm.bind(pool);
  pool.gemm = (build, local, ...rest) => realGemm(build, (...a) => {
    const [m, n, , i0, i1, j0, j1] = a;
    if (i1 - i0 < m || j1 - j0 < n) { slowed++; const until = performance.now() + 25; while (performance.now() < until); }
    local(...a);
  }, ...rest);
  try {
    const before = pool.parallelCalls;
    for (let i = 0; i < 40; i++) expectBitwise(once(), want);
    const split = pool.parallelCalls - before;
    expect(split).toBeGreaterThanOrEqual(2); // the first run, and at least one exploration
    expect(split).toBeLessThanOrEqual(6);
    expect(slowed).toBeGreaterThan(0);
  } finally {
    pool.gemm = realGemm;
  }
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
