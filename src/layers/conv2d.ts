import { conv2d, conv2dBackwardFilter, conv2dBackwardInput } from '../backend/conv2d.js';
import type { Act, F32 } from '../backend/kernels.js';
import { window2d, type Padding, type Window2D } from '../backend/window2d.js';
import { boolean, integer, knownKeys } from '../util/validate.js';
import { checkActivation, elementwise, type Activation } from './activations.js';
import { checkInputShape } from './dense.js';
import { checkInitializer, initializerConfig, type Initializer } from './initializers.js';
import { Layer, type Param, type StepContext } from './layer.js';
import { channelsLast, checkImageShape, pair, padding } from './window-args.js';

export interface Conv2DArgs {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  dataFormat?: 'channelsLast';
  activation?: Activation;
  useBias?: boolean;
  kernelInitializer?: Initializer;
  biasInitializer?: Initializer;
  inputShape?: number[];
  name?: string;
  trainable?: boolean;
}

const KEYS = ['filters', 'kernelSize', 'strides', 'padding', 'dataFormat', 'activation', 'useBias', 'kernelInitializer',
  'biasInitializer', 'inputShape', 'name', 'trainable'];

/**
 * 2-D convolution over NHWC images: y = act(conv(x, kernel) + bias), kernel [kernelH, kernelW, inChannels,
 * filters] (TF.js's layout and weight order). 'same' padding splits as TF does (the smaller half before).
 * Runs as im2col + the packed GEMM with the bias and activation fused into its epilogue, or as a direct
 * convolution for inputs of 1–2 channels (backend/conv2d.ts).
 */
export class Conv2D extends Layer {
  readonly className = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  private kernel!: Param;
  private bias: Param | null = null;
  // this step, for backward: the geometry, the input, its im2col (null after the direct kernel), the output
  private g!: Window2D;
  private x!: F32;
  private col: F32 | null = null;
  private y!: F32;

  constructor(args: Conv2DArgs) {
    knownKeys(args, 'conv2d', KEYS);
    if (args === undefined) throw new Error('conv2d: expected an options object with filters and kernelSize, got undefined');
    const filters = integer(args.filters, 'conv2d: filters', 1);
    const inputShape = checkInputShape(args.inputShape, 'conv2d');
    super(args.name, args.trainable === undefined ? undefined : boolean(args.trainable, 'conv2d: trainable'), inputShape, 'Conv2D');
    this.filters = filters;
    this.kernelSize = pair(args.kernelSize, 'conv2d: kernelSize');
    this.strides = pair(args.strides ?? 1, 'conv2d: strides');
    this.padding = padding(args.padding, 'conv2d: padding');
    channelsLast(args.dataFormat, 'conv2d: dataFormat');
    this.activation = checkActivation(args.activation ?? 'linear', 'conv2d: activation');
    this.useBias = args.useBias === undefined ? true : boolean(args.useBias, 'conv2d: useBias');
    this.kernelInitializer = checkInitializer(args.kernelInitializer ?? 'glorotUniform', 'conv2d: kernelInitializer');
    this.biasInitializer = checkInitializer(args.biasInitializer ?? 'zeros', 'conv2d: biasInitializer');
  }

  protected setup(shape: number[]): number[] {
    const [h, w, c] = checkImageShape(shape, this.name);
    const g = this.geometry(1, shape);
    if (g.outH < 1 || g.outW < 1) {
      throw new Error(`${this.name}: a ${this.kernelSize.join('×')} kernel with 'valid' padding does not fit inputs of ${h}×${w}`);
    }
    this.kernel = this.addParam('kernel', [...this.kernelSize, c, this.filters], this.kernelInitializer, true);
    if (this.useBias) this.bias = this.addParam('bias', [this.filters], this.biasInitializer, true);
    return [g.outH, g.outW, this.filters];
  }

  /** Where the kernel lands for `rows` images of `shape` (the built input shape by default). */
  geometry(rows: number, shape = this.inputShape!): Window2D {
    return window2d(rows, shape, this.kernelSize, this.strides, this.padding);
  }

  /** The forward pass with given (possibly BN-folded) weights and epilogue; keeps what backward needs. */
  run(ctx: StepContext, x: F32, rows: number, w: F32, b: F32 | null, act: Act): F32 {
    const g = this.geometry(rows);
    const y = ctx.scratch(g.batch * g.outH * g.outW * this.filters);
    this.g = g;
    this.x = x;
    this.col = conv2d(ctx.k, g, this.filters, x, w, b, y, act, ctx.scratch);
    return y;
  }

  forward(ctx: StepContext, x: F32, rows: number): F32 {
    this.y = this.run(ctx, x, rows, this.kernel.value, this.bias?.value ?? null, elementwise(this.activation));
    if (this.activation === 'softmax') ctx.k.softmax(this.y.length / this.filters, this.filters, this.y, this.y);
    return this.y;
  }

  backward(ctx: StepContext, dy: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    const k = ctx.k, g = this.g, f = this.filters;
    // through the activation in place: dy is step scratch that nothing reads after this
    if (this.activation === 'softmax') k.softmaxBackward(dy.length / f, f, this.y, dy, dy);
    else k.activationBackward(elementwise(this.activation), dy.length, this.y, dy, dy);
    if (this.trainable) {
      conv2dBackwardFilter(k, g, f, this.x, this.col, dy, this.kernel.grad!, ctx.scratch);
      if (this.bias) k.sumRows(dy.length / f, f, dy, this.bias.grad!, false);
    }
    if (!needsInputGrad) return null;
    const dx = ctx.scratch(g.batch * g.inH * g.inW * g.channels);
    conv2dBackwardInput(k, g, f, dy, this.kernel.value, dx, ctx.scratch);
    return dx;
  }

  /** The kernel and bias handles (for folding a following BatchNormalization into them). */
  get kernelParam(): Param { return this.kernel; }
  get biasParam(): Param | null { return this.bias; }

  getConfig(): Record<string, unknown> {
    return {
      filters: this.filters,
      kernelSize: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
      dilationRate: [1, 1],
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: initializerConfig(this.kernelInitializer),
      biasInitializer: initializerConfig(this.biasInitializer),
      kernelRegularizer: null,
      biasRegularizer: null,
      activityRegularizer: null,
      kernelConstraint: null,
      biasConstraint: null,
    };
  }
}
