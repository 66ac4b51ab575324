import type { F32 } from '../memory/heap.js';
import { elementwise } from './activations.js';
import { Layer, type LayerPlan, type StepContext } from './layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf } from './options.js';

const ACTIVATION = defineLayer({
  className: 'Activation',
  factory: 'activation',
  options: { activation: option.requiredActivation() },
});

export type ActivationArgs = ArgsOf<typeof ACTIVATION.options>;
export interface Activation extends ConfigOf<typeof ACTIVATION.options> {}

/** An activation on its own (softmax over the last axis). */
export class Activation extends Layer {
  static readonly def = ACTIVATION;
  private y!: F32;
  private lastDim = 1;

  constructor(args: ActivationArgs) {
    super(ACTIVATION, args);
  }

  plan(shape: number[]): LayerPlan {
    return { outputShape: [...shape], weights: [] };
  }

  protected onBuild(shape: number[]): void {
    this.lastDim = shape[shape.length - 1] ?? 1;
  }

  endsInSoftmax(): boolean {
    return this.activation === 'softmax';
  }

  forwardLogits(_ctx: StepContext, x: F32): F32 {
    this.y = x;
    return x;
  }

  forward(ctx: StepContext, x: F32): F32 {
    const y = ctx.scratch(x.length);
    if (this.activation === 'softmax') ctx.k.softmax(x.length / this.lastDim, this.lastDim, x, y);
    else ctx.k.activation(x.length, x, y, elementwise(this.activation));
    this.y = y;
    return y;
  }

  backward(ctx: StepContext, dy: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    if (!needsInputGrad) return null;
    if (this.activation === 'softmax') ctx.k.softmaxBackward(dy.length / this.lastDim, this.lastDim, this.y, dy, dy);
    else ctx.k.activationBackward(dy.length, this.y, dy, dy, elementwise(this.activation));
    return dy;
  }

  backwardLogits(_ctx: StepContext, dlogits: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    return needsInputGrad ? dlogits : null;
  }
}
