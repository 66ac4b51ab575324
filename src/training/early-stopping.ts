import type { Tensor } from '../tensor/tensor.js';
import { boolean, fail, integer, knownKeys, number, oneOf } from '../util/validate.js';
import { Callback, type Logs } from './callbacks.js';
import { monitorDirection } from './monitor.js';

export interface EarlyStoppingArgs {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  verbose?: number;
  mode?: 'auto' | 'min' | 'max';
  baseline?: number | null;
  restoreBestWeights?: boolean;
  startFromEpoch?: number;
}

/**
 * Keras 3's EarlyStopping: stops fit once `monitor` has not improved by more than minDelta for `patience`
 * epochs (never after the first epoch). With restoreBestWeights, the end of training puts back the weights
 * of the best epoch, moving statistics included (they are part of getWeights, as in Keras).
 * One difference: `best` restarts at every fit (Keras keeps it across fits of one instance).
 */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly verbose: number;
  readonly mode: 'auto' | 'min' | 'max';
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  /** Epoch (0-based) at which training was stopped, 0 if it ran to the end. */
  stoppedEpoch = 0;
  /** Epoch (0-based) with the best monitored value. */
  bestEpoch = 0;
  best = Infinity;
  private wait = 0;
  private up = false;
  private bestWeights: Tensor[] | null = null;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    const who = 'callbacks.earlyStopping';
    knownKeys(args, who, ['monitor', 'minDelta', 'patience', 'verbose', 'mode', 'baseline', 'restoreBestWeights', 'startFromEpoch']);
    this.monitor = args.monitor ?? 'val_loss';
    if (typeof this.monitor !== 'string' || !this.monitor) fail(`${who}: monitor`, 'a logged quantity such as \'val_loss\'', args.monitor);
    this.minDelta = Math.abs(number(args.minDelta ?? 0, `${who}: minDelta`, () => true, 'a finite number'));
    this.patience = integer(args.patience ?? 0, `${who}: patience`, 0);
    this.verbose = integer(args.verbose ?? 0, `${who}: verbose`, 0);
    this.mode = oneOf(args.mode ?? 'auto', `${who}: mode`, ['auto', 'min', 'max']);
    this.baseline = args.baseline == null ? null : number(args.baseline, `${who}: baseline`, () => true, 'a finite number or null');
    this.restoreBestWeights = boolean(args.restoreBestWeights ?? false, `${who}: restoreBestWeights`);
    this.startFromEpoch = integer(args.startFromEpoch ?? 0, `${who}: startFromEpoch`, 0);
  }

  onTrainBegin(): void {
    this.up = monitorDirection('callbacks.earlyStopping', this.monitor, this.mode, this.trainingModel) === 'up';
    this.best = this.up ? -Infinity : Infinity;
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestEpoch = 0;
    this.bestWeights = null;
  }

  private improves(value: number, reference: number): boolean {
    return this.up ? value - this.minDelta > reference : value + this.minDelta < reference;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      console.warn(`callbacks.earlyStopping: '${this.monitor}' is not in the logs (they have ${Object.keys(logs).join(', ')})`);
      return;
    }
    if (epoch < this.startFromEpoch) return;
    const model = this.trainingModel;
    // the first epoch seen is the best so far, whatever its value
    if (this.restoreBestWeights && !this.bestWeights) { this.bestWeights = model.getWeights(); this.bestEpoch = epoch; }
    this.wait++;
    if (this.improves(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = model.getWeights();
      // patience restarts only when the baseline is beaten too
      if (this.baseline === null || this.improves(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights) {
      if (this.verbose > 0) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.trainingModel.setWeights(this.bestWeights);
    }
  }
}
