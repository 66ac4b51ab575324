import type { F32 } from '../memory/heap.js';
import { Layer, type LayerPlan, type Param, type StepContext } from './layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf } from './options.js';

const BATCH_NORMALIZATION = defineLayer({
  className: 'BatchNormalization',
  factory: 'batchNormalization',
  options: {
    axis: option.axis(-1),
    momentum: option.number((m) => m >= 0 && m <= 1, 'a number in [0, 1]', 0.99),
    epsilon: option.number((e) => e > 0, 'a number > 0', 1e-3),
    center: option.boolean(true),
    scale: option.boolean(true),
    betaInitializer: option.initializer('zeros'),
    gammaInitializer: option.initializer('ones'),
    movingMeanInitializer: option.initializer('zeros'),
    movingVarianceInitializer: option.initializer('ones'),
  },
  fixed: { betaRegularizer: null, gammaRegularizer: null, betaConstraint: null, gammaConstraint: null },
});

export type BatchNormalizationArgs = ArgsOf<typeof BATCH_NORMALIZATION.options>;
export interface BatchNormalization extends ConfigOf<typeof BATCH_NORMALIZATION.options> {}

/**
 * Keras BatchNormalization over one feature axis of a rank 2–4 input.
 *
 * Training (fit, trainOnBatch, apply with training: true): normalise with the batch mean and biased
 * variance over every other axis, and move the moving statistics by `1 − momentum` towards them.
 * Inference: normalise with the moving statistics. Frozen (`trainable: false`): inference mode even
 * inside fit, nothing changes (Keras 2+; TF.js still uses batch statistics there).
 *
 * A feature axis that is not the last is moved to the end with one transpose in and one out, so the
 * kernels always see rows × features.
 */
export class BatchNormalization extends Layer {
  static readonly def = BATCH_NORMALIZATION;
  private gamma: Param | null = null;
  private beta: Param | null = null;
  private movingMean!: Param;
  private movingVariance!: Param;
  /** [outer, features, inner]: the input viewed around the feature axis (inner = 1 for the last axis). */
  private outer = 1;
  private features = 1;
  private inner = 1;
  // this step, for backward
  private x!: F32; // input in rows × features layout
  private mean!: F32;
  private invStd!: F32;
  private frozenScale: F32 | null = null; // inference-mode scale when the step ran in inference mode

  constructor(args: BatchNormalizationArgs = {}) {
    super(BATCH_NORMALIZATION, args);
  }

  /** [outer, features, inner] of inputs of `shape` (no batch axis) around the feature axis. */
  private geometry(shape: number[]): [number, number, number] {
    const rank = shape.length + 1; // with the batch axis
    if (rank < 2 || rank > 4) {
      throw new Error(`${this.name}: expected inputs of rank 2, 3 or 4 (batch included), got shape [null, ${shape.join(', ')}]`);
    }
    const axis = this.axis < 0 ? rank + this.axis : this.axis;
    if (axis < 1 || axis >= rank) {
      throw new Error(`${this.name}: axis must be in [${1 - rank}, -1] or [1, ${rank - 1}] for inputs of rank ${rank} (the batch axis 0 cannot be normalised over), got ${this.axis}`);
    }
    const dims = [1, ...shape]; // the batch extent multiplies `outer` at run time
    return [dims.slice(1, axis).reduce((a, b) => a * b, 1), dims[axis], dims.slice(axis + 1).reduce((a, b) => a * b, 1)];
  }

  plan(shape: number[]): LayerPlan {
    const c = [this.geometry(shape)[1]];
    return {
      outputShape: [...shape],
      weights: [
        ...(this.scale ? [{ name: 'gamma', shape: c, initializer: this.gammaInitializer, trainable: true }] : []),
        ...(this.center ? [{ name: 'beta', shape: c, initializer: this.betaInitializer, trainable: true }] : []),
        { name: 'moving_mean', shape: c, initializer: this.movingMeanInitializer, trainable: false },
        { name: 'moving_variance', shape: c, initializer: this.movingVarianceInitializer, trainable: false },
      ],
    };
  }

