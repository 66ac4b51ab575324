import type { F32 } from '../memory/heap.js';
import { Layer, type LayerPlan, type StepContext } from './layer.js';
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
export class ReLU extends Layer {
  static readonly def = RELU;
  private x!: F32;

  constructor(args: ReLUArgs = {}) {
    super(RELU, args);
  }

  plan(shape: number[]): LayerPlan {
    return { outputShape: [...shape], weights: [] };
  }

  private get cap(): number {
    return this.maxValue ?? Infinity;
  }

  forward(ctx: StepContext, x: F32): F32 {
    const y = ctx.scratch(x.length);
    ctx.k.relu(x.length, x, y, this.cap, this.negativeSlope, this.threshold);
    this.x = x;
    return y;
  }

  backward(ctx: StepContext, dy: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    if (!needsInputGrad) return null;
    ctx.k.reluBackward(dy.length, this.x, dy, dy, this.cap, this.negativeSlope, this.threshold);
    return dy;
  }
}
