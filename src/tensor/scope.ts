import { Tensor } from './tensor.js';

/**
 * bw.tidy and bw.dispose, for code written against TF.js. bnwasm tensors hold plain JS memory that the
 * garbage collector reclaims, so tidy has nothing to track: it runs fn and returns its result. A fn that
 * returns a Promise is an error here (TF.js logs 'Cannot return a Promise inside of tidy' and goes on).
 */
export function tidy<T>(nameOrFn: string | (() => T), fn?: () => T): T {
  const body = typeof nameOrFn === 'function' ? nameOrFn : fn;
  if (typeof body !== 'function') {
    throw new Error(`tidy: expected a function (or a name and a function), got ${typeof nameOrFn === 'string' ? `the name ${JSON.stringify(nameOrFn)} and ${typeof fn}` : typeof nameOrFn}`);
  }
  const result = body();
  if (result instanceof Promise) throw new Error('tidy: fn returned a Promise; tidy runs synchronous code only (as in TF.js)');
  return result;
}

type Container = Tensor | null | undefined | Container[] | { [key: string]: Container };

/** Disposes every tensor in a tensor, an array or a plain object of them (nested), as tf.dispose does. */
export function dispose(container: Container): void {
  if (container instanceof Tensor) container.dispose();
  else if (Array.isArray(container)) container.forEach(dispose);
  else if (container && typeof container === 'object') Object.values(container).forEach(dispose);
}