  protected onBuild(shape: number[]): void {
    [this.outer, this.features, this.inner] = this.geometry(shape);
    this.gamma = this.weight('gamma');
    this.beta = this.weight('beta');
    this.movingMean = this.weight('moving_mean')!;
    this.movingVariance = this.weight('moving_variance')!;
  }

  /** Moves the feature axis last (or back) for `rows` samples; a no-op view when it already is. */
  private toRows(ctx: StepContext, x: F32, rows: number): F32 {
    if (this.inner === 1) return x;
    const t = ctx.scratch(x.length);
    ctx.k.transpose(rows * this.outer, this.features, this.inner, x, t);
    return t;
  }

  private fromRows(ctx: StepContext, y: F32, rows: number): F32 {
    if (this.inner === 1) return y;
    const t = ctx.scratch(y.length);
    ctx.k.transpose(rows * this.outer, this.inner, this.features, y, t);
    return t;
  }

  /** Inference-mode normalisation with the moving statistics; remembers the scale for backward. */
  private infer(ctx: StepContext, x: F32, n: number): F32 {
    const c = this.features, k = ctx.k;
    const scale = ctx.scratch(c), y = ctx.scratch(n * c);
    k.bnormScale(c, this.movingVariance.value, this.gamma?.value ?? null, scale, this.epsilon);
    k.scaleShift(n, c, x, this.movingMean.value, scale, this.beta?.value ?? null, y);
    this.frozenScale = scale;
    return y;
  }

  forward(ctx: StepContext, input: F32, rows: number): F32 {
    const x = this.toRows(ctx, input, rows);
    const c = this.features, n = rows * this.outer * this.inner, k = ctx.k;
    if (!ctx.training || !this.trainable) return this.fromRows(ctx, this.infer(ctx, x, n), rows);
    this.frozenScale = null;
    this.x = x;
    this.mean = ctx.scratch(c);
    this.invStd = ctx.scratch(c);
    const variance = ctx.scratch(c), y = ctx.scratch(n * c);
    k.bnormForwardTrain(n, c, x, this.gamma?.value ?? null, this.beta?.value ?? null, y, this.mean, variance, this.invStd, this.epsilon);
    k.movingAverage(c, this.mean, variance, this.movingMean.value, this.movingVariance.value, this.momentum);
    return this.fromRows(ctx, y, rows);
  }

  backward(ctx: StepContext, dyIn: F32, rows: number, needsInputGrad: boolean): F32 | null {
    const dy = this.toRows(ctx, dyIn, rows);
    const c = this.features, n = rows * this.outer * this.inner, k = ctx.k;
    if (this.frozenScale) {
      // inference mode: the statistics are constants, dx = dy·gamma/√(moving var + eps)
      if (!needsInputGrad) return null;
      const dx = ctx.scratch(n * c);
      k.scaleShift(n, c, dy, null, this.frozenScale, null, dx);
      return this.fromRows(ctx, dx, rows);
    }
    const dgamma = this.gamma?.grad ?? ctx.scratch(c), dbeta = this.beta?.grad ?? ctx.scratch(c);
    k.bnormBackward(n, c, dy, this.x, this.mean, this.invStd, this.gamma?.value ?? null, dy, dgamma, dbeta);
    return needsInputGrad ? this.fromRows(ctx, dy, rows) : null;
  }

  /** The parameters folded into one scale and shift per feature, for BN folding into a Dense layer. */
  get statistics(): { gamma: Param | null; beta: Param | null; movingMean: Param; movingVariance: Param } {
    return { gamma: this.gamma, beta: this.beta, movingMean: this.movingMean, movingVariance: this.movingVariance };
  }

  /** Whether the feature axis is the last one (the only case a Dense in front can absorb). */
  get normalizesLastAxis(): boolean {
    return this.inner === 1;
  }

}
