import type { F32 } from '../backend/kernels.js';
import { heap } from '../backend/runtime.js';
import { boolean, integer, knownKeys, number } from '../util/validate.js';
import { checkInputShape } from './dense.js';
import { checkInitializer, initializerConfig, type Initializer } from './initializers.js';
import { Layer, type Param, type StepContext } from './layer.js';
import type { PooledMoments } from './pooled-moments.js';

export interface BatchNormalizationArgs {
  axis?: number;
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: Initializer;
  gammaInitializer?: Initializer;
  movingMeanInitializer?: Initializer;
  movingVarianceInitializer?: Initializer;
  inputShape?: number[];
  name?: string;
  trainable?: boolean;
}

const KEYS = ['axis', 'momentum', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer',
  'movingMeanInitializer', 'movingVarianceInitializer', 'inputShape', 'name', 'trainable'];

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
  readonly className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
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
  /**
   * How much of the moving statistics is still their initial values: momentum^(training updates), counted from
   * the build; 0 once they are known to come from elsewhere (calibration, setWeights, a loaded model).
   */
  private initialShare = 1;

  constructor(args: BatchNormalizationArgs = {}) {
    knownKeys(args, 'batchNormalization', KEYS);
    const inputShape = checkInputShape(args.inputShape, 'batchNormalization');
    super(args.name, args.trainable === undefined ? undefined : boolean(args.trainable, 'batchNormalization: trainable'),
      inputShape, 'BatchNormalization');
    this.axis = integer(args.axis ?? -1, 'batchNormalization: axis');
    this.momentum = number(args.momentum ?? 0.99, 'batchNormalization: momentum', (m) => m >= 0 && m <= 1, 'a number in [0, 1]');
    this.epsilon = number(args.epsilon ?? 1e-3, 'batchNormalization: epsilon', (e) => e > 0, 'a number > 0');
    this.center = args.center === undefined ? true : boolean(args.center, 'batchNormalization: center');
    this.scale = args.scale === undefined ? true : boolean(args.scale, 'batchNormalization: scale');
    this.betaInitializer = checkInitializer(args.betaInitializer ?? 'zeros', 'batchNormalization: betaInitializer');
    this.gammaInitializer = checkInitializer(args.gammaInitializer ?? 'ones', 'batchNormalization: gammaInitializer');
    this.movingMeanInitializer = checkInitializer(args.movingMeanInitializer ?? 'zeros', 'batchNormalization: movingMeanInitializer');
    this.movingVarianceInitializer = checkInitializer(args.movingVarianceInitializer ?? 'ones', 'batchNormalization: movingVarianceInitializer');
  }

  protected setup(shape: number[]): number[] {
    const rank = shape.length + 1; // with the batch axis
    if (rank < 2 || rank > 4) {
      throw new Error(`${this.name}: expected inputs of rank 2, 3 or 4 (batch included), got shape [null, ${shape.join(', ')}]`);
    }
    const axis = this.axis < 0 ? rank + this.axis : this.axis;
    if (axis < 1 || axis >= rank) {
      throw new Error(`${this.name}: axis must be in [${1 - rank}, -1] or [1, ${rank - 1}] for inputs of rank ${rank} (the batch axis 0 cannot be normalised over), got ${this.axis}`);
    }
    const dims = [1, ...shape]; // the batch extent multiplies `outer` at run time
    this.outer = dims.slice(1, axis).reduce((a, b) => a * b, 1);
    this.features = dims[axis];
    this.inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const c = [this.features];
    if (this.scale) this.gamma = this.addParam('gamma', c, this.gammaInitializer, true);
    if (this.center) this.beta = this.addParam('beta', c, this.betaInitializer, true);
    this.movingMean = this.addParam('moving_mean', c, this.movingMeanInitializer, false);
    this.movingVariance = this.addParam('moving_variance', c, this.movingVarianceInitializer, false);
    return [...shape];
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
    const scale = ctx.scratch(c), unusedShift = ctx.scratch(c), y = ctx.scratch(n * c);
    k.bnormFold(c, this.movingMean.value, this.movingVariance.value, this.gamma?.value ?? null, null, this.epsilon, scale, unusedShift);
    k.scaleShift(n, c, x, this.movingMean.value, scale, this.beta?.value ?? null, y);
    this.frozenScale = scale;
    return y;
  }

  forward(ctx: StepContext, input: F32, rows: number): F32 {
    const x = this.toRows(ctx, input, rows);
    const c = this.features, n = x.length / c;
    if (!ctx.training || !this.trainable) return this.fromRows(ctx, this.infer(ctx, x, n), rows);
    const { y, mean, variance } = this.normalizeTrain(ctx, x, n);
    this.countUpdate();
    ctx.k.movingAverage(c, mean, variance, this.momentum, this.movingMean.value, this.movingVariance.value);
    return this.fromRows(ctx, y, rows);
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

  /**
   * One batch of model.calibrateBatchNorm: the training-mode output (batch statistics) without touching
   * any moving statistic; this batch's per-feature moments go into `pool`.
   */
  calibrationForward(ctx: StepContext, input: F32, rows: number, pool: PooledMoments): F32 {
    const x = this.toRows(ctx, input, rows);
    const n = x.length / this.features, h = heap();
    const { y, mean, variance } = this.normalizeTrain(ctx, x, n);
    pool.add(n, h.f32(mean), h.f32(variance));
    return this.fromRows(ctx, y, rows);
  }

  /** Training-mode normalisation of n rows with their own statistics; keeps what backward needs. */
  private normalizeTrain(ctx: StepContext, x: F32, n: number): { y: F32; mean: F32; variance: F32 } {
    const c = this.features;
    this.frozenScale = null;
    this.x = x;
    this.mean = ctx.scratch(c);
    this.invStd = ctx.scratch(c);
    const variance = ctx.scratch(c), y = ctx.scratch(n * c);
    ctx.k.bnormForwardTrain(n, c, x, this.gamma?.value ?? null, this.beta?.value ?? null, this.epsilon, y, this.mean, variance, this.invStd);
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
    this.initialShare = 0;
  }

  backward(ctx: StepContext, dyIn: F32, rows: number, needsInputGrad: boolean): F32 | null {
    const dy = this.toRows(ctx, dyIn, rows);
    const c = this.features, n = dy.length / c, k = ctx.k;
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

  getConfig(): Record<string, unknown> {
    return {
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: initializerConfig(this.betaInitializer),
      gammaInitializer: initializerConfig(this.gammaInitializer),
      movingMeanInitializer: initializerConfig(this.movingMeanInitializer),
      movingVarianceInitializer: initializerConfig(this.movingVarianceInitializer),
      betaRegularizer: null,
      gammaRegularizer: null,
      betaConstraint: null,
      gammaConstraint: null,
    };
  }
}
