import { conv2d, conv2dBackwardFilter, conv2dBackwardInput } from '../backend/conv2d.js';
import type { Act } from '../backend/kernels.js';
import { window2d, type Window2D } from '../backend/window2d.js';
import type { F32 } from '../memory/heap.js';
import { elementwise, unaryOf } from './activations.js';
import { Layer, type LayerPlan, type Param, type StepContext } from './layer.js';
import { defineLayer, kernelBiasOptions, option, type ArgsOf, type ConfigOf } from './options.js';
import type { Constraint } from './constraints.js';
import type { Regularizer } from './regularizers.js';
import { lastAxisRows } from './shape.js';
import { checkImageShape, windowOption } from './window-args.js';

const CONV2D = defineLayer({
  className: 'Conv2D',
  factory: 'conv2d',
  options: {
    filters: option.integer(1),
    kernelSize: windowOption.pair(),
    strides: windowOption.pair([1, 1]),
    padding: windowOption.padding(),
    dataFormat: windowOption.dataFormat(),
    dilationRate: windowOption.dilationRate(),
    groups: windowOption.groups(),
    ...kernelBiasOptions(),
  },
  fileKeys: {},
});

export type Conv2DArgs = ArgsOf<typeof CONV2D.options>;
export interface Conv2D extends ConfigOf<typeof CONV2D.options> {}

/**
 * 2-D convolution over NHWC images: y = act(conv(x, kernel) + bias), kernel [kernelH, kernelW, inChannels,
 * filters] (TF.js's layout and weight order). 'same' padding splits as TF does (the smaller half before).
 * Runs as im2col + the packed GEMM with the bias and activation fused into its epilogue, or as a direct
 * convolution for inputs of 1–2 channels (backend/conv2d.ts).
 */
export class Conv2D extends Layer {
  static readonly def = CONV2D;
  private kernel!: Param;
  private bias: Param | null = null;
  // this step, for backward: the geometry, the input, its im2col (null after the direct kernel), the output
  private g!: Window2D;
  private x!: F32;
  private col: F32 | null = null;
  private y!: F32;
  // the pre-activation, kept for backward when the activation runs after the GEMM epilogue (elu, gelu, …)
  private z!: F32;

  constructor(args: Conv2DArgs) {
    super(CONV2D, args);
  }

  plan(shape: number[]): LayerPlan {
    const [h, w, c] = checkImageShape(shape, this.name);
    const g = this.geometry(1, shape);
    if (g.outH < 1 || g.outW < 1) {
      throw new Error(`${this.name}: a ${this.kernelSize.join('×')} kernel with 'valid' padding does not fit inputs of ${h}×${w}`);
    }
    return {
      outputShape: [g.outH, g.outW, this.filters],
      weights: [
        { name: 'kernel', shape: [...this.kernelSize, c, this.filters], initializer: this.kernelInitializer, trainable: true },
        ...(this.useBias ? [{ name: 'bias', shape: [this.filters], initializer: this.biasInitializer, trainable: true }] : []),
      ],
    };
  }

  protected onBuild(): void {
    this.kernel = this.weight('kernel')!;
    this.bias = this.weight('bias');
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
    if (this.activation === 'softmax') ctx.k.softmax(lastAxisRows(rows, this.outputShape!), this.filters, this.y, this.y);
    const unary = unaryOf(this.activation);
    if (unary) {
      // the activations outside the GEMM epilogue run on their own; backward needs their input
      this.z = this.y;
      this.y = ctx.scratch(this.z.length);
      ctx.k.unary(this.z.length, this.z, this.y, unary.alpha, unary.op);
    }
    return this.y;
  }

  backward(ctx: StepContext, dy: F32, rows: number, needsInputGrad: boolean): F32 | null {
    const k = ctx.k, g = this.g, f = this.filters, pixels = lastAxisRows(rows, this.outputShape!);
    // through the activation in place: dy is step scratch that nothing reads after this
    const unary = unaryOf(this.activation);
    if (this.activation === 'softmax') k.softmaxBackward(pixels, f, this.y, dy, dy);
    else if (unary) k.unaryBackward(pixels * f, this.z, dy, dy, unary.alpha, unary.op);
    else k.activationBackward(pixels * f, this.y, dy, dy, elementwise(this.activation));
    if (this.trainable) {
      conv2dBackwardFilter(k, g, f, this.x, this.col, dy, this.kernel.grad!, ctx.scratch);
      if (this.bias) k.sumRows(pixels, f, dy, this.bias.grad!, false);
    }
    if (!needsInputGrad) return null;
    const dx = ctx.scratch(g.batch * g.inH * g.inW * g.channels);
    conv2dBackwardInput(k, g, f, dy, this.kernel.value, dx, ctx.scratch);
    return dx;
  }

  penalties(): Array<{ param: Param; regularizer: Regularizer }> {
    return Layer.regularized([[this.kernel, this.kernelRegularizer], [this.bias, this.biasRegularizer]]);
  }

  constraints(): Array<{ param: Param; constraint: Constraint }> {
    return Layer.constrained([[this.kernel, this.kernelConstraint], [this.bias, this.biasConstraint]]);
  }

  /** The kernel and bias handles (for folding a following BatchNormalization into them). */
  get kernelParam(): Param { return this.kernel; }
  get biasParam(): Param | null { return this.bias; }
}
