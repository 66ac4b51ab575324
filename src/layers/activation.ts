import type { F32 } from '../memory/heap.js';
import { elementwise, unaryOf } from './activations.js';
import { Layer, type LayerPlan, type StepContext } from './layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf } from './options.js';
import { lastAxisRows } from './shape.js';

const ACTIVATION = defineLayer({
  className: 'Activation',
  factory: 'activation',
  options: { activation: option.requiredActivation() },
  fileKeys: {},
});

export type ActivationArgs = ArgsOf<typeof ACTIVATION.options>;
export interface Activation extends ConfigOf<typeof ACTIVATION.options> {}

/** An activation on its own (softmax over the last axis). */
export class Activation extends Layer {
  static readonly def = ACTIVATION;
  private x!: F32;
  private y!: F32;

  constructor(args: ActivationArgs) {
    super(ACTIVATION, args);
  }

  plan(shape: number[]): LayerPlan {
    return { outputShape: [...shape], weights: [] };
  }

  endsInSoftmax(): boolean {
    return this.activation === 'softmax';
  }

  forwardLogits(_ctx: StepContext, x: F32): F32 {
    this.y = x;
    return x;
  }

  /** Softmax runs over the last axis: rows of that many features. */
  private softmaxShape(rows: number): [number, number] {
    const shape = this.inputShape!;
    return [lastAxisRows(rows, shape), shape[shape.length - 1]];
  }

  forward(ctx: StepContext, x: F32, rows: number): F32 {
    const y = ctx.scratch(x.length), unary = unaryOf(this.activation);
    if (this.activation === 'softmax') ctx.k.softmax(...this.softmaxShape(rows), x, y);
    else if (unary) ctx.k.unary(x.length, x, y, unary.alpha, unary.op);
    else ctx.k.activation(x.length, x, y, elementwise(this.activation));
    this.x = x;
    this.y = y;
    return y;
  }

  backward(ctx: StepContext, dy: F32, rows: number, needsInputGrad: boolean): F32 | null {
    if (!needsInputGrad) return null;
    const unary = unaryOf(this.activation);
    if (this.activation === 'softmax') ctx.k.softmaxBackward(...this.softmaxShape(rows), this.y, dy, dy);
    else if (unary) ctx.k.unaryBackward(dy.length, this.x, dy, dy, unary.alpha, unary.op);
    else ctx.k.activationBackward(dy.length, this.y, dy, dy, elementwise(this.activation));
    return dy;
  }

  backwardLogits(_ctx: StepContext, dlogits: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    return needsInputGrad ? dlogits : null;
  }
}
