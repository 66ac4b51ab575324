import type { F32 } from '../kernels.js';

/** Reads a handle as a fresh Float32Array over the shared memory (never cached: memory.grow detaches). */
export type View = (h: F32) => Float32Array;
