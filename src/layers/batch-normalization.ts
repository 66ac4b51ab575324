import { heap } from '../backend/runtime.js';
import type { F32 } from '../memory/heap.js';
import { integer, knownKeys, number } from '../util/validate.js';
import type { Initializer } from './initializers.js';
import { Layer, type LayerPlan, type Param, type StepContext } from './layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf, type Option } from './options.js';
import type { Constraint } from './constraints.js';
import type { Regularizer } from './regularizers.js';
import type { PooledMoments } from './pooled-moments.js';

/** Batch Renormalization's clipping of r to [rmin, rmax] and d to [−dmax, dmax]; a missing key does not clip. */
export interface RenormClipping { rmax?: number; rmin?: number; dmax?: number }

function renormClippingOption(): Option<RenormClipping | null, false> {
  return {
    required: false,
    default: null,
    check(v, what) {
      if (v === null || v === undefined) return null;
      knownKeys(v as object, what, ['rmax', 'rmin', 'dmax']);
      const c: RenormClipping = {};
      for (const [key, value] of Object.entries(v as object)) {
        if (value !== undefined) c[key as keyof RenormClipping] = number(value, `${what}.${key}`, (x) => key === 'rmax' || x >= 0, key === 'rmax' ? 'a number' : 'a number >= 0');
      }
      if (c.rmin !== undefined && c.rmax !== undefined && c.rmax < c.rmin) {
        throw new Error(`${what}: rmax must be >= rmin, got rmax ${c.rmax} and rmin ${c.rmin}`);
      }
      return c;
    },
  };
}

