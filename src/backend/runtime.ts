import { Heap } from '../memory/heap.js';
import { jsKernels } from './js/index.js';
import type { Kernels } from './kernels.js';
import { wasmKernels } from './wasm/kernels.js';
import { compile, instantiate, supports, type Build } from './wasm/load.js';

/**
 * The one place that owns the WASM memory and chooses the kernels. Every model, layer and op in a
 * program shares this memory; `setBackend` swaps the kernel set and copies nothing.
 */
export type Backend = 'wasm' | 'js';
/** Kernel sets by name: 'wasm' is the plain SIMD build, 'wasm-relaxed' the fused multiply-add build. */
export type KernelSet = 'js' | 'wasm' | 'wasm-relaxed';

const INITIAL_PAGES = 64; // 4 MiB; grows on demand

interface State {
  heap: Heap;
  sets: Partial<Record<KernelSet, Kernels>>;
  /** What the 'wasm' backend runs here: relaxed where the engine supports it, else plain SIMD, else none. */
  best: KernelSet;
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
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: 32768 });
  const builds = (['simd', 'relaxed'] as Build[]).filter((b) => supports(b));
  const instances = await Promise.all(builds.map(async (b) => [b, instantiate(await compile(b), memory)] as const));
  // below heap_base: the modules' static data and the kernels' scratch region (GEMM packing, BN
  // coefficients); both builds share it safely because kernels run one at a time and keep nothing there
  const base = Math.max(1024, ...instances.map(([, x]) => x.heap_base()));
  const heap = new Heap(memory, base);
  const sets: State['sets'] = { js: jsKernels((h) => heap.f32(h)) };
  for (const [build, exports] of instances) sets[build === 'simd' ? 'wasm' : 'wasm-relaxed'] = wasmKernels(exports);
  const best: KernelSet = sets['wasm-relaxed'] ? 'wasm-relaxed' : sets.wasm ? 'wasm' : 'js';
  if (best === 'js') {
    console.warn('bnwasm: this engine lacks WebAssembly SIMD; using the JS backend');
    backend = 'js';
  }
  state = { heap, sets, best };
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

export function memoryStats(): { wasmBytes: number; allocatedBytes: number } {
  return started().heap.stats();
}
