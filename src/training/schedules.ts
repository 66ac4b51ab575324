import { boolean, integer, knownKeys, number } from '../util/validate.js';

/**
 * Learning-rate schedules, as Keras 3 defines them: a function of the optimizer step (0 for the first
 * update), given to an optimizer as its learningRate.
 */
export abstract class LearningRateSchedule {
  abstract readonly className: string;
  /** The learning rate for the update after `step` earlier updates. */
  abstract at(step: number): number;
  abstract getConfig(): Record<string, number | boolean | null>;
}

export interface ExponentialDecayArgs { initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }

/** initialLearningRate · decayRate^(step / decaySteps), the exponent floored when staircase. */
export class ExponentialDecay extends LearningRateSchedule {
  readonly className = 'ExponentialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;

  constructor(args: ExponentialDecayArgs) {
    super();
    const who = 'schedules.exponentialDecay';
    knownKeys(args, who, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase']);
    if (args === undefined) throw new Error(`${who}: expected { initialLearningRate, decaySteps, decayRate }, got undefined`);
    this.initialLearningRate = number(args.initialLearningRate, `${who}: initialLearningRate`, (v) => v > 0, 'a number > 0');
    this.decaySteps = integer(args.decaySteps, `${who}: decaySteps`, 1);
    this.decayRate = number(args.decayRate, `${who}: decayRate`, (v) => v > 0, 'a number > 0');
    this.staircase = boolean(args.staircase ?? false, `${who}: staircase`);
  }

  at(step: number): number {
    const p = step / this.decaySteps;
    return this.initialLearningRate * this.decayRate ** (this.staircase ? Math.floor(p) : p);
  }

  getConfig() {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, decayRate: this.decayRate, staircase: this.staircase };
  }
}

export interface CosineDecayArgs {
  initialLearningRate: number; decaySteps: number; alpha?: number; warmupTarget?: number | null; warmupSteps?: number;
}

/**
 * Cosine decay from initialLearningRate to alpha·initialLearningRate over decaySteps, then flat. With a
 * warmupTarget, the rate first rises linearly from initialLearningRate to warmupTarget over warmupSteps
 * and then decays from warmupTarget.
 */
export class CosineDecay extends LearningRateSchedule {
  readonly className = 'CosineDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;

  constructor(args: CosineDecayArgs) {
    super();
    const who = 'schedules.cosineDecay';
    knownKeys(args, who, ['initialLearningRate', 'decaySteps', 'alpha', 'warmupTarget', 'warmupSteps']);
    if (args === undefined) throw new Error(`${who}: expected { initialLearningRate, decaySteps }, got undefined`);
    this.initialLearningRate = number(args.initialLearningRate, `${who}: initialLearningRate`, (v) => v >= 0, 'a number >= 0');
    this.decaySteps = integer(args.decaySteps, `${who}: decaySteps`, 1);
    this.alpha = number(args.alpha ?? 0, `${who}: alpha`, (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
    this.warmupTarget = args.warmupTarget == null ? null : number(args.warmupTarget, `${who}: warmupTarget`, (v) => v > 0, 'a number > 0 or null');
    this.warmupSteps = integer(args.warmupSteps ?? 0, `${who}: warmupSteps`, 0);
  }

  private decay(step: number, from: number): number {
    const s = Math.min(step, this.decaySteps);
    const cosine = 0.5 * (1 + Math.cos((Math.PI * s) / this.decaySteps));
    return from * ((1 - this.alpha) * cosine + this.alpha);
  }

  at(step: number): number {
    if (this.warmupTarget === null) return this.decay(step, this.initialLearningRate);
    if (step < this.warmupSteps) {
      return this.initialLearningRate + (this.warmupTarget - this.initialLearningRate) * (step / this.warmupSteps);
    }
    return this.decay(step - this.warmupSteps, this.warmupTarget);
  }

  getConfig() {
    return { initialLearningRate: this.initialLearningRate, decaySteps: this.decaySteps, alpha: this.alpha,
      warmupTarget: this.warmupTarget, warmupSteps: this.warmupSteps };
  }
}

export const schedules = {
  exponentialDecay: (args: ExponentialDecayArgs) => new ExponentialDecay(args),
  cosineDecay: (args: CosineDecayArgs) => new CosineDecay(args),
};
