import type { Padding } from '../backend/window2d.js';
import { fail, oneOf } from '../util/validate.js';

/** Arguments shared by the convolution and pooling layers (TF.js's spelling and defaults). */

/** kernelSize, strides, poolSize: a positive integer or a pair [height, width]. */
export function pair(value: unknown, name: string): [number, number] {
  const ok = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
  if (ok(value)) return [value as number, value as number];
  if (Array.isArray(value) && value.length === 2 && value.every(ok)) return [value[0], value[1]];
  fail(name, 'a positive integer or a pair [height, width] of them', value);
}

export function padding(value: unknown, name: string): Padding {
  return oneOf(value ?? 'valid', name, ['valid', 'same'] as const);
}

/** Only channels last is implemented (TF.js's default); a file saying otherwise is refused, not misread. */
export function channelsLast(value: unknown, name: string): void {
  if (value === undefined || value === null) return;
  oneOf(value, name, ['channelsLast', 'channels_last'] as const);
}

/** Inputs of a 2-D window layer: [height, width, channels] (no batch axis). */
export function checkImageShape(shape: number[], layer: string): [number, number, number] {
  if (shape.length !== 3) {
    throw new Error(`${layer}: expected inputs of shape [height, width, channels] (rank 4 with the batch), got [null, ${shape.join(', ')}]`);
  }
  return [shape[0], shape[1], shape[2]];
}
