import type { F32 } from '../backend/kernels.js';
import { boolean, integer, knownKeys } from '../util/validate.js';
import { checkActivation, elementwise, type Activation } from './activations.js';
import { checkInitializer, initializerConfig, type Initializer } from './initializers.js';
import { Layer, type Param, type StepContext } from './layer.js';

export interface DenseArgs {
  units: number;
  activation?: Activation;
  useBias?: boolean;
  inputShape?: number[];
  kernelInitializer?: Initializer;
  biasInitializer?: Initializer;
  name?: string;
  trainable?: boolean;
}

const KEYS = ['units', 'activation', 'useBias', 'inputShape', 'kernelInitializer', 'biasInitializer', 'name', 'trainable'];

/** y = act(x·kernel + bias) over the last axis. kernel is [inputDim, units] (Keras layout). */
export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  private kernel!: Param;
  private bias: Param | null = null;
  // this step's input and output (scratch), kept for backward
  private x!: F32;
  private y!: F32;

  constructor(args: DenseArgs) {
    knownKeys(args, 'dense', KEYS);
    if (args === undefined) throw new Error('dense: expected an options object with units, got undefined');
    const units = integer(args.units, 'dense: units', 1);
    const inputShape = checkInputShape(args.inputShape, 'dense');
    super(args.name, args.trainable === undefined ? undefined : boolean(args.trainable, 'dense: trainable'), inputShape, 'Dense');
    this.units = units;
    this.activation = checkActivation(args.activation ?? 'linear', 'dense: activation');
    this.useBias = args.useBias === undefined ? true : boolean(args.useBias, 'dense: useBias');
    this.kernelInitializer = checkInitializer(args.kernelInitializer ?? 'glorotUniform', 'dense: kernelInitializer');
    this.biasInitializer = checkInitializer(args.biasInitializer ?? 'zeros', 'dense: biasInitializer');
  }

  protected setup(shape: number[]): number[] {
    const inputDim = shape[shape.length - 1];
    if (shape.length < 1 || !(inputDim >= 1)) {
      throw new Error(`${this.name}: expected inputs with a last dimension >= 1, got shape [${shape.join(', ')}]`);
    }
    this.kernel = this.addParam('kernel', [inputDim, this.units], this.kernelInitializer, true);
    if (this.useBias) this.bias = this.addParam('bias', [this.units], this.biasInitializer, true);
    return [...shape.slice(0, -1), this.units];
  }

  private get inputDim(): number {
    return this.kernel.shape[0];
  }

  /** Rows of the kernel GEMM: the batch times every leading axis. */
  private gemmRows(rows: number): number {
    return (rows * this.inputShape!.reduce((a, b) => a * b, 1)) / this.inputDim;
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
    return y;
  }

  backward(ctx: StepContext, dy: F32, rows: number, needsInputGrad: boolean): F32 | null {
    const m = this.gemmRows(rows);
    // through the activation in place: dy is step scratch that nothing reads after this
    const dz = dy;
    if (this.activation === 'softmax') ctx.k.softmaxBackward(m, this.units, this.y, dy, dz);
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

  /** The kernel and bias handles (for folding a following BatchNormalization into them). */
  get kernelParam(): Param { return this.kernel; }
  get biasParam(): Param | null { return this.bias; }

  getConfig(): Record<string, unknown> {
    return {
      units: this.units,
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

export function checkInputShape(shape: unknown, layer: string): number[] | undefined {
  if (shape === undefined || shape === null) return undefined;
  if (!Array.isArray(shape) || shape.length < 1 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${layer}: inputShape must be an array of positive integers (without the batch dimension), got ${JSON.stringify(shape)}`);
  }
  return shape;
}
