import type { F32 } from '../memory/heap.js';
import { Layer, type LayerPlan, type StepContext } from './layer.js';
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
export class ThresholdedReLU extends Layer {
  static readonly def = THRESHOLDED_RELU;
  private x!: F32;

  constructor(args: ThresholdedReLUArgs = {}) {
    super(THRESHOLDED_RELU, args);
  }

  plan(shape: number[]): LayerPlan {
    return { outputShape: [...shape], weights: [] };
  }

  forward(ctx: StepContext, x: F32): F32 {
    const y = ctx.scratch(x.length);
    ctx.k.relu(x.length, x, y, Infinity, 0, this.theta);
    this.x = x;
    return y;
  }

  backward(ctx: StepContext, dy: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    if (!needsInputGrad) return null;
    ctx.k.reluBackward(dy.length, this.x, dy, dy, Infinity, 0, this.theta);
    return dy;
  }
}
