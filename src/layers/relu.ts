import type { Kernels } from '../backend/kernels.js';
import type { F32 } from '../memory/heap.js';
import { ElementwiseLayer } from './elementwise-layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf } from './options.js';

const RELU = defineLayer({
  className: 'ReLU',
  factory: 'reLU',
  // Keras 3's three arguments (TF.js's layer has maxValue only; its files load with the other two at their defaults)
  options: {
    maxValue: option.numberOrNull((v) => v >= 0, 'a number >= 0 or null'),
    negativeSlope: option.number((v) => v >= 0, 'a number >= 0', 0),
    threshold: option.number((v) => v >= 0, 'a number >= 0', 0),
  },
  fileKeys: {},
});

export type ReLUArgs = ArgsOf<typeof RELU.options>;
export interface ReLU extends ConfigOf<typeof RELU.options> {}

/**
 * Keras 3's ReLU layer: x > threshold ? min(x, maxValue) : negativeSlope·(x − threshold), maxValue null for
 * no cap. With the defaults it is the plain relu; tf.layers.reLU({ maxValue }) is the same function.
 */
export class ReLU extends ElementwiseLayer {
  static readonly def = RELU;

  constructor(args: ReLUArgs = {}) {
    super(RELU, args);
  }

  private get cap(): number {
    return this.maxValue ?? Infinity;
  }

  protected map(k: Kernels, n: number, x: F32, y: F32): void {
    k.relu(n, x, y, this.cap, this.negativeSlope, this.threshold);
  }

  protected mapBackward(k: Kernels, n: number, x: F32, dy: F32): void {
    k.reluBackward(n, x, dy, dy, this.cap, this.negativeSlope, this.threshold);
  }
}
