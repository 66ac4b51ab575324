import type { F32 } from '../backend/kernels.js';
import { window2d, type Padding, type Window2D } from '../backend/window2d.js';
import { boolean, knownKeys } from '../util/validate.js';
import { checkInputShape } from './dense.js';
import { Layer, type StepContext } from './layer.js';
import { channelsLast, checkImageShape, pair, padding } from './window-args.js';

export interface Pooling2DArgs {
  poolSize?: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  dataFormat?: 'channelsLast';
  inputShape?: number[];
  name?: string;
  trainable?: boolean;
}

const KEYS = ['poolSize', 'strides', 'padding', 'dataFormat', 'inputShape', 'name', 'trainable'];

/**
 * Max or average over windows of NHWC images, per channel (TF.js's poolSize 2, strides = poolSize,
 * 'valid'). Windows leave padded positions out: the maximum is over the image, the average divides by the
 * positions inside it. Max: ties go to the first maximum in window order, which also takes the gradient.
 * Porting note: a NaN in a max window gives NaN (TF.js's CPU kernel skips it), and the average's gradient
 * under 'same' padding divides by the same count as the forward pass (Keras; TF.js's CPU gradient divides
 * by the full window size).
 */
abstract class Pooling2D extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  protected g!: Window2D;
  protected x!: F32;

  constructor(args: Pooling2DArgs, className: string, what: string) {
    knownKeys(args, what, KEYS);
    const inputShape = checkInputShape(args.inputShape, what);
    super(args.name, args.trainable === undefined ? undefined : boolean(args.trainable, `${what}: trainable`), inputShape, className);
    this.poolSize = pair(args.poolSize ?? 2, `${what}: poolSize`);
    this.strides = args.strides === undefined || args.strides === null ? this.poolSize : pair(args.strides, `${what}: strides`);
    this.padding = padding(args.padding, `${what}: padding`);
    channelsLast(args.dataFormat, `${what}: dataFormat`);
  }

  protected setup(shape: number[]): number[] {
    const [h, w, c] = checkImageShape(shape, this.name);
    const g = window2d(1, shape, this.poolSize, this.strides, this.padding);
    if (g.outH < 1 || g.outW < 1) {
      throw new Error(`${this.name}: a ${this.poolSize.join('×')} pool with 'valid' padding does not fit inputs of ${h}×${w}`);
    }
    return [g.outH, g.outW, c];
  }

  forward(ctx: StepContext, x: F32, rows: number): F32 {
    this.g = window2d(rows, this.inputShape!, this.poolSize, this.strides, this.padding);
    this.x = x;
    const y = ctx.scratch(rows * this.g.outH * this.g.outW * this.g.channels);
    this.pool(ctx, y);
    return y;
  }

  backward(ctx: StepContext, dy: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    if (!needsInputGrad) return null;
    const dx = ctx.scratch(this.x.length);
    this.poolBackward(ctx, dy, dx);
    return dx;
  }

  protected abstract pool(ctx: StepContext, y: F32): void;
  protected abstract poolBackward(ctx: StepContext, dy: F32, dx: F32): void;

  getConfig(): Record<string, unknown> {
    return { poolSize: [...this.poolSize], padding: this.padding, strides: [...this.strides], dataFormat: 'channelsLast' };
  }
}

export class MaxPooling2D extends Pooling2D {
  readonly className = 'MaxPooling2D';
  constructor(args: Pooling2DArgs = {}) { super(args, 'MaxPooling2D', 'maxPooling2d'); }
  protected pool(ctx: StepContext, y: F32): void { ctx.k.maxPool(this.g, this.x, y); }
  protected poolBackward(ctx: StepContext, dy: F32, dx: F32): void { ctx.k.maxPoolBackward(this.g, this.x, dy, dx); }
}

export class AveragePooling2D extends Pooling2D {
  readonly className = 'AveragePooling2D';
  constructor(args: Pooling2DArgs = {}) { super(args, 'AveragePooling2D', 'averagePooling2d'); }
  protected pool(ctx: StepContext, y: F32): void { ctx.k.avgPool(this.g, this.x, y); }
  protected poolBackward(ctx: StepContext, dy: F32, dx: F32): void { ctx.k.avgPoolBackward(this.g, dy, dx); }
}

/** The mean of each channel over height and width: [h, w, c] → [c] (the average-pooling kernel, one window). */
export class GlobalAveragePooling2D extends Layer {
  readonly className = 'GlobalAveragePooling2D';
  private g!: Window2D;

  constructor(args: { dataFormat?: 'channelsLast'; inputShape?: number[]; name?: string; trainable?: boolean } = {}) {
    knownKeys(args, 'globalAveragePooling2d', ['dataFormat', 'inputShape', 'name', 'trainable']);
    const inputShape = checkInputShape(args.inputShape, 'globalAveragePooling2d');
    super(args.name, args.trainable === undefined ? undefined : boolean(args.trainable, 'globalAveragePooling2d: trainable'), inputShape, 'GlobalAveragePooling2D');
    channelsLast(args.dataFormat, 'globalAveragePooling2d: dataFormat');
  }

  protected setup(shape: number[]): number[] {
    return [checkImageShape(shape, this.name)[2]];
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
    const dx = ctx.scratch(rows * this.inputShape!.reduce((a, b) => a * b, 1));
    ctx.k.avgPoolBackward(this.g, dy, dx);
    return dx;
  }

  getConfig(): Record<string, unknown> {
    return { dataFormat: 'channelsLast' };
  }
}
