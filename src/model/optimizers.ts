import type { Kernels } from '../backend/kernels.js';
import type { Layer, Param } from '../layers/layer.js';
import type { F32 } from '../memory/heap.js';
import { LearningRateSchedule, schedules } from '../training/schedules.js';
import { boolean, fail, knownKeys, number } from '../util/validate.js';

/** An optimizer updates the trainable params of the layers it is given, from the grads of the last step. */
export interface Optimizer {
  readonly className: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  /**
   * The learning rate of the next update. Writable (callbacks such as reduceLROnPlateau set it), except
   * when the optimizer follows a schedule: then it reads the schedule and refuses to be set.
   */
  learningRate: number;
  /** The schedule given as learningRate, if any. */
  readonly schedule: LearningRateSchedule | null;
  /** Steps taken so far (Adam's t; a schedule's step). */
  iterations: number;
  apply(k: Kernels, layers: Layer[]): void;
  getConfig(): Record<string, unknown>;
}

const positive = (name: string) => (v: unknown) => number(v, name, (x) => x > 0, 'a number > 0');
const unit = (name: string, v: unknown) => number(v, name, (b) => b >= 0 && b < 1, 'a number in [0, 1)');

/** What every optimizer shares: the learning rate (a number or a schedule), the step count, slots. */
abstract class BaseOptimizer {
  abstract readonly className: Optimizer['className'];
  iterations = 0;
  readonly schedule: LearningRateSchedule | null;
  private rate: number;

  /** Checks args against the optimizer's keys (learningRate plus `keys`) and takes its learning rate. */
  constructor(private readonly who: string, args: { learningRate?: unknown }, keys: string[], fallback: number) {
    knownKeys(args, who, ['learningRate', ...keys]);
    const learningRate = args.learningRate;
    if (learningRate instanceof LearningRateSchedule) {
      this.schedule = learningRate;
      this.rate = learningRate.at(0);
    } else {
      this.schedule = null;
      this.rate = positive(`${who}: learningRate`)(learningRate ?? fallback);
    }
  }

  get learningRate(): number {
    return this.schedule ? this.schedule.at(this.iterations) : this.rate;
  }

  set learningRate(value: number) {
    if (this.schedule) throw new Error(`${this.who}: learningRate follows a ${this.schedule.className} schedule and cannot be set`);
    this.rate = number(value, `${this.who}: learningRate`, (x) => x >= 0, 'a number >= 0');
  }

  /** One step: `update` on every trainable param of every layer at this step's rate, then the step count. */
  apply(k: Kernels, layers: Layer[]): void {
    const lr = this.learningRate, t = this.iterations + 1;
    for (const layer of layers) {
      for (const p of layer.trainableParams()) this.update(k, layer, p, lr, t);
    }
    this.iterations = t;
  }

  /** Updates one param in place from p.grad; `t` is the 1-based number of this step. */
  protected abstract update(k: Kernels, layer: Layer, p: Param, lr: number, t: number): void;

  /** The p.slots[i] slot (zeros), created the first time it is needed. */
  protected slot(layer: Layer, p: Param, i: number): F32 {
    while (p.slots.length <= i) layer.addSlot(p);
    return p.slots[i];
  }

  protected rateConfig(): number | Record<string, unknown> {
    return this.schedule ? { className: this.schedule.className, config: this.schedule.getConfig() } : this.rate;
  }
}

export interface SgdArgs { learningRate?: number | LearningRateSchedule; momentum?: number; nesterov?: boolean }

