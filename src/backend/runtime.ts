import { Heap } from '../memory/heap.js';
import { jsKernels } from './js/index.js';
import type { Kernels } from './kernels.js';
import { wasmKernels } from './wasm/kernels.js';
import { MAX_THREADS, ThreadPool } from './threads/pool.js';
import { canSpawnThreads, hardwareThreads } from './threads/spawn.js';
import { compile, instantiate, supports, type Build } from './wasm/load.js';

/**
 * The one place that owns the WASM memory and chooses the kernels. Every model, layer and op in a
 * program shares this memory; `setBackend` swaps the kernel set and copies nothing.
 */
export type Backend = 'wasm' | 'js';
/** Kernel sets by name: 'wasm' is the plain SIMD build, 'wasm-relaxed' the fused multiply-add build. */
export type KernelSet = 'js' | 'wasm' | 'wasm-relaxed';

const INITIAL_PAGES = 64; // 4 MiB; grows on demand
const MAX_PAGES = 32768; // the builds' declared maximum (asconfig.json), 2 GiB
/** Threads ready() starts where it can: GEMM scales to about 4 before memory bandwidth caps it. */
const DEFAULT_THREADS = 4;

interface State {
  heap: Heap;
  sets: Partial<Record<KernelSet, Kernels>>;
  /** What the 'wasm' backend runs here: relaxed where the engine supports it, else plain SIMD, else none. */
  best: KernelSet;
  /** Kernel threads for large jobs; absent where memory cannot be shared (see threads/spawn.ts). */
  pool?: ThreadPool;
}

let state: State | undefined;
let starting: Promise<void> | undefined;
let backend: Backend = 'wasm';

/** Instantiates the WASM kernels on a fresh shared memory. Idempotent: later calls return the same promise. */
export function ready(): Promise<void> {
  // a failed start is forgotten, so a later ready() can try again
  starting ??= start().catch((e: unknown) => { starting = undefined; throw e; });
  return starting;
}

async function start(): Promise<void> {
  // a shared memory where threads can run (Node; cross-origin isolated pages), else a plain one
  const shared = canSpawnThreads() && (['simd', 'relaxed'] as Build[]).some((b) => supports(b, true));
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAX_PAGES, shared });
  const builds = (['simd', 'relaxed'] as Build[]).filter((b) => supports(b, shared));
  const modules = await Promise.all(builds.map((b) => compile(b, shared)));
  const instances = modules.map((m) => instantiate(m, memory));
  // below heap_base: the modules' static data and the kernels' scratch region (GEMM packing, BN
  // coefficients); both builds share it safely because kernels run one at a time and keep nothing there
  const base = Math.max(1024, ...instances.map((x) => x.heap_base()));
  const heap = new Heap(memory, base);
  const pool = shared && instances.length > 0 ? new ThreadPool(memory, modules, heap, Math.max(...instances.map((x) => x.scratch_bytes()))) : undefined;
  const sets: State['sets'] = { js: jsKernels((h) => heap.f32(h)) };
  builds.forEach((build, i) => {
    sets[build === 'simd' ? 'wasm' : 'wasm-relaxed'] = wasmKernels(instances[i], pool && { pool, build: i });
  });
  const best: KernelSet = sets['wasm-relaxed'] ? 'wasm-relaxed' : sets.wasm ? 'wasm' : 'js';
  if (best === 'js') {
    console.warn('bnwasm: this engine lacks WebAssembly SIMD; using the JS backend');
    backend = 'js';
  }
  state = { heap, sets, best, pool };
  const threads = Math.min(hardwareThreads(), DEFAULT_THREADS);
  if (pool && threads > 1) {
    try {
      await pool.resize(threads);
    } catch (e) {
      console.warn(`bnwasm: running on one thread (${e instanceof Error ? e.message : String(e)})`);
    }
  }
}

function started(): State {
  if (!state) throw new Error('bnwasm is not ready: await bw.ready() before using it');
  return state;
}

export function heap(): Heap {
  return started().heap;
}

/** The kernels the current backend runs. */
export function kernels(): Kernels {
  const s = started();
  return s.sets[backend === 'wasm' ? s.best : 'js']!;
}

/** A specific kernel set, for tests and benchmarks; throws when this engine cannot run it. */
export function kernelsFor(name: KernelSet): Kernels {
  const set = started().sets[name];
  if (!set) throw new Error(`kernelsFor: the '${name}' kernels cannot run on this engine`);
  return set;
}

/** The kernel sets this engine can run. */
export function availableKernelSets(): KernelSet[] {
  return (Object.keys(started().sets) as KernelSet[]);
}

export function setBackend(name: Backend): void {
  if (name !== 'wasm' && name !== 'js') {
    throw new Error(`setBackend: backend must be 'wasm' or 'js', got ${JSON.stringify(name)}`);
  }
  const s = started();
  if (name === 'wasm' && s.best === 'js') {
    console.warn('bnwasm: WebAssembly SIMD is not available here; staying on the JS backend');
    return;
  }
  backend = name;
}

export function getBackend(): Backend {
  return backend;
}

/** Which WASM build the 'wasm' backend runs: 'relaxed' (fused multiply-add), 'simd', or 'none'. */
export function wasmBuild(): 'relaxed' | 'simd' | 'none' {
  const best = started().best;
  return best === 'wasm-relaxed' ? 'relaxed' : best === 'wasm' ? 'simd' : 'none';
}

/**
 * How many threads large kernels (matrix products, BN, element-wise work) run on, the calling one included (the default is the
 * number of cores, up to 4, where threads can run). Resolves once they are running. Results do not
 * depend on the count. Threads need a shared memory: always in Node, in browsers only on cross-origin
 * isolated pages; elsewhere this warns and stays at 1.
 */
export function setThreads(n: number): Promise<void> {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new Error(`setThreads: n must be an integer from 1 to ${MAX_THREADS}, got ${JSON.stringify(n)}`);
  }
  const s = started();
  if (!s.pool) {
    if (n > 1) console.warn('bnwasm: threads need a shared memory (SharedArrayBuffer; in browsers a cross-origin isolated page); staying on 1 thread');
    return Promise.resolve();
  }
  return s.pool.resize(n);
}

/** The threads large kernels run on now, the calling one included. */
export function getThreads(): number {
  return started().pool?.size ?? 1;
}

/** The kernel thread pool, if this engine has one (for tests and benchmarks). */
export function threadPool(): ThreadPool | undefined {
  return started().pool;
}

export function memoryStats(): { wasmBytes: number; allocatedBytes: number } {
  return started().heap.stats();
}
