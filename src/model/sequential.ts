import { kernels } from '../backend/runtime.js';
import type { IOHandler } from '../io/artifacts.js';
import { saveModel } from '../io/save.js';
import { Layer } from '../layers/layer.js';
import type { Arena } from '../memory/arena.js';
import { nextTurn } from '../memory/holding.js';
import { Tensor } from '../tensor/tensor.js';
import { fail, integer, knownKeys, oneOf } from '../util/validate.js';
import { checkInputs, prepareTargets, type Dataset } from './data.js';
import { fitLoop, type FitArgs } from './fit.js';
import { foldedLayers } from './fold.js';
import type { History } from './history.js';
import { evaluateRows, predictRows } from './inference.js';
import { LOSS_ALIASES, LOSSES, type Loss } from './losses.js';
import { makeMetric, METRIC_NAMES, weightedMetricNames, type Metric, type MetricName } from '../training/metrics.js';
import { sampleWeights, withClassWeight } from '../training/sample-weights.js';
import { toOptimizer, type Optimizer } from './optimizers.js';
import { ModelMemory } from './model-memory.js';
import { setModelWeights } from './set-weights.js';
import { unbuiltOnError } from './unbuild-guard.js';
import { summary } from './summary.js';
import { calibrateBatchNorm, noticeAfterFit, type CalibrateArgs } from './calibrate.js';
import { DivergenceError, trainStep, type StepResult } from './train-step.js';

export { DivergenceError };
export type { Callbacks, FitArgs, Logs } from './fit.js';
export interface CompileArgs {
  optimizer: unknown; loss: Loss | 'mse' | 'mae' | 'logcosh' | 'huberLoss'; metrics?: string[];
  /** Metrics computed with the samples' weights (sampleWeight times classWeight), as Keras's weighted_metrics. */
  weightedMetrics?: string[];
}
interface Compiled { optimizer: Optimizer; loss: Loss; metrics: MetricName[]; weightedMetrics: MetricName[] }
/** trainOnBatch's weights, as fit's: the batch's loss is Σ wᵢ·lossᵢ / rows. */
export interface TrainOnBatchArgs { sampleWeight?: Tensor; classWeight?: Record<number, number> }
export interface EvaluateArgs { batchSize?: number; verbose?: number; sampleWeight?: Tensor; classWeight?: Record<number, number> }

let modelCount = 0;

/**
 * A linear stack of layers, as tf.sequential: its structure, compile, weights and save live here; the
 * jobs live beside it: train-step.ts (one step and its rollback), fit.ts (the epoch loop), inference.ts
 * (predict and evaluate on the folded plan), fold.ts (foldBatchNorm), model-memory.ts (scratch and dispose),
 * unbuild-guard.ts (a failed first call unbuilds), set-weights.ts. Longer than 250 lines because it is the whole
 * public model surface: each method is its argument checks and a call into those files. Layers are built as soon as the
 * input shape is known; training and inference run inside one scratch arena per model (no WASM
 * allocation per step once a batch size has run).
 */
export class Sequential {
  readonly name: string;
  readonly layers: Layer[] = [];
  /** Set to true from a callback to end fit after the current batch (as in TF.js). */
  stopTraining = false;
  private compiled: Compiled | null = null;
  private fitting = false;
  /** The scratch arena and the model's lifetime (model-memory.ts). */
  private readonly memory = new ModelMemory(this);

  constructor(args: { layers?: Layer[]; name?: string } = {}) {
    knownKeys(args, 'sequential', ['layers', 'name']);
    this.name = args.name ?? `sequential_${++modelCount}`;
    if (args.layers !== undefined) {
      if (!Array.isArray(args.layers)) fail('sequential: layers', 'an array of layers', args.layers);
      for (const l of args.layers) this.add(l);
    }
  }

  get optimizer(): Optimizer | null { return this.compiled?.optimizer ?? null; }
  get loss(): Loss | null { return this.compiled?.loss ?? null; }
  get metrics(): string[] { return this.compiled?.metrics ?? []; }
  get weightedMetrics(): string[] { return this.compiled?.weightedMetrics ?? []; }

  /** Input shape without the batch dimension, once known. */
  get inputShape(): number[] | null {
    return this.layers[0]?.inputShape ?? this.layers[0]?.declaredInputShape ?? null;
  }

