import type { Layer } from '../layers/layer.js';

/**
 * Runs a call that may build a model's layers from its inputs (predict, evaluate, trainOnBatch, fit). If it
 * throws (or its promise rejects) before an optimizer step was applied, the layers it built are unbuilt again
 * and `undo` runs (the model drops scratch it made for them): a y of the wrong length must not fix the
 * model's input width. `steps` reads the optimizer's step count (undefined before compile).
 */
export function unbuiltOnError<T>(layers: readonly Layer[], steps: () => number | undefined, undo: () => void, call: () => T): T {
  const fresh = layers.filter((l) => !l.built), before = steps();
  const unbuild = (e: unknown): never => {
    if (fresh.length && steps() === before) {
      for (const l of fresh) l.unbuild();
      undo();
    }
    throw e;
  };
  try {
    const result = call();
    return (result instanceof Promise ? result.catch(unbuild) : result) as T;
  } catch (e) {
    return unbuild(e);
  }
}
