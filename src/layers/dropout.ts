import type { F32 } from '../backend/kernels.js';
import { heap } from '../backend/runtime.js';
import { rng } from '../util/rng.js';
import { boolean, knownKeys, number } from '../util/validate.js';
import { checkInputShape } from './dense.js';
import { Layer, type StepContext } from './layer.js';

export interface DropoutArgs { rate: number; inputShape?: number[]; name?: string; trainable?: boolean }

/** Training: zero each value with probability `rate`, scale the rest by 1/(1 − rate). Inference: identity. */
export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  private mask: F32 | null = null;

  constructor(args: DropoutArgs) {
    knownKeys(args, 'dropout', ['rate', 'inputShape', 'name', 'trainable']);
    if (args === undefined) throw new Error('dropout: expected an options object with rate, got undefined');
    const inputShape = checkInputShape(args.inputShape, 'dropout');
    super(args.name, args.trainable === undefined ? undefined : boolean(args.trainable, 'dropout: trainable'), inputShape, 'Dropout');
    this.rate = number(args.rate, 'dropout: rate', (r) => r >= 0 && r < 1, 'a number in [0, 1)');
  }

  protected setup(shape: number[]): number[] {
    return [...shape];
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

  getConfig(): Record<string, unknown> {
    return { rate: this.rate, noiseShape: null, seed: null };
  }
}
