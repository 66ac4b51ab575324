/**
 * bnwasm: Keras-style neural networks with batch normalization, on AssemblyScript WASM SIMD kernels.
 * The public surface follows ../docs/API.md (the TF.js layers API); everything here is re-exported from
 * the module that owns it.
 */
export { ready, setBackend, getBackend, setThreads, getThreads, memoryStats, wasmBuild, type Backend } from './backend/runtime.js';
export { setSeed, Rng } from './util/rng.js';
export { tensor, Tensor, type NestedArray, type TensorLike } from './tensor/tensor.js';
export { tidy, dispose } from './tensor/scope.js';
export * as ops from './ops.js';
export { layers, Layer, Dense, BatchNormalization, Activation, Dropout, LeakyReLU, Conv2D, MaxPooling2D, AveragePooling2D,
  GlobalAveragePooling2D, Flatten, Reshape, ELU, ReLU, Softmax, ThresholdedReLU, PReLU } from './layers/index.js';
export { regularizers, Regularizer } from './layers/regularizers.js';
export { constraints, Constraint } from './layers/constraints.js';
export { sequential, Sequential, DivergenceError, type FitArgs, type CompileArgs, type Callbacks, type Logs } from './model/sequential.js';
export { History } from './model/history.js';
export { optimizers, SGD, Adam, AdamW, RMSprop, Adagrad, type Optimizer } from './model/optimizers.js';
export { LearningRateSchedule, ExponentialDecay, CosineDecay } from './training/schedules.js';
export { callbacks } from './training/index.js';
export { Callback, type CallbackHooks } from './training/callbacks.js';
export { EarlyStopping } from './training/early-stopping.js';
export { ReduceLROnPlateau, LearningRateScheduler } from './training/learning-rate-callbacks.js';
export { loadModel, io, type IOHandler, type ModelArtifacts } from './io/index.js';
