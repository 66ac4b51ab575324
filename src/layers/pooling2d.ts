import { window2d, type Window2D } from '../backend/window2d.js';
import type { F32 } from '../memory/heap.js';
import { Layer, type LayerPlan, type StepContext } from './layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf, type LayerDef } from './options.js';
import { sizeOfShape } from './shape.js';
import { checkImageShape, windowOption } from './window-args.js';

const poolOptions = () => ({
  poolSize: windowOption.pair([2, 2]),
  strides: windowOption.strides(),
  padding: windowOption.padding(),
  dataFormat: windowOption.dataFormat(),
});
type PoolOptions = ReturnType<typeof poolOptions>;

const MAX_POOLING_2D = defineLayer({ className: 'MaxPooling2D', factory: 'maxPooling2d', options: poolOptions(), fileKeys: {} });
const AVERAGE_POOLING_2D = defineLayer({
  className: 'AveragePooling2D', factory: 'averagePooling2d', options: poolOptions(), fileKeys: {},
});
const GLOBAL_AVERAGE_POOLING_2D = defineLayer({
  className: 'GlobalAveragePooling2D',
  factory: 'globalAveragePooling2d',
  // keepdims: Keras's option (TF.js has none and ignores the key when it reads a file)
  options: { dataFormat: windowOption.dataFormat(), keepdims: option.boolean(false) },
  fileKeys: {},
});

export type Pooling2DArgs = ArgsOf<PoolOptions>;
interface Pooling2D extends ConfigOf<PoolOptions> {}

/**
 * Max or average over windows of NHWC images, per channel (TF.js's poolSize 2, strides = poolSize,
 * 'valid'). Windows leave padded positions out: the maximum is over the image, the average divides by the
 * positions inside it. Max: ties go to the first maximum in window order, which also takes the gradient.
 * Porting note: a NaN in a max window gives NaN (TF.js's CPU kernel skips it), and the average's gradient
 * under 'same' padding divides by the same count as the forward pass (Keras; TF.js's CPU gradient divides
 * by the full window size).
 */
abstract class Pooling2D extends Layer {
  protected g!: Window2D;
  protected x!: F32;

  constructor(def: LayerDef<PoolOptions>, args: Pooling2DArgs | undefined) {
    super(def, args);
  }

  /** The strides in use: the pool size unless given (TF.js). */
  get poolStrides(): [number, number] {
    return this.strides ?? this.poolSize;
  }

  plan(shape: number[]): LayerPlan {
    const [h, w, c] = checkImageShape(shape, this.name);
    const g = window2d(1, shape, this.poolSize, this.poolStrides, this.padding);
    if (g.outH < 1 || g.outW < 1) {
      throw new Error(`${this.name}: a ${this.poolSize.join('×')} pool with 'valid' padding does not fit inputs of ${h}×${w}`);
    }
    return { outputShape: [g.outH, g.outW, c], weights: [] };
  }

  forward(ctx: StepContext, x: F32, rows: number): F32 {
    this.g = window2d(rows, this.inputShape!, this.poolSize, this.poolStrides, this.padding);
    this.x = x;
    const y = ctx.scratch(rows * this.g.outH * this.g.outW * this.g.channels);
    this.pool(ctx, y);
    return y;
  }

  backward(ctx: StepContext, dy: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    if (!needsInputGrad) return null;
    const g = this.g, dx = ctx.scratch(g.batch * g.inH * g.inW * g.channels);
    this.poolBackward(ctx, dy, dx);
    return dx;
  }

  protected abstract pool(ctx: StepContext, y: F32): void;
  protected abstract poolBackward(ctx: StepContext, dy: F32, dx: F32): void;

  /** TF.js writes the strides in use, never null. */
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), strides: [...this.poolStrides] };
  }
}

export interface MaxPooling2D extends ConfigOf<PoolOptions> {}
export class MaxPooling2D extends Pooling2D {
  static readonly def = MAX_POOLING_2D;
  constructor(args?: Pooling2DArgs) { super(MAX_POOLING_2D, args); }
  protected pool(ctx: StepContext, y: F32): void { ctx.k.maxPool(this.g, this.x, y); }
  protected poolBackward(ctx: StepContext, dy: F32, dx: F32): void { ctx.k.maxPoolBackward(this.g, this.x, dy, dx); }
}

export interface AveragePooling2D extends ConfigOf<PoolOptions> {}
export class AveragePooling2D extends Pooling2D {
  static readonly def = AVERAGE_POOLING_2D;
  constructor(args?: Pooling2DArgs) { super(AVERAGE_POOLING_2D, args); }
  protected pool(ctx: StepContext, y: F32): void { ctx.k.avgPool(this.g, this.x, y); }
  protected poolBackward(ctx: StepContext, dy: F32, dx: F32): void { ctx.k.avgPoolBackward(this.g, dy, dx); }
}

export type GlobalAveragePooling2DArgs = ArgsOf<typeof GLOBAL_AVERAGE_POOLING_2D.options>;
export interface GlobalAveragePooling2D extends ConfigOf<typeof GLOBAL_AVERAGE_POOLING_2D.options> {}

/**
 * The mean of each channel over height and width: [h, w, c] → [c], or [1, 1, c] with keepdims (the same
 * values; the average-pooling kernel, one window).
 */
export class GlobalAveragePooling2D extends Layer {
  static readonly def = GLOBAL_AVERAGE_POOLING_2D;
  private g!: Window2D;

  constructor(args?: GlobalAveragePooling2DArgs) {
    super(GLOBAL_AVERAGE_POOLING_2D, args);
  }

  plan(shape: number[]): LayerPlan {
    const c = checkImageShape(shape, this.name)[2];
    return { outputShape: this.keepdims ? [1, 1, c] : [c], weights: [] };
  }

  forward(ctx: StepContext, x: F32, rows: number): F32 {
    const [h, w, c] = this.inputShape!;
    this.g = window2d(rows, this.inputShape!, [h, w], [1, 1], 'valid');
    const y = ctx.scratch(rows * c);
    ctx.k.avgPool(this.g, x, y);
    return y;
  }

  backward(ctx: StepContext, dy: F32, rows: number, needsInputGrad: boolean): F32 | null {
    if (!needsInputGrad) return null;
    const dx = ctx.scratch(rows * sizeOfShape(this.inputShape!));
    ctx.k.avgPoolBackward(this.g, dy, dx);
    return dx;
  }
}
