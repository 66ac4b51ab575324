import type { F32 } from '../memory/heap.js';
import { Layer, type LayerPlan, type StepContext } from './layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf } from './options.js';
import { lastAxisRows } from './shape.js';

const SOFTMAX = defineLayer({
  className: 'Softmax',
  factory: 'softmax',
  options: { axis: option.axis(-1) },
  fileKeys: {},
});

export type SoftmaxArgs = ArgsOf<typeof SOFTMAX.options>;
export interface Softmax extends ConfigOf<typeof SOFTMAX.options> {}

/**
 * Softmax over the last axis, as tf.layers.softmax (axis counts the batch axis as 0, as Keras). Another axis
 * is refused when the layer is built. As the last layer under a cross-entropy loss it trains on the fused
 * softmax + cross-entropy kernel, like a softmax Activation.
 */
export class Softmax extends Layer {
  static readonly def = SOFTMAX;
  private y!: F32;

  constructor(args: SoftmaxArgs = {}) {
    super(SOFTMAX, args);
  }

  plan(shape: number[]): LayerPlan {
    if (this.axis !== -1 && this.axis !== shape.length) {
      throw new Error(`softmax: axis: bnwasm runs softmax over the last axis only (-1 or ${shape.length} for inputs of shape [${
        shape.join(', ')}]), got ${this.axis}`);
    }
    return { outputShape: [...shape], weights: [] };
  }

  endsInSoftmax(): boolean {
    return true;
  }

  forwardLogits(_ctx: StepContext, x: F32): F32 {
    this.y = x;
    return x;
  }

  /** Rows of the last axis's length. */
  private rowsAndCols(rows: number): [number, number] {
    const shape = this.inputShape!;
    return [lastAxisRows(rows, shape), shape[shape.length - 1]];
  }

  forward(ctx: StepContext, x: F32, rows: number): F32 {
    const y = ctx.scratch(x.length);
    ctx.k.softmax(...this.rowsAndCols(rows), x, y);
    this.y = y;
    return y;
  }

  backward(ctx: StepContext, dy: F32, rows: number, needsInputGrad: boolean): F32 | null {
    if (!needsInputGrad) return null;
    ctx.k.softmaxBackward(...this.rowsAndCols(rows), this.y, dy, dy);
    return dy;
  }

  backwardLogits(_ctx: StepContext, dlogits: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    return needsInputGrad ? dlogits : null;
  }
}
