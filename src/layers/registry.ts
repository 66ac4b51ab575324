import { Activation } from './activation.js';
import { BatchNormalization } from './batch-normalization.js';
import { Dense } from './dense.js';
import { Conv2D } from './conv2d.js';
import { Dropout } from './dropout.js';
import { LeakyReLU } from './leaky-relu.js';
import { ELU } from './elu.js';
import { ReLU } from './relu.js';
import { Softmax } from './softmax.js';
import { ThresholdedReLU } from './thresholded-relu.js';
import { PReLU } from './prelu.js';
import { AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D } from './pooling2d.js';
import { Flatten, Reshape } from './reshape.js';
import type { Layer, LayerClass } from './layer.js';

/**
 * Every layer class, by its bw.layers factory name: the factories, loading from model.json (by Keras class
 * name) and cloning all come from here. Adding a layer is its own file plus one line here.
 */
export const LAYER_CLASSES = {
  dense: Dense,
  batchNormalization: BatchNormalization,
  activation: Activation,
  dropout: Dropout,
  leakyReLU: LeakyReLU,
  conv2d: Conv2D,
  maxPooling2d: MaxPooling2D,
  averagePooling2d: AveragePooling2D,
  globalAveragePooling2d: GlobalAveragePooling2D,
  flatten: Flatten,
  reshape: Reshape,
  elu: ELU,
  reLU: ReLU,
  softmax: Softmax,
  thresholdedReLU: ThresholdedReLU,
  prelu: PReLU,
} satisfies Record<string, LayerClass>;

type Classes = typeof LAYER_CLASSES;
export type LayerFactories = { [K in keyof Classes]: (...args: ConstructorParameters<Classes[K]>) => InstanceType<Classes[K]> };

/** Layer factories, as tf.layers.* (Keras defaults). */
export const layers = Object.fromEntries(Object.entries(LAYER_CLASSES).map(([factory, Class]) =>
  [factory, (args?: unknown) => new (Class as unknown as new (a: unknown) => Layer)(args)])) as LayerFactories;

/** The layer class model.json names `className` (Keras spelling), if bnwasm has it. */
export function layerClass(className: string): LayerClass | undefined {
  return Object.values(LAYER_CLASSES).find((c) => c.def.className === className);
}

/** The Keras class names bnwasm reads, for error messages. */
export const layerClassNames = (): string[] => Object.values(LAYER_CLASSES).map((c) => c.def.className);
