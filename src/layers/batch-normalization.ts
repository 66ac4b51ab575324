import { heap } from '../backend/runtime.js';
import type { F32 } from '../memory/heap.js';
import type { Initializer } from './initializers.js';
import { Layer, type LayerPlan, type Param, type StepContext } from './layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf } from './options.js';
import type { Constraint } from './constraints.js';
import type { Regularizer } from './regularizers.js';
import type { PooledMoments } from './pooled-moments.js';
import { renormClippingOption, renormCorrect, startRenormState, type RenormStep } from './bnorm-renorm.js';
import { ghostBackward, ghostForward, ghostGroups, poolGhostMoments, virtualBatchSizeOption, type GhostStep } from './bnorm-ghost.js';

export type { RenormClipping } from './bnorm-renorm.js';

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
    renorm: option.boolean(false),
    renormClipping: renormClippingOption(),
    renormMomentum: option.number((m) => m >= 0 && m <= 1, 'a number in [0, 1]', 0.99),
    virtualBatchSize: virtualBatchSizeOption(),
    betaRegularizer: option.regularizer(),
    gammaRegularizer: option.regularizer(),
    betaConstraint: option.constraint(),
    gammaConstraint: option.constraint(),
  },
  fileKeys: {},
  // synchronized pools the batch statistics across devices; on one device it changes nothing
  harmlessKeys: ['synchronized'],
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
 *
 * `renorm` (Batch Renormalization, Ioffe 2017, as Keras 3): training output x̂·(gamma·r) + (gamma·d + beta)
 * with r = σ_batch/σ_renorm and d = (μ_batch − μ_renorm)/σ_renorm (clipped by renormClipping), r and d
 * constants for the gradient; renorm_mean/renorm_stddev follow the batches with renormMomentum, and the
 * inference statistics are kept as moving_mean and moving_stddev (moving_variance = moving_stddev² − ε).
 * `virtualBatchSize` (Ghost BN, as tf.keras 2): a batch of B samples is normalized in ⌈B/V⌉ virtual batches,
 * sample i in virtual batch i mod ⌈B/V⌉ (tf.keras's [V, B/V] reshape when V divides B; any B works here);
 * the moving statistics move once per batch towards the virtual batches' mean moments.
 * The renorm step lives in bnorm-renorm.ts, the virtual batches in bnorm-ghost.ts. What stays here (~300
 * lines) is the layer proper: its options and weights, the feature-axis transposes, the training, inference
 * and calibration passes and their backward, and how much of the moving statistics is still initial.
 */
export class BatchNormalization extends Layer {
  static readonly def = BATCH_NORMALIZATION;
  private gamma: Param | null = null;
  private beta: Param | null = null;
  private movingMean!: Param;
  private movingVariance!: Param;
  // renorm only
  private movingStddev: Param | null = null;
  private renormMean: Param | null = null;
  private renormStddev: Param | null = null;
  /** [outer, features, inner]: the input viewed around the feature axis (inner = 1 for the last axis). */
  private outer = 1;
  private features = 1;
  private inner = 1;
  // this step, for backward
  private x!: F32; // input in rows × features layout
  private mean!: F32;
  private invStd!: F32;
  private frozenScale: F32 | null = null; // inference-mode scale when the step ran in inference mode
  private renormed: RenormStep | null = null; // renorm: the step's r, d and gamma·r
  private ghost: GhostStep | null = null; // Ghost BN: the step's virtual batches and their statistics
  /**
   * How much of the moving statistics is still their initial values: momentum^(training updates), counted from
   * the build; 0 once they are known to come from elsewhere (calibration, setWeights, a loaded model).
   */
  private initialShare = 1;

  constructor(args: BatchNormalizationArgs = {}) {
    super(BATCH_NORMALIZATION, args);
    if (this.renorm && this.virtualBatchSize !== null) {
      throw new Error('batchNormalization: renorm and virtualBatchSize cannot be combined (Keras 3 has no virtual batches); use one of them');
    }
    if (this.renormClipping !== null && !this.renorm) {
      throw new Error('batchNormalization: renormClipping is only used with renorm: true');
    }
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
        // renorm's state, after Keras 3's: set from the moving statistics in onBuild (√ of the variance's initial values)
        ...(this.renorm ? ['moving_stddev', 'renorm_mean', 'renorm_stddev'].map((name) => ({ name, shape: c, initializer: 'zeros' as const, trainable: false })) : []),
      ],
    };
  }

  protected onBuild(shape: number[]): void {
    [this.outer, this.features, this.inner] = this.geometry(shape);
    this.gamma = this.weight('gamma');
    this.beta = this.weight('beta');
    this.movingMean = this.weight('moving_mean')!;
    this.movingVariance = this.weight('moving_variance')!;
    if (this.renorm) {
      this.movingStddev = this.weight('moving_stddev');
      this.renormMean = this.weight('renorm_mean');
      this.renormStddev = this.weight('renorm_stddev');
      startRenormState({ mean: this.movingMean.value, variance: this.movingVariance.value, stddev: this.movingStddev!.value },
        { mean: this.renormMean!.value, stddev: this.renormStddev!.value });
    }
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
    const c = this.features, n = rows * this.outer * this.inner;
    if (!ctx.training || !this.trainable) return this.fromRows(ctx, this.infer(ctx, x, n), rows);
    const { y, mean, variance } = this.normalizeTrain(ctx, x, rows);
    this.countUpdate();
    if (this.renorm) {
      ctx.k.renormUpdate(c, mean, variance, this.movingMean.value, this.movingStddev!.value, this.movingVariance.value,
        this.renormMean!.value, this.renormStddev!.value, this.epsilon, this.momentum, this.renormMomentum);
    } else {
      ctx.k.movingAverage(c, mean, variance, this.movingMean.value, this.movingVariance.value, this.momentum);
    }
    return this.fromRows(ctx, y, rows);
  }

  /**
   * One batch of model.calibrateBatchNorm: the training-mode output (batch statistics) without touching
   * any moving statistic; this batch's per-feature moments go into `pool`.
   */
  calibrationForward(ctx: StepContext, input: F32, rows: number, pool: PooledMoments): F32 {
    const x = this.toRows(ctx, input, rows);
    const h = heap(), c = this.features;
    const { y, mean, variance } = this.normalizeTrain(ctx, x, rows);
    if (this.ghost) {
      poolGhostMoments(this.ghost, c, pool);
    } else {
      pool.add(rows * this.outer * this.inner, h.f32(mean), h.f32(variance));
    }
    return this.fromRows(ctx, y, rows);
  }

  /**
   * Training-mode normalisation of `rows` samples (x in rows × features layout) with their own statistics,
   * per virtual batch when there are several, with renorm's correction when on; keeps what backward needs.
   * Returns the output and the statistics the moving averages move towards.
   */
  private normalizeTrain(ctx: StepContext, x: F32, rows: number): { y: F32; mean: F32; variance: F32 } {
    const c = this.features, n = rows * this.outer * this.inner, k = ctx.k;
    this.frozenScale = null;
    this.renormed = null;
    this.ghost = null;
    const groups = ghostGroups(rows, this.virtualBatchSize);
    if (groups > 1) {
      const { y, mean, variance, step } = ghostForward(ctx, x, rows, groups, this.outer * this.inner, c,
        { gamma: this.gamma?.value ?? null, beta: this.beta?.value ?? null, epsilon: this.epsilon });
      this.x = step.x;
      this.ghost = step;
      return { y, mean, variance };
    }
    this.x = x;
    this.mean = ctx.scratch(c);
    this.invStd = ctx.scratch(c);
    const variance = ctx.scratch(c), y = ctx.scratch(n * c);
    if (!this.renorm) {
      k.bnormForwardTrain(n, c, x, this.gamma?.value ?? null, this.beta?.value ?? null, y, this.mean, variance, this.invStd, this.epsilon);
      return { y, mean: this.mean, variance };
    }
    // renorm: x̂ from the BN kernel, then x̂·(gamma·r) + (gamma·d + beta)
    k.bnormForwardTrain(n, c, x, null, null, y, this.mean, variance, this.invStd, this.epsilon);
    this.renormed = renormCorrect(ctx, n, c, y, { mean: this.mean, variance }, { mean: this.renormMean!.value, stddev: this.renormStddev!.value },
      this.gamma?.value ?? null, this.beta?.value ?? null, this.epsilon, this.renormClipping);
    return { y, mean: this.mean, variance };
  }

  /**
   * Replaces the moving statistics with population statistics (model.calibrateBatchNorm), rounded to
   * float32; the caller has checked that they are finite.
   */
  setPopulationStatistics(mean: ArrayLike<number>, variance: ArrayLike<number>): void {
    const h = heap();
    h.f32(this.movingMean.value).set(mean);
    h.f32(this.movingVariance.value).set(variance);
    // renorm derives the moving variance from the moving stddev at the next update: keep them consistent
    if (this.movingStddev) h.f32(this.movingStddev.value).set(Array.from(variance, (v) => Math.sqrt(v + this.epsilon)));
    this.initialShare = 0;
  }

  /** Before a moving-average update: statistics that were set from outside hold no initial values at all. */
  private countUpdate(): void {
    if (this.initialShare === 1 && !this.atInitialValues()) this.initialShare = 0;
    this.initialShare *= this.momentum;
  }

  /** Whether the moving statistics still equal their (constant) initializers; random initializers cannot tell. */
  private atInitialValues(): boolean {
    const h = heap(), constant = { zeros: 0, ones: 1 } as Record<string, number>;
    const same = (p: Param, init: Initializer) => !(init in constant) || h.f32(p.value).every((v) => v === constant[init]);
    return same(this.movingMean, this.movingMeanInitializer) && same(this.movingVariance, this.movingVarianceInitializer);
  }

  /** The share of the moving statistics that is still their initial values (momentum^updates; 0 after calibration). */
  get initialStatisticsShare(): number {
    return this.initialShare;
  }

  /** As Layer.setWeights; moving statistics written from outside are checked against the initial ones at the next update. */
  override setWeights(weights: Parameters<Layer['setWeights']>[0]): void {
    super.setWeights(weights);
    this.initialShare = 1;
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
    if (this.ghost) {
      const dx = ghostBackward(ctx, this.ghost, dy, rows, c, this.gamma?.value ?? null, needsInputGrad, dgamma, dbeta);
      return dx ? this.fromRows(ctx, dx, rows) : null;
    }
    const r = this.renormed;
    // renorm: BN's backward with gamma·r in place of gamma (r, d constants), then dgamma = r·Σdy·x̂ + d·Σdy
    k.bnormBackward(n, c, dy, this.x, this.mean, this.invStd, r ? r.scale : this.gamma?.value ?? null, dy, dgamma, dbeta);
    if (r) k.renormGammaGrad(c, r.r, r.d, dbeta, dgamma);
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

  constraints(): Array<{ param: Param; constraint: Constraint }> {
    return Layer.constrained([[this.gamma, this.gammaConstraint], [this.beta, this.betaConstraint]]);
  }

  penalties(): Array<{ param: Param; regularizer: Regularizer }> {
    return Layer.regularized([[this.gamma, this.gammaRegularizer], [this.beta, this.betaRegularizer]]);
  }
}
