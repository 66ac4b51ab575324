import type { Kernels } from '../backend/kernels.js';
import type { F32 } from '../memory/heap.js';
import { ElementwiseLayer } from './elementwise-layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf } from './options.js';

const THRESHOLDED_RELU = defineLayer({
  className: 'ThresholdedReLU',
  factory: 'thresholdedReLU',
  options: { theta: option.number(() => true, 'a finite number', 1) },
  fileKeys: {},
});

export type ThresholdedReLUArgs = ArgsOf<typeof THRESHOLDED_RELU.options>;
export interface ThresholdedReLU extends ConfigOf<typeof THRESHOLDED_RELU.options> {}

/** x > theta ? x : 0, as tf.layers.thresholdedReLU: the ReLU kernel with threshold theta, no cap and slope 0. */
export class ThresholdedReLU extends ElementwiseLayer {
  static readonly def = THRESHOLDED_RELU;

  constructor(args: ThresholdedReLUArgs = {}) {
    super(THRESHOLDED_RELU, args);
  }

  protected map(k: Kernels, n: number, x: F32, y: F32): void {
    k.relu(n, x, y, Infinity, 0, this.theta);
  }

  protected mapBackward(k: Kernels, n: number, x: F32, dy: F32): void {
    k.reluBackward(n, x, dy, dy, Infinity, 0, this.theta);
  }
}