/** Keras SGD: v ← momentum·v − lr·g; w ← w + v (Nesterov: w ← w + momentum·v − lr·g). */
export class SGD extends BaseOptimizer implements Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(args: SgdArgs = {}) {
    super('optimizers.sgd', args, ['momentum', 'nesterov'], 0.01);
    this.momentum = number(args.momentum ?? 0, 'optimizers.sgd: momentum', (m) => m >= 0 && m <= 1, 'a number in [0, 1]');
    this.nesterov = boolean(args.nesterov ?? false, 'optimizers.sgd: nesterov');
  }

  protected update(k: Kernels, layer: Layer, p: Param, lr: number): void {
    const v = this.momentum > 0 ? this.slot(layer, p, 0) : null;
    k.sgd(p.value.length, p.grad!, p.value, v, lr, this.momentum, this.nesterov);
  }

  getConfig() {
    return { learningRate: this.rateConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}

export interface AdamArgs { learningRate?: number | LearningRateSchedule; beta1?: number; beta2?: number; epsilon?: number; amsgrad?: boolean }

/** Adam with TF.js's bias correction: w ← w − lr·m̂/(√v̂ + ε); AMSGrad keeps the running maximum of v̂. */
export class Adam extends BaseOptimizer implements Optimizer {
  readonly className: 'Adam' | 'AdamW' = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  /** AdamW's decoupled decay (0 for Adam). */
  protected decay = 0;

  constructor(args: AdamArgs = {}, who = 'optimizers.adam', extra: string[] = []) {
    super(who, args, ['beta1', 'beta2', 'epsilon', 'amsgrad', ...extra], 0.001);
    this.beta1 = unit(`${who}: beta1`, args.beta1 ?? 0.9);
    this.beta2 = unit(`${who}: beta2`, args.beta2 ?? 0.999);
    this.epsilon = positive(`${who}: epsilon`)(args.epsilon ?? 1e-7);
    this.amsgrad = boolean(args.amsgrad ?? false, `${who}: amsgrad`);
  }

  protected update(k: Kernels, layer: Layer, p: Param, lr: number, t: number): void {
    const bc1 = 1 - this.beta1 ** t, bc2 = 1 - this.beta2 ** t;
    const n = p.value.length, m = this.slot(layer, p, 0), v = this.slot(layer, p, 1);
    if (!this.amsgrad && this.decay === 0) {
      k.adam(n, p.grad!, p.value, m, v, lr, this.beta1, this.beta2, this.epsilon, bc1, bc2);
    } else {
      const vhat = this.amsgrad ? this.slot(layer, p, 2) : null;
      k.adamw(n, p.grad!, p.value, m, v, vhat, lr, this.beta1, this.beta2, this.epsilon, bc1, bc2, this.decay);
    }
  }

  getConfig(): Record<string, unknown> {
    return { learningRate: this.rateConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

export interface AdamWArgs extends AdamArgs { weightDecay?: number }

/** Keras's AdamW: Adam plus decoupled weight decay, w ← w − w·lr·weightDecay before each update. */
export class AdamW extends Adam {
  override readonly className = 'AdamW';
  readonly weightDecay: number;

  constructor(args: AdamWArgs = {}) {
    super(args, 'optimizers.adamw', ['weightDecay']);
    this.weightDecay = number(args.weightDecay ?? 0.004, 'optimizers.adamw: weightDecay', (d) => d >= 0, 'a number >= 0');
    this.decay = this.weightDecay;
  }

  override getConfig() {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }
}

export interface RmspropArgs { learningRate?: number | LearningRateSchedule; rho?: number; momentum?: number; epsilon?: number; centered?: boolean }

/** Keras 3's RMSprop (TF.js's too, except that TF.js subtracts epsilon under the root when centered). */
export class RMSprop extends BaseOptimizer implements Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(args: RmspropArgs = {}) {
    const who = 'optimizers.rmsprop';
    super(who, args, ['rho', 'momentum', 'epsilon', 'centered'], 0.001);
    this.rho = unit(`${who}: rho`, args.rho ?? 0.9);
    this.momentum = unit(`${who}: momentum`, args.momentum ?? 0);
    this.epsilon = positive(`${who}: epsilon`)(args.epsilon ?? 1e-7);
    this.centered = boolean(args.centered ?? false, `${who}: centered`);
  }

  protected update(k: Kernels, layer: Layer, p: Param, lr: number): void {
    const ms = this.slot(layer, p, 0);
    const mg = this.centered ? this.slot(layer, p, 1) : null;
    const mom = this.momentum > 0 ? this.slot(layer, p, 2) : null;
    k.rmsprop(p.value.length, p.grad!, p.value, ms, mg, mom, lr, this.rho, this.momentum, this.epsilon);
  }

  getConfig() {
    return { learningRate: this.rateConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}

export interface AdagradArgs { learningRate?: number | LearningRateSchedule; initialAccumulatorValue?: number; epsilon?: number }

/**
 * Adagrad (Keras 3 = TF.js): acc ← acc + g², w ← w − lr·g/√(acc + ε), acc starting at initialAccumulatorValue.
 * The slot holds acc − initialAccumulatorValue (so it starts at zero like every slot, and a rolled-back step
 * that zeroes a new slot leaves it correct), and the kernel's ε is initialAccumulatorValue + ε.
 */
export class Adagrad extends BaseOptimizer implements Optimizer {
  readonly className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(args: AdagradArgs = {}) {
    const who = 'optimizers.adagrad';
    super(who, args, ['initialAccumulatorValue', 'epsilon'], 0.001);
    this.initialAccumulatorValue = number(args.initialAccumulatorValue ?? 0.1, `${who}: initialAccumulatorValue`, (v) => v >= 0, 'a number >= 0');
    this.epsilon = positive(`${who}: epsilon`)(args.epsilon ?? 1e-7);
  }

  protected update(k: Kernels, layer: Layer, p: Param, lr: number): void {
    k.adagrad(p.value.length, p.grad!, p.value, this.slot(layer, p, 0), lr, this.initialAccumulatorValue + this.epsilon);
  }

  getConfig() {
    return { learningRate: this.rateConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

export const optimizers = {
  sgd: (args?: SgdArgs) => new SGD(args),
  adam: (args?: AdamArgs) => new Adam(args),
  adamw: (args?: AdamWArgs) => new AdamW(args),
  rmsprop: (args?: RmspropArgs) => new RMSprop(args),
  adagrad: (args?: AdagradArgs) => new Adagrad(args),
  /** Learning-rate schedules, to pass as any optimizer's learningRate. */
  schedules,
};

const BY_NAME = { sgd: SGD, adam: Adam, adamw: AdamW, rmsprop: RMSprop, adagrad: Adagrad };

export function toOptimizer(value: unknown): Optimizer {
  if (typeof value === 'string' && value in BY_NAME) return new BY_NAME[value as keyof typeof BY_NAME]();
  if (value instanceof BaseOptimizer) return value as unknown as Optimizer;
  return fail('compile: optimizer', `'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad' or an optimizer from bw.optimizers`, value);
}
