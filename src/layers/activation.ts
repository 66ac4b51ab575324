import type { F32 } from '../backend/kernels.js';
import { boolean, knownKeys } from '../util/validate.js';
import { checkActivation, elementwise, type Activation as ActivationName } from './activations.js';
import { checkInputShape } from './dense.js';
import { Layer, type StepContext } from './layer.js';

export interface ActivationArgs { activation: ActivationName; inputShape?: number[]; name?: string; trainable?: boolean }

/** An activation on its own (softmax over the last axis). */
export class Activation extends Layer {
  readonly className = 'Activation';
  readonly activation: ActivationName;
  private y!: F32;
  private lastDim = 1;

  constructor(args: ActivationArgs) {
    knownKeys(args, 'activation', ['activation', 'inputShape', 'name', 'trainable']);
    if (args === undefined) throw new Error(`activation: expected an options object with activation, got undefined`);
    const inputShape = checkInputShape(args.inputShape, 'activation');
    super(args.name, args.trainable === undefined ? undefined : boolean(args.trainable, 'activation: trainable'), inputShape, 'Activation');
    this.activation = checkActivation(args.activation, 'activation: activation');
  }

  protected setup(shape: number[]): number[] {
    this.lastDim = shape[shape.length - 1] ?? 1;
    return [...shape];
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

  getConfig(): Record<string, unknown> {
    return { activation: this.activation };
  }
}