  get outputShape(): number[] | null {
    return this.layers[this.layers.length - 1]?.outputShape ?? null;
  }

  get built(): boolean {
    return this.layers.length > 0 && this.layers.every((l) => l.built);
  }

  /**
   * Frees the model's WASM memory now: its layers' weights and optimizer state, and its scratch. Any later
   * use of the model (or of its layers) throws. Calling it again does nothing.
   */
  dispose(): void {
    if (this.memory.isDisposed) return;
    if (this.fitting) throw new Error(`dispose: ${this.name} is training; dispose it after fit() has finished (set model.stopTraining = true to end it early)`);
    this.memory.dispose();
    for (const l of this.layers) l.dispose();
  }

  /** Throws a clear Error once the model is disposed; `what` names the call. */
  private usable(what: string): void {
    this.memory.usable(what, this.name);
  }

  add(layer: Layer): void {
    this.usable('add');
    if (!(layer instanceof Layer)) fail('add: layer', 'a layer from bw.layers', layer);
    layer.assertUsable('add');
    // fit prepared its targets for the current output width; a new last layer would change it mid-fit
    if (this.fitting) throw new Error(`add: ${this.name} is training; add layers after fit() has finished`);
    if (this.layers.includes(layer)) throw new Error(`add: layer '${layer.name}' is already in this model`);
    if (this.layers.some((l) => l.name === layer.name)) throw new Error(`add: a layer named '${layer.name}' is already in this model; layer names must be unique`);
    if (this.layers.length === 0) {
      if (!layer.built && layer.declaredInputShape) layer.build(layer.declaredInputShape);
      this.layers.push(layer);
      return;
    }
    const prev = this.outputShape;
    if (prev) layer.build(prev); // throws (and adds nothing) when the layer cannot take this input
    this.layers.push(layer);
  }

  /** Builds every layer for inputs of `shape` (no batch dimension). */
  build(shape: number[]): void {
    this.usable('build');
    if (this.layers.length === 0) throw new Error(`${this.name}: the model has no layers; add some first`);
    let s = shape;
    for (const l of this.layers) s = l.build(s);
  }

  compile(args: CompileArgs): void {
    this.usable('compile');
    knownKeys(args, 'compile', ['optimizer', 'loss', 'metrics', 'weightedMetrics']);
    if (args === undefined) throw new Error('compile: expected { optimizer, loss, metrics? }, got undefined');
    // fit prepared its targets for the loss it started with: changing it mid-fit would train on the wrong ones
    if (this.fitting) throw new Error(`compile: ${this.name} is training; compile it again after fit() has finished`);
    const optimizer = toOptimizer(args.optimizer);
    const loss = oneOf(typeof args.loss === 'string' ? LOSS_ALIASES[args.loss] ?? args.loss : args.loss, 'compile: loss', LOSSES);
    const names = (what: 'metrics' | 'weightedMetrics'): MetricName[] => {
      const list = args[what] ?? [];
      if (!Array.isArray(list)) fail(`compile: ${what}`, `an array of metric names (${METRIC_NAMES.join(', ')})`, list);
      list.forEach((m, i) => oneOf(m, `compile: ${what}[${i}]`, METRIC_NAMES));
      return [...new Set(list as MetricName[])];
    };
    const metrics = names('metrics'), weightedMetrics = names('weightedMetrics');
    this.compiled = { optimizer, loss, metrics, weightedMetrics };
  }

  private requireCompiled(what: string): Compiled {
    if (!this.compiled) throw new Error(`${what}: the model must be compiled first (model.compile({ optimizer, loss }))`);
    return this.compiled;
  }

  /** Checks x against the model (building it from x's shape when needed). */
  private inputs(x: unknown, what: string): Tensor {
    if (this.layers.length === 0) throw new Error(`${what}: the model has no layers`);
    const t = checkInputs(x, `${what}: x`, this.inputShape);
    if (!this.built) this.build(t.shape.slice(1));
    return t;
  }

