export { layers, LAYER_CLASSES, layerClass } from './registry.js';
export { Activation, type ActivationArgs } from './activation.js';
export { BatchNormalization, type BatchNormalizationArgs } from './batch-normalization.js';
export { Dense, type DenseArgs } from './dense.js';
export { Dropout, type DropoutArgs } from './dropout.js';
export { LeakyReLU, type LeakyReLUArgs } from './leaky-relu.js';
export { Layer, type Param, type WeightDecl, type LayerPlan } from './layer.js';
export { defineLayer, option, type Option, type LayerDef } from './options.js';
