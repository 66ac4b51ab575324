import type { Job, JobFn, ThreadPool } from './pool.js';

/**
 * Memory-bound kernels split over the threads: element-wise ones by ranges of elements, row-wise ones
 * by rows, column reductions (BN statistics, forward, backward) by columns. Every element (row, column)
 * is computed by the same code in the same order as in the whole call, so results are bitwise the same
 * on any thread count. Each helper returns false, doing nothing, when the call should stay on
 * the calling thread (small, or no workers): the caller then runs the kernel itself.
 */

/**
 * Below this many floats (~40 µs of work) a memory-bound kernel stays whole. Waking a worker costs 6–30 µs
 * (more on a machine where another process holds a core, where one late worker holds the whole job up), so
 * smaller jobs gained at most a few µs on a quiet machine and lost more than that on a busy one (measured:
 * BN statistics, forward and backward on 128×256, 1.29× faster split when quiet, 0.80× with one core taken).
 */
export const MIN_PARALLEL_ELEMENTS = 2 ** 17;
/** Floats per block at least, so a block is worth a claim. */
const MIN_BLOCK_ELEMENTS = 2 ** 14;

export interface Target {
  pool: ThreadPool;
  build: number;
}

/**
 * `args` as the kernel takes them; `count`: the index of the element-count argument; `pointers`: the
 * indices of the array arguments (each advances 4 bytes per element). Cuts fall on multiples of 4
 * elements, so every block starts on a whole f32x4.
 */
export function byElements(t: Target | undefined, fn: JobFn, local: Job['local'], args: number[], count: number, pointers: number[]): boolean {
  const n = args[count];
  if (!t || n < MIN_PARALLEL_ELEMENTS) return false;
  return t.pool.run(job(t, fn, local, args, count, pointers, 4, n, 4, t.pool.blocksFor(n, 4, MIN_BLOCK_ELEMENTS)), n);
}

/** The same for a row-wise kernel over `rows` rows of `cols` floats (pointers advance a row per row). */
export function byRows(t: Target | undefined, fn: JobFn, local: Job['local'], args: number[], count: number, pointers: number[], cols: number): boolean {
  const rows = args[count], n = rows * cols;
  if (!t || n < MIN_PARALLEL_ELEMENTS) return false;
  return t.pool.run(job(t, fn, local, args, count, pointers, 4 * cols, rows, 1, t.pool.blocksFor(rows, 1, Math.ceil(MIN_BLOCK_ELEMENTS / cols))), n);
}

/**
 * A *_part kernel over columns: `args` hold the whole range [0, cols) at indices 2 and 3 (after rows and
 * cols); each block gets its [j0, j1), cut on multiples of 4 columns (whole f32x4 lanes).
 */
export function byColumns(t: Target | undefined, fn: JobFn, local: Job['local'], args: number[], rows: number): boolean {
  const cols = args[1], n = rows * cols;
  if (!t || n < MIN_PARALLEL_ELEMENTS || cols < 8) return false;
  const base = [...args], perLo = args.map(() => 0), perHi = args.map(() => 0);
  base[2] = 0; base[3] = 0;
  perLo[2] = 1;
  perHi[3] = 1;
  const blocks = t.pool.blocksFor(cols, 4, 4 * Math.ceil(MIN_BLOCK_ELEMENTS / rows / 4));
  return t.pool.run({ fn, build: t.build, local, base, perLo, perHi, units: cols, align: 4, blocks }, n);
}

function job(t: Target, fn: JobFn, local: Job['local'], args: number[], count: number, pointers: number[], bytesPerUnit: number,
  units: number, align: number, blocks: number): Job {
  const base = [...args], perLo = args.map(() => 0), perHi = args.map(() => 0);
  // the count becomes hi − lo; each array starts lo units further on
  base[count] = 0;
  perLo[count] = -1;
  perHi[count] = 1;
  for (const i of pointers) if (args[i] !== 0) perLo[i] = bytesPerUnit; // 0 is an absent optional array
  return { fn, build: t.build, local, base, perLo, perHi, units, align, blocks };
}