  private dataset(x: unknown, y: unknown, what: string): Dataset {
    const xt = this.inputs(x, what);
    const rows = xt.shape[0];
    const ys = prepareTargets(y, `${what}: y`, rows, this.compiled!.loss, this.outputShape!);
    return { x: xt.values, y: ys, rows, xRow: xt.size / rows, yRow: ys.length / rows };
  }

  /** Fresh accumulators of the compiled metrics, the weighted ones last (logged as Keras 3 names them). */
  private metricSet(): Metric[] {
    const c = this.compiled!, s = this.outputShape!, width = s[s.length - 1];
    const logNames = weightedMetricNames(c.metrics, c.weightedMetrics);
    return [...c.metrics.map((name) => makeMetric(name, c.loss, width)),
      ...c.weightedMetrics.map((name, i) => makeMetric(name, c.loss, width, true, logNames[i]))];
  }

  /** Whether a larger value of a compiled metric (by its log name) is better (for callbacks' mode 'auto'). */
  metricDirection(name: string): 'up' | 'down' | undefined {
    if (!this.compiled) return undefined;
    const { metrics, weightedMetrics, loss } = this.compiled;
    const logNames = weightedMetricNames(metrics, weightedMetrics);
    const metric = (metrics as string[]).includes(name) ? name as MetricName : weightedMetrics[logNames.indexOf(name)];
    return metric === undefined ? undefined : makeMetric(metric, loss, 1).direction;
  }

  private scratchArena(): Arena {
    return this.memory.arena();
  }

  private step(rows: number, xRow: number, yRow: number, fill: (x: Float32Array, y: Float32Array) => void,
    weights: Float32Array | null = null, metrics: Metric[] = []): StepResult {
    const { optimizer, loss } = this.compiled!;
    return trainStep({ layers: this.layers, optimizer, loss, metrics, weights, arena: this.scratchArena(), k: kernels() },
      rows, xRow, yRow, fill);
  }

  private evaluateDataset(d: Dataset, batchSize: number, weights: Float32Array | null = null): Record<string, number> {
    return evaluateRows(this.layers, this.scratchArena(), this.compiled!.loss, this.metricSet(), d, batchSize, weights);
  }

  /**
   * A new model for deployment: every inference-mode BatchNormalization that follows a linear Dense
   * (over its feature axis) folded into that Dense (fold.ts). The predictions are the same (to float32
   * rounding); the folded model has fewer layers and no BN.
   */
  foldBatchNorm(): Sequential {
    this.usable('foldBatchNorm');
    if (!this.built) throw new Error('foldBatchNorm: the model is not built yet');
    const shape = this.inputShape!, copies = foldedLayers(this.layers, shape);
    const model = new Sequential({ name: `${this.name}_folded`, layers: copies.map(([l]) => l) });
    if (!model.built) model.build(shape);
    for (const [l, weights] of copies) l.setWeights(weights);
    return model;
  }

  /**
   * Replaces every trainable BatchNormalization layer's moving statistics with the exact mean and variance
   * of its training-mode input over all rows of x (see calibrate.ts).
   */
  async calibrateBatchNorm(x: Tensor, args: CalibrateArgs = {}): Promise<void> {
    this.usable('calibrateBatchNorm');
    calibrateBatchNorm(this, x, args);
  }

  /**
   * One optimizer step in training mode on all rows of x; returns the batch's loss, weighted per sample
   * (sampleWeight times classWeight) exactly as fit weights a batch.
   */
  trainOnBatch(x: Tensor, y: Tensor, args: TrainOnBatchArgs = {}): number {
    knownKeys(args, 'trainOnBatch', ['sampleWeight', 'classWeight']);
    this.usable('trainOnBatch');
    this.requireCompiled('trainOnBatch');
    return this.unbuiltOnError(() => {
      const d = this.dataset(x, y, 'trainOnBatch');
      const sw = sampleWeights('trainOnBatch', d.rows, d.y, d.yRow, undefined, args.sampleWeight);
      const weights = withClassWeight('trainOnBatch', d.rows, d.y, d.yRow, args.classWeight, sw);
      try {
        return this.step(d.rows, d.xRow, d.yRow, (xv, yv) => { xv.set(d.x); yv.set(d.y); }, weights).loss;
      } catch (e) {
        if (e instanceof DivergenceError) throw new DivergenceError(`trainOnBatch: training diverged: ${e.message}`);
        throw e;
      }
    });
  }

