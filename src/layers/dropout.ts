import { heap } from '../backend/runtime.js';
import type { F32 } from '../memory/heap.js';
import { rng } from '../util/rng.js';
import { Layer, type LayerPlan, type StepContext } from './layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf } from './options.js';

const DROPOUT = defineLayer({
  className: 'Dropout',
  factory: 'dropout',
  options: { rate: option.number((r) => r >= 0 && r < 1, 'a number in [0, 1)') },
  fixed: { noiseShape: null, seed: null },
  // a seed only picks another random stream (any loads); a noise shape that shares the mask does not
  fileKeys: { noiseShape: null },
});

export type DropoutArgs = ArgsOf<typeof DROPOUT.options>;
export interface Dropout extends ConfigOf<typeof DROPOUT.options> {}

/** Training: zero each value with probability `rate`, scale the rest by 1/(1 − rate). Inference: identity. */
export class Dropout extends Layer {
  static readonly def = DROPOUT;
  private mask: F32 | null = null;

  constructor(args: DropoutArgs) {
    super(DROPOUT, args);
  }

  plan(shape: number[]): LayerPlan {
    return { outputShape: [...shape], weights: [] };
  }

  forward(ctx: StepContext, x: F32): F32 {
    this.mask = null;
    if (!ctx.training || this.rate === 0) return x;
    // the mask is drawn in JS (the seeded generator is the library's single source of randomness)
    const mask = ctx.scratch(x.length), y = ctx.scratch(x.length);
    const m = heap().f32(mask), keep = 1 / (1 - this.rate);
    for (let i = 0; i < m.length; i++) m[i] = rng.next() >= this.rate ? keep : 0;
    ctx.k.multiply(x.length, x, mask, y);
    this.mask = mask;
    return y;
  }

  backward(ctx: StepContext, dy: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    if (!needsInputGrad) return null;
    if (this.mask) ctx.k.multiply(dy.length, dy, this.mask, dy);
    return dy;
  }
}