function virtualBatchSizeOption(): Option<number | null, false> {
  return { required: false, default: null, check: (v, what) => (v === null || v === undefined ? null : integer(v, what, 1)) };
}

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
  private renormed: { r: F32; d: F32; scale: F32 } | null = null; // renorm: the step's r, d and gamma·r
  /** Ghost BN: the step's virtual batches (sizes in samples) and their statistics, groups × features each. */
  private ghost: { groups: number; sizes: number[]; perSample: number; means: F32; variances: F32; invStds: F32 } | null = null;
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
      const h = heap(), sd = h.f32(this.movingVariance.value).map(Math.sqrt);
      h.f32(this.movingStddev!.value).set(sd);
      h.f32(this.renormStddev!.value).set(sd);
      h.f32(this.renormMean!.value).set(h.f32(this.movingMean.value));
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
      // each virtual batch's own moments: pooled exactly, they are the whole batch's
      const { sizes, perSample, means, variances } = this.ghost;
      sizes.forEach((size, g) => pool.add(size * perSample, h.f32(at(means, g * c, c)), h.f32(at(variances, g * c, c))));
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
    const groups = this.virtualBatchSize === null ? 1 : Math.ceil(rows / this.virtualBatchSize);
    if (groups > 1) return this.normalizeGhost(ctx, x, rows, groups);
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
    const r = ctx.scratch(c), d = ctx.scratch(c), scale = ctx.scratch(c), shift = ctx.scratch(c);
    const clip = this.renormClipping ?? {};
    k.renormCorrection(c, this.mean, variance, this.renormMean!.value, this.renormStddev!.value, this.gamma?.value ?? null,
      this.beta?.value ?? null, r, d, scale, shift, this.epsilon, clip.rmin ?? 0, clip.rmax ?? Infinity, clip.dmax ?? Infinity);
    k.scaleShift(n, c, y, null, scale, shift, y);
    this.renormed = { r, d, scale };
    return { y, mean: this.mean, variance };
  }

  /**
   * Ghost BN: the samples regrouped so each virtual batch is contiguous (sample i in group i mod groups), each
   * normalized by the BN kernel on its own, then put back in order. The moving averages move towards the
   * size-weighted mean of the groups' means and variances (tf.keras: the plain mean; equal when sizes are).
   */
  private normalizeGhost(ctx: StepContext, x: F32, rows: number, groups: number): { y: F32; mean: F32; variance: F32 } {
    const c = this.features, perSample = this.outer * this.inner, n = rows * perSample, k = ctx.k, h = heap();
    const sizes = Array.from({ length: groups }, (_, g) => Math.ceil((rows - g) / groups));
    const xg = ctx.scratch(n * c), yg = ctx.scratch(n * c), y = ctx.scratch(n * c);
    const means = ctx.scratch(groups * c), variances = ctx.scratch(groups * c), invStds = ctx.scratch(groups * c);
    k.groupRows(rows, groups, perSample * c, x, xg, false);
    let offset = 0;
    sizes.forEach((size, g) => {
      const len = size * perSample * c;
      k.bnormForwardTrain(size * perSample, c, at(xg, offset, len), this.gamma?.value ?? null, this.beta?.value ?? null,
        at(yg, offset, len), at(means, g * c, c), at(variances, g * c, c), at(invStds, g * c, c), this.epsilon);
      offset += len;
    });
    k.groupRows(rows, groups, perSample * c, yg, y, true);
    this.x = xg;
    this.ghost = { groups, sizes, perSample, means, variances, invStds };
    const mean = ctx.scratch(c), variance = ctx.scratch(c);
    const M = h.f32(means), V = h.f32(variances), towardsMean = new Float64Array(c), towardsVariance = new Float64Array(c);
    sizes.forEach((size, g) => {
      for (let j = 0; j < c; j++) {
        towardsMean[j] += M[g * c + j] * size / rows;
        towardsVariance[j] += V[g * c + j] * size / rows;
      }
    });
    h.f32(mean).set(towardsMean);
    h.f32(variance).set(towardsVariance);
    return { y, mean, variance };
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
    if (this.ghost) return this.backwardGhost(ctx, dy, rows, needsInputGrad, dgamma, dbeta);
    const r = this.renormed;
    // renorm: BN's backward with gamma·r in place of gamma (r, d constants), then dgamma = r·Σdy·x̂ + d·Σdy
    k.bnormBackward(n, c, dy, this.x, this.mean, this.invStd, r ? r.scale : this.gamma?.value ?? null, dy, dgamma, dbeta);
    if (r) k.renormGammaGrad(c, r.r, r.d, dbeta, dgamma);
    return needsInputGrad ? this.fromRows(ctx, dy, rows) : null;
  }

  /** Ghost BN backward: each virtual batch through BN's backward, the gamma/beta gradients summed over them. */
  private backwardGhost(ctx: StepContext, dy: F32, rows: number, needsInputGrad: boolean, dgamma: F32, dbeta: F32): F32 | null {
    const { groups, sizes, perSample, means, invStds } = this.ghost!, c = this.features, n = rows * perSample, k = ctx.k;
    const dyg = ctx.scratch(n * c), dgs = ctx.scratch(groups * c), dbs = ctx.scratch(groups * c);
    k.groupRows(rows, groups, perSample * c, dy, dyg, false);
    let offset = 0;
    sizes.forEach((size, g) => {
      const len = size * perSample * c, part = at(dyg, offset, len);
      k.bnormBackward(size * perSample, c, part, at(this.x, offset, len), at(means, g * c, c), at(invStds, g * c, c),
        this.gamma?.value ?? null, part, at(dgs, g * c, c), at(dbs, g * c, c));
      offset += len;
    });
    k.sumRows(groups, c, dgs, dgamma, false);
    k.sumRows(groups, c, dbs, dbeta, false);
    if (!needsInputGrad) return null;
    const dx = ctx.scratch(n * c);
    k.groupRows(rows, groups, perSample * c, dyg, dx, true);
    return this.fromRows(ctx, dx, rows);
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

/** floats [offset, offset + length) of a scratch array (unaligned views are fine for every kernel). */
function at(a: F32, offset: number, length: number): F32 {
  return { ptr: a.ptr + 4 * offset, length };
}
