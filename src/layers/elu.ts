import type { F32 } from '../memory/heap.js';
import { Layer, type LayerPlan, type StepContext } from './layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf } from './options.js';

const ELU_LAYER = defineLayer({
  className: 'ELU',
  factory: 'elu',
  options: { alpha: option.number((a) => a >= 0, 'a number >= 0', 1) },
  fileKeys: {},
});

export type ELUArgs = ArgsOf<typeof ELU_LAYER.options>;
export interface ELU extends ConfigOf<typeof ELU_LAYER.options> {}

/**
 * x > 0 ? x : alpha·(eˣ − 1), as Keras's ELU layer (tf.layers.elu, which accepts only alpha 1). The 'elu'
 * activation kernel already takes alpha, so any alpha runs on the same loop.
 */
export class ELU extends Layer {
  static readonly def = ELU_LAYER;
  private x!: F32;

  constructor(args: ELUArgs = {}) {
    super(ELU_LAYER, args);
  }

  plan(shape: number[]): LayerPlan {
    return { outputShape: [...shape], weights: [] };
  }

  forward(ctx: StepContext, x: F32): F32 {
    const y = ctx.scratch(x.length);
    ctx.k.unary(x.length, x, y, this.alpha, 'elu');
    this.x = x;
    return y;
  }

  backward(ctx: StepContext, dy: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    if (!needsInputGrad) return null;
    ctx.k.unaryBackward(dy.length, this.x, dy, dy, this.alpha, 'elu');
    return dy;
  }
}
