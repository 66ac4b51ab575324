import { Activation, type ActivationArgs } from './activation.js';
import { BatchNormalization, type BatchNormalizationArgs } from './batch-normalization.js';
import { Dense, type DenseArgs } from './dense.js';
import { Dropout, type DropoutArgs } from './dropout.js';

/** Layer factories, as tf.layers.* (Keras defaults). */
export const layers = {
  dense: (args: DenseArgs) => new Dense(args),
  batchNormalization: (args: BatchNormalizationArgs = {}) => new BatchNormalization(args),
  activation: (args: ActivationArgs) => new Activation(args),
  dropout: (args: DropoutArgs) => new Dropout(args),
};

export { Activation, BatchNormalization, Dense, Dropout };
export { Layer, type Param } from './layer.js';
