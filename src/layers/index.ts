import { Activation, type ActivationArgs } from './activation.js';
import { BatchNormalization, type BatchNormalizationArgs } from './batch-normalization.js';
import { Conv2D, type Conv2DArgs } from './conv2d.js';
import { Dense, type DenseArgs } from './dense.js';
import { Dropout, type DropoutArgs } from './dropout.js';
import { AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D, type Pooling2DArgs } from './pooling2d.js';
import { Flatten, Reshape } from './reshape.js';

/** Layer factories, as tf.layers.* (Keras defaults). */
export const layers = {
  dense: (args: DenseArgs) => new Dense(args),
  batchNormalization: (args: BatchNormalizationArgs = {}) => new BatchNormalization(args),
  activation: (args: ActivationArgs) => new Activation(args),
  dropout: (args: DropoutArgs) => new Dropout(args),
  conv2d: (args: Conv2DArgs) => new Conv2D(args),
  maxPooling2d: (args: Pooling2DArgs = {}) => new MaxPooling2D(args),
  averagePooling2d: (args: Pooling2DArgs = {}) => new AveragePooling2D(args),
  globalAveragePooling2d: (args: ConstructorParameters<typeof GlobalAveragePooling2D>[0] = {}) => new GlobalAveragePooling2D(args),
  flatten: (args: ConstructorParameters<typeof Flatten>[0] = {}) => new Flatten(args),
  reshape: (args: ConstructorParameters<typeof Reshape>[0]) => new Reshape(args),
};

export { Activation, BatchNormalization, Dense, Dropout, Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Flatten, Reshape };
export { Layer, type Param } from './layer.js';
