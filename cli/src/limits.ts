/**
 * Resource limits as one-line errors with the remedy, checked before training where they can be (a
 * model too large for the WASM memory, a column too large for float32 BN statistics) and caught
 * around it where they cannot (an allocation that fails part-way).
 */
import { fail } from './errors.js';
import type { TrainOptions } from './train.js';

/**
 * BatchNormalization computes its statistics in float32, where a square beyond 3.4e38 is infinite: a
 * column with values beyond 1e18 in magnitude cannot be normalized by it (standardizing in float64 can).
 */
export function checkMagnitudes(x: Float32Array, width: number, columns: string[]): void {
  for (let j = 0; j < width; j++) {
    let largest = 0;
    for (let i = j; i < x.length; i += width) largest = Math.max(largest, Math.abs(x[i]));
    if (largest > 1e18) {
      fail(`column '${columns[j]}' holds values up to ${largest.toPrecision(3)}, too large for batch normalization's float32 statistics (up to 1e18); rescale the column or use --no-batchnorm (which standardizes in float64)`);
    }
  }
}

/** An allocation failure (the model or a batch does not fit in memory) as a one-line error with the remedy. */
function outOfMemory(e: unknown, opts: TrainOptions): never {
  fail(`not enough memory for this model (--hidden ${opts.hidden.join(',') || 'none'}, --batch-size ${opts.batchSize}): ${e instanceof Error ? e.message.split('\n')[0] : String(e)}; use smaller layers or batches`);
}

// the kernels' heap ('out of memory: need … bytes of WASM memory') or the JS engine (typed array allocation)
const isAllocationFailure = (e: unknown) => e instanceof Error
  && (/^out of memory/.test(e.message) || (e instanceof RangeError && /memory|allocat|buffer|invalid (typed )?array length/i.test(e.message)));

/** The WASM memory's limit (the builds declare 2 GiB). */
const WASM_LIMIT = 2 ** 31;

/**
 * Refuses, before building it, a model whose weights, gradients and optimizer state cannot fit in the
 * WASM memory (building one takes long before the allocation fails).
 */
export function checkModelSize(opts: TrainOptions, inputs: number, outputs: number): void {
  const sizes = [inputs, ...opts.hidden, outputs];
  let params = 0;
  for (let i = 1; i < sizes.length; i++) params += (sizes[i - 1] + 1) * sizes[i];
  const copies = 2 + (opts.optimizer === 'adam' ? 2 : 0); // weights and gradients, Adam's two moments
  const bytes = params * 4 * copies;
  if (bytes > WASM_LIMIT) {
    fail(`not enough memory for this model: --hidden ${opts.hidden.join(',')} has ${params.toLocaleString('en-US')} weights, ${(bytes / 2 ** 30).toFixed(1)} GiB with gradients and ${opts.optimizer} state, over the 2 GiB WASM memory; use smaller layers`);
  }
}

export function allocating<T>(opts: TrainOptions, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (isAllocationFailure(e)) outOfMemory(e, opts);
    throw e;
  }
}

export async function allocatingAsync<T>(opts: TrainOptions, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isAllocationFailure(e)) outOfMemory(e, opts);
    throw e;
  }
}
