import type { Padding } from '../backend/window2d.js';
import { fail, oneOf } from '../util/validate.js';
import type { Option } from './options.js';

/** Options shared by the convolution and pooling layers (TF.js's spelling and defaults). */

function checkPair(value: unknown, what: string): [number, number] {
  const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
  if (ok(value)) return [value as number, value as number];
  if (Array.isArray(value) && value.length === 2 && value.every(ok)) return [value[0], value[1]];
  fail(what, 'a positive integer or a pair [height, width] of them', value);
}

export const windowOption = {
  /** kernelSize, strides, poolSize: a positive integer or a pair [height, width]; held and saved as the pair. */
  pair: (fallback?: [number, number]): Option<[number, number]> => (fallback
    ? { required: false, default: fallback, check: checkPair }
    : { required: true, check: checkPair }),
  /** Pooling strides: a pair, or null for the pool size (TF.js's default). */
  strides: (): Option<[number, number] | null> => ({
    required: false, default: null, check: (v, what) => (v === null ? null : checkPair(v, what)),
  }),
  padding: (): Option<Padding> => ({ required: false, default: 'valid', check: (v, what) => oneOf(v, what, ['valid', 'same'] as const) }),
  /** Only channels last is implemented (TF.js's default); a file saying otherwise is refused, not misread. */
  dataFormat: (): Option<'channelsLast'> => ({
    required: false, default: 'channelsLast',
    check: (v, what) => oneOf(v, what, ['channelsLast'] as const),
    load: (v) => (v === 'channels_last' ? 'channelsLast' : v),
  }),
  /** Dilation is not implemented: 1 only, so a file with another rate is refused instead of misread. */
  dilationRate: (): Option<[number, number]> => ({
    required: false, default: [1, 1],
    check: (v, what) => {
      const p = checkPair(v, what);
      if (p[0] !== 1 || p[1] !== 1) fail(what, '1 (dilated convolutions are not implemented)', v);
      return p;
    },
  }),
  /** Grouped convolution is not implemented: 1 only, so a file with groups (Keras 2.7+, Keras 3) is refused instead of misread. */
  groups: (): Option<number> => ({
    required: false, default: 1,
    check: (v, what) => (v === 1 ? 1 : fail(what, '1 (grouped convolutions are not implemented)', v)),
  }),
};

/** Inputs of a 2-D window layer: [height, width, channels] (no batch axis). */
export function checkImageShape(shape: number[], layer: string): [number, number, number] {
  if (shape.length !== 3) {
    throw new Error(`${layer}: expected inputs of shape [height, width, channels] (rank 4 with the batch), got [null, ${shape.join(', ')}]`);
  }
  return [shape[0], shape[1], shape[2]];
}
