import type { Act } from '../backend/kernels.js';
import { oneOf } from '../util/validate.js';

/** Activation names a layer accepts; 'softmax' runs over the last axis and is not an element-wise kernel. */
export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export function checkActivation(value: unknown, name: string): Activation {
  return oneOf(value, name, ACTIVATIONS);
}

/** The element-wise kernel code of an activation ('softmax' is handled by the softmax kernels). */
export const elementwise = (a: Activation): Act => (a === 'softmax' ? 'linear' : a);
