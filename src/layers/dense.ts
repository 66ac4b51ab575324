import type { F32 } from '../memory/heap.js';
import { elementwise, unaryOf } from './activations.js';
import { Layer, type LayerPlan, type Param, type StepContext } from './layer.js';
import { defineLayer, kernelBiasOptions, option, type ArgsOf, type ConfigOf } from './options.js';
import { lastAxisRows } from './shape.js';
import type { Constraint } from './constraints.js';
import type { Regularizer } from './regularizers.js';

const DENSE = defineLayer({
  className: 'Dense',
  factory: 'dense',
  options: {
    units: option.integer(1),
    ...kernelBiasOptions(),
  },
  // Keras 3: LoRA adapters and quantized kernels, which bnwasm does not have
  fileKeys: { loraRank: null, loraAlpha: null, quantizationConfig: null },
});

export type DenseArgs = ArgsOf<typeof DENSE.options>;
export interface Dense extends ConfigOf<typeof DENSE.options> {}

/** y = act(x·kernel + bias) over the last axis. kernel is [inputDim, units] (Keras layout). */
export class Dense extends Layer {
  static readonly def = DENSE;
  private kernel!: Param;
  private bias: Param | null = null;
  // this step's input, output and (for the non-fused activations) pre-activation (scratch), kept for backward
  private x!: F32;
  private y!: F32;
  private z!: F32;

  constructor(args: DenseArgs) {
    super(DENSE, args);
  }

  plan(shape: number[]): LayerPlan {
    const inputDim = shape[shape.length - 1];
    if (shape.length < 1 || !(inputDim >= 1)) {
      throw new Error(`${this.name}: expected inputs with a last dimension >= 1, got shape [${shape.join(', ')}]`);
    }
    return {
      outputShape: [...shape.slice(0, -1), this.units],
      weights: [
        { name: 'kernel', shape: [inputDim, this.units], initializer: this.kernelInitializer, trainable: true },
        ...(this.useBias ? [{ name: 'bias', shape: [this.units], initializer: this.biasInitializer, trainable: true }] : []),
      ],
    };
  }

  protected onBuild(): void {
    this.kernel = this.weight('kernel')!;
    this.bias = this.weight('bias');
  }

  private get inputDim(): number {
    return this.kernel.shape[0];
  }

  /** Rows of the kernel GEMM: the batch times every leading axis. */
  private gemmRows(rows: number): number {
    return lastAxisRows(rows, this.inputShape!);
  }

  endsInSoftmax(): boolean {
    return this.activation === 'softmax';
  }

  forwardLogits(ctx: StepContext, x: F32, rows: number): F32 {
    const m = this.gemmRows(rows);
    this.x = x;
    this.y = ctx.scratch(m * this.units);
    ctx.k.dense(m, this.units, this.inputDim, x, this.kernel.value, this.bias?.value ?? null, this.y,
      elementwise(this.activation));
    return this.y;
  }

  forward(ctx: StepContext, x: F32, rows: number): F32 {
    const y = this.forwardLogits(ctx, x, rows);
    if (this.activation === 'softmax') ctx.k.softmax(this.gemmRows(rows), this.units, y, y);
    const unary = unaryOf(this.activation);
    if (unary) {
      this.z = y;
      this.y = ctx.scratch(y.length);
      ctx.k.unary(y.length, this.z, this.y, unary.alpha, unary.op);
    }
    return this.y;
  }

  backward(ctx: StepContext, dy: F32, rows: number, needsInputGrad: boolean): F32 | null {
    const m = this.gemmRows(rows);
    // through the activation in place: dy is step scratch that nothing reads after this
    const dz = dy, unary = unaryOf(this.activation);
    if (this.activation === 'softmax') ctx.k.softmaxBackward(m, this.units, this.y, dy, dz);
    else if (unary) ctx.k.unaryBackward(m * this.units, this.z, dy, dz, unary.alpha, unary.op);
    else ctx.k.activationBackward(m * this.units, this.y, dy, dz, elementwise(this.activation));
    return this.backwardLogits(ctx, dz, rows, needsInputGrad);
  }

  backwardLogits(ctx: StepContext, dz: F32, rows: number, needsInputGrad: boolean): F32 | null {
    const m = this.gemmRows(rows), k = ctx.k;
    if (this.trainable) {
      k.gemm(this.inputDim, this.units, m, this.x, dz, this.kernel.grad!, 'tn', false); // dW = xᵀ·dz
      if (this.bias) k.sumRows(m, this.units, dz, this.bias.grad!, false); // db = Σ dz
    }
    if (!needsInputGrad) return null;
    const dx = ctx.scratch(m * this.inputDim);
    k.gemm(m, this.inputDim, this.units, dz, this.kernel.value, dx, 'nt', false); // dx = dz·Wᵀ
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
