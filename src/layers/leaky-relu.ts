import type { Kernels } from '../backend/kernels.js';
import type { F32 } from '../memory/heap.js';
import { ElementwiseLayer } from './elementwise-layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf } from './options.js';

const LEAKY_RELU = defineLayer({
  className: 'LeakyReLU',
  factory: 'leakyReLU',
  // TF.js's and Keras's layer default (the 'leakyRelu' activation's is 0.2)
  options: { alpha: option.number((a) => a >= 0, 'a number >= 0', 0.3) },
  fileKeys: {},
  fileAliases: { negativeSlope: 'alpha' },
});

export type LeakyReLUArgs = ArgsOf<typeof LEAKY_RELU.options>;
export interface LeakyReLU extends ConfigOf<typeof LEAKY_RELU.options> {}

/** x < 0 ? alpha·x : x, as tf.layers.leakyReLU (Keras's LeakyReLU, whose argument Keras 3 calls negative_slope). */
export class LeakyReLU extends ElementwiseLayer {
  static readonly def = LEAKY_RELU;

  constructor(args: LeakyReLUArgs = {}) {
    super(LEAKY_RELU, args);
  }

  protected map(k: Kernels, n: number, x: F32, y: F32): void {
    k.unary(n, x, y, this.alpha, 'leakyRelu');
  }

  protected mapBackward(k: Kernels, n: number, x: F32, dy: F32): void {
    k.unaryBackward(n, x, dy, dy, this.alpha, 'leakyRelu');
  }
}
