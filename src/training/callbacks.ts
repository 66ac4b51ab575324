import type { Tensor } from '../tensor/tensor.js';
import { fail, knownKeys } from '../util/validate.js';

export type Logs = Record<string, number>;

/** What a callback may see and change of the model being trained. */
export interface TrainingModel {
  stopTraining: boolean;
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
  /** The compiled optimizer; its learningRate is writable unless it follows a schedule. */
  readonly optimizer: { learningRate: number } | null;
  /** Whether a larger value of a logged metric is better (undefined: not a metric this model computes). */
  metricDirection?(name: string): 'up' | 'down' | undefined;
}

/** The hooks fit calls, in Keras/TF.js order. Every hook may return a Promise, which fit awaits. */
export interface CallbackHooks {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  /** Called each time fit yields to the event loop (see yieldEvery), as TF.js does. */
  onYield?(epoch: number, batch: number, logs: Logs): void | Promise<void>;
}

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onYield'] as const;

/** Base class of the built-in callbacks (bw.callbacks.*): fit hands each one the model before training. */
export abstract class Callback {
  protected model: TrainingModel | null = null;
  setModel(model: TrainingModel): void {
    this.model = model;
  }
  protected get trainingModel(): TrainingModel {
    if (!this.model) throw new Error(`${this.constructor.name}: not attached to a model (pass it to model.fit's callbacks)`);
    return this.model;
  }
}

/**
 * fit's `callbacks` option as one list: undefined, one object or an array of them. Plain objects may hold
 * only hook functions (a misspelt hook is an error, not a silent no-op); Callback instances are attached
 * to the model.
 */
export class CallbackList {
  private readonly list: CallbackHooks[];

  constructor(callbacks: unknown, model: TrainingModel) {
    const items = callbacks === undefined ? [] : Array.isArray(callbacks) ? callbacks : [callbacks];
    items.forEach((c, i) => {
      const name = Array.isArray(callbacks) ? `fit: callbacks[${i}]` : 'fit: callbacks';
      if (c === null || typeof c !== 'object') fail(name, 'a callback object (hooks such as onEpochEnd) or one from bw.callbacks', c);
      if (!(c instanceof Callback) && Object.getPrototypeOf(c) === Object.prototype) knownKeys(c, name, HOOKS);
      for (const hook of HOOKS) {
        const fn = (c as Record<string, unknown>)[hook];
        if (fn !== undefined && typeof fn !== 'function') fail(`${name}.${hook}`, 'a function', fn);
      }
    });
    this.list = items as CallbackHooks[];
    for (const c of this.list) if (c instanceof Callback) c.setModel(model);
  }

  get length(): number {
    return this.list.length;
  }

  async trainBegin(logs?: Logs) { for (const c of this.list) await c.onTrainBegin?.(logs); }
  async trainEnd(logs?: Logs) { for (const c of this.list) await c.onTrainEnd?.(logs); }
  async epochBegin(epoch: number, logs?: Logs) { for (const c of this.list) await c.onEpochBegin?.(epoch, logs); }
  async epochEnd(epoch: number, logs: Logs) { for (const c of this.list) await c.onEpochEnd?.(epoch, logs); }
  async batchBegin(batch: number, logs?: Logs) { for (const c of this.list) await c.onBatchBegin?.(batch, logs); }
  async batchEnd(batch: number, logs: Logs) { for (const c of this.list) await c.onBatchEnd?.(batch, logs); }
  async yielded(epoch: number, batch: number, logs: Logs) { for (const c of this.list) await c.onYield?.(epoch, batch, logs); }
}