  /** unbuild-guard.ts: a failed call unbuilds the layers it built and drops the scratch made for them. */
  private unbuiltOnError<T>(call: () => T): T {
    const hadArena = this.memory.hasArena;
    return unbuiltOnError(this.layers, () => this.optimizer?.iterations, () => {
      if (!hadArena) this.memory.dropArena();
    }, call);
  }

  predict(x: Tensor, args: { batchSize?: number } = {}): Tensor {
    knownKeys(args, 'predict', ['batchSize', 'verbose']);
    this.usable('predict');
    const batchSize = integer(args.batchSize ?? 32, 'predict: batchSize', 1);
    try {
      return this.unbuiltOnError(() => predictRows(this.layers, this.scratchArena(), this.inputs(x, 'predict'), batchSize));
    } finally {
      this.memory.trim();
    }
  }

  /**
   * The loss (weighted per sample when sampleWeight or classWeight is given, weight penalties included) and
   * every compiled metric over x, in inference mode.
   */
  evaluate(x: Tensor, y: Tensor, args: EvaluateArgs = {}): { loss: number; [metric: string]: number } {
    knownKeys(args, 'evaluate', ['batchSize', 'verbose', 'sampleWeight', 'classWeight']);
    this.usable('evaluate');
    this.requireCompiled('evaluate');
    const batchSize = integer(args.batchSize ?? 32, 'evaluate: batchSize', 1);
    try {
      return this.unbuiltOnError(() => {
        const d = this.dataset(x, y, 'evaluate');
        const weights = sampleWeights('evaluate', d.rows, d.y, d.yRow, args.classWeight, args.sampleWeight);
        return this.evaluateDataset(d, batchSize, weights) as { loss: number; [metric: string]: number };
      });
    } finally {
      this.memory.trim();
    }
  }

  async fit(x: Tensor, y: Tensor, args: FitArgs = {}): Promise<History> {
    // as TF.js: two interleaved fit calls on one model would train it on both datasets at once
    this.usable('fit');
    if (this.fitting) throw new Error(`fit: ${this.name} is already training (another fit() call on this model has not finished)`);
    this.fitting = true;
    try {
      await nextTurn(); // lets models dropped before this fit be collected (holding.ts)
      const history = await this.unbuiltOnError(() => fitLoop({
        begin: () => { this.requireCompiled('fit'); },
        metrics: () => this.metricSet(),
        dataset: (xs, ys, what) => this.dataset(xs, ys, what),
        step: (rows, xRow, yRow, fill, weights, metrics) => this.step(rows, xRow, yRow, fill, weights, metrics),
        evaluate: (d, batchSize, weights) => this.evaluateDataset(d, batchSize, weights),
        model: this,
      }, x, y, args));
      noticeAfterFit(this);
      return history;
    } finally {
      this.fitting = false;
      this.memory.trim();
    }
  }

  /** Every weight, layer by layer, in Keras order. */
  getWeights(): Tensor[] {
    this.usable('getWeights');
    return this.layers.flatMap((l) => l.getWeights());
  }

  /** Checks the count and every shape before writing anything (set-weights.ts). */
  setWeights(weights: Tensor[]): void {
    this.usable('setWeights');
    if (!this.built) throw new Error(`setWeights: the model is not built yet (give the first layer an inputShape, or call fit/predict once)`);
    setModelWeights(this.layers, weights);
  }

  /** Saves model.json + weights.bin (TF.js layers-model format) to a directory (Node) or an IOHandler. */
  save(destination: string | IOHandler): Promise<unknown> {
    try { this.usable('save'); } catch (e) { return Promise.reject(e); }
    return saveModel(this, destination);
  }

  countParams(): number {
    this.usable('countParams');
    return this.layers.reduce((s, l) => { const c = l.countParams(); return s + c.trainable + c.nonTrainable; }, 0);
  }

  /** A Keras-style table of layers, output shapes and parameter counts; printed and returned. */
  summary(): string {
    this.usable('summary');
    const text = summary(this);
    console.log(text);
    return text;
  }
}

export function sequential(args?: { layers?: Layer[]; name?: string }): Sequential {
  return new Sequential(args);
}
