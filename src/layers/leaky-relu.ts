import type { F32 } from '../memory/heap.js';
import { Layer, type LayerPlan, type StepContext } from './layer.js';
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
export class LeakyReLU extends Layer {
  static readonly def = LEAKY_RELU;
  private x!: F32;

  constructor(args: LeakyReLUArgs = {}) {
    super(LEAKY_RELU, args);
  }

  plan(shape: number[]): LayerPlan {
    return { outputShape: [...shape], weights: [] };
  }

  forward(ctx: StepContext, x: F32): F32 {
    const y = ctx.scratch(x.length);
    ctx.k.unary(x.length, x, y, this.alpha, 'leakyRelu');
    this.x = x;
    return y;
  }

  backward(ctx: StepContext, dy: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    if (!needsInputGrad) return null;
    ctx.k.unaryBackward(dy.length, this.x, dy, dy, this.alpha, 'leakyRelu');
    return dy;
  }
}
