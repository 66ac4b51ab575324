import { fail, integer, knownKeys, number, oneOf } from '../util/validate.js';
import { Callback, type Logs } from './callbacks.js';
import { monitorDirection } from './monitor.js';

/** The optimizer's learning rate, settable (an optimizer that follows a schedule refuses, naming it). */
function optimizerOf(who: string, model: { optimizer: { learningRate: number } | null }): { learningRate: number } {
  if (!model.optimizer) throw new Error(`${who}: the model has no optimizer (compile it first)`);
  return model.optimizer;
}

export interface ReduceLROnPlateauArgs {
  monitor?: string;
  factor?: number;
  patience?: number;
  verbose?: number;
  mode?: 'auto' | 'min' | 'max';
  minDelta?: number;
  cooldown?: number;
  minLr?: number;
}

/**
 * Keras 3's ReduceLROnPlateau: once `monitor` has not improved by more than minDelta for `patience` epochs,
 * multiplies the learning rate by `factor` (not below minLr), then waits `cooldown` epochs before counting
 * again. Logs the learning rate of each epoch as 'learning_rate'.
 */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly verbose: number;
  readonly mode: 'auto' | 'min' | 'max';
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  private best = Infinity;
  private up = false;
  private wait = 0;
  private cooldownCounter = 0;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    super();
    const who = 'callbacks.reduceLROnPlateau';
    knownKeys(args, who, ['monitor', 'factor', 'patience', 'verbose', 'mode', 'minDelta', 'cooldown', 'minLr']);
    this.monitor = args.monitor ?? 'val_loss';
    if (typeof this.monitor !== 'string' || !this.monitor) fail(`${who}: monitor`, 'a logged quantity such as \'val_loss\'', args.monitor);
    this.factor = number(args.factor ?? 0.1, `${who}: factor`, (f) => f > 0 && f < 1, 'a number in (0, 1)');
    this.patience = integer(args.patience ?? 10, `${who}: patience`, 0);
    this.verbose = integer(args.verbose ?? 0, `${who}: verbose`, 0);
    this.mode = oneOf(args.mode ?? 'auto', `${who}: mode`, ['auto', 'min', 'max']);
    this.minDelta = number(args.minDelta ?? 1e-4, `${who}: minDelta`, (d) => d >= 0, 'a number >= 0');
    this.cooldown = integer(args.cooldown ?? 0, `${who}: cooldown`, 0);
    this.minLr = number(args.minLr ?? 0, `${who}: minLr`, (m) => m >= 0, 'a number >= 0');
  }

  onTrainBegin(): void {
    this.up = monitorDirection('callbacks.reduceLROnPlateau', this.monitor, this.mode, this.trainingModel) === 'up';
    this.best = this.up ? -Infinity : Infinity;
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const optimizer = optimizerOf('callbacks.reduceLROnPlateau', this.trainingModel);
    logs.learning_rate = optimizer.learningRate;
    const current = logs[this.monitor];
    if (current === undefined) {
      console.warn(`callbacks.reduceLROnPlateau: '${this.monitor}' is not in the logs (they have ${Object.keys(logs).join(', ')})`);
      return;
    }
    if (this.cooldownCounter > 0) { this.cooldownCounter--; this.wait = 0; }
    const better = this.up ? current > this.best + this.minDelta : current < this.best - this.minDelta;
    if (better) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter === 0) {
      this.wait++;
      if (this.wait >= this.patience) {
        const old = optimizer.learningRate;
        // compared as float32, as Keras does, so a rate already at minLr stops shrinking
        if (old > Math.fround(this.minLr)) {
          optimizer.learningRate = Math.max(old * this.factor, this.minLr);
          if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${optimizer.learningRate}.`);
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}

/**
 * Keras's LearningRateScheduler: before each epoch, learningRate = schedule(epoch, current learningRate)
 * (epoch counts from 0); the rate used is logged as 'learning_rate'.
 */
export class LearningRateScheduler extends Callback {
  constructor(readonly schedule: (epoch: number, learningRate: number) => number, readonly verbose = 0) {
    super();
    if (typeof schedule !== 'function') fail('callbacks.learningRateScheduler: schedule', 'a function (epoch, learningRate) => learningRate', schedule);
  }

  onEpochBegin(epoch: number): void {
    const optimizer = optimizerOf('callbacks.learningRateScheduler', this.trainingModel);
    const lr = this.schedule(epoch, optimizer.learningRate);
    number(lr, `callbacks.learningRateScheduler: schedule(${epoch}, ${optimizer.learningRate})`, (v) => v >= 0, 'a finite learning rate >= 0');
    optimizer.learningRate = lr;
    if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    logs.learning_rate = optimizerOf('callbacks.learningRateScheduler', this.trainingModel).learningRate;
  }
}
