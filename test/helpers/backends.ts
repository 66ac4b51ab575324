/**
 * The kernel sets every kernel test runs on. 'wasm-relaxed' needs an engine with relaxed SIMD (Node 20:
 * --experimental-wasm-relaxed-simd, which vitest.config.ts passes); where it is missing, its suites skip.
 */
import type { Kernels } from '../../src/backend/kernels.js';
import { availableKernelSets, kernelsFor, ready, type KernelSet } from '../../src/backend/runtime.js';

export const KERNEL_SETS: KernelSet[] = ['js', 'wasm', 'wasm-relaxed'];

await ready();

export const available = (name: KernelSet): boolean => availableKernelSets().includes(name);
export const kernels = (name: KernelSet): Kernels => kernelsFor(name);

/** Sizes that cross every vector width and tile edge in the kernels. */
export const EDGE_SIZES = [1, 3, 4, 5, 13, 64, 257];

export function cartesian<A, B>(as: readonly A[], bs: readonly B[]): Array<[A, B]> {
  return as.flatMap((a) => bs.map((b): [A, B] => [a, b]));
}

const cache = new Map<string, unknown>();
/** Memoises reference results across the kernel sets of one file (the float64 reference is the slow part). */
export function cached<T>(key: string, make: () => T): T {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as T;
}
