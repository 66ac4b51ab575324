import { heap, kernels } from '../backend/runtime.js';
import type { IOHandler } from '../io/artifacts.js';
import { saveModel } from '../io/save.js';
import { Layer } from '../layers/layer.js';
import { Arena } from '../memory/arena.js';
import { Tensor, toTensor } from '../tensor/tensor.js';
import { fail, integer, knownKeys, oneOf, show } from '../util/validate.js';
import { checkInputs, prepareTargets, type Dataset } from './data.js';
import { fitLoop, type FitArgs } from './fit.js';
import { foldedLayers } from './fold.js';
import type { History } from './history.js';
import { evaluateRows, predictRows } from './inference.js';
import { accuracyKind, LOSSES, type AccuracyKind, type Loss } from './losses.js';
import { toOptimizer, type Optimizer } from './optimizers.js';
import { summary } from './summary.js';
import { DivergenceError, trainStep, type StepResult } from './train-step.js';

export { DivergenceError };
export type { Callbacks, FitArgs, Logs } from './fit.js';
export interface CompileArgs { optimizer: unknown; loss: Loss; metrics?: string[] }

let modelCount = 0;

/** A model's scratch arena goes back to the heap when the model is collected (the layers free their own weights). */
const reclaimArena = new FinalizationRegistry<Arena>((arena) => {
  try { arena.release(); } catch { /* the runtime is gone */ }
});

/**
 * A linear stack of layers, as tf.sequential: its structure, compile, weights and save live here; the
 * jobs live beside it: train-step.ts (one step and its rollback), fit.ts (the epoch loop), inference.ts
 * (predict and evaluate on the folded plan), fold.ts (foldBatchNorm). Layers are built as soon as the
 * input shape is known; training and inference run inside one scratch arena per model (no WASM
 * allocation per step once a batch size has run).
 */
export class Sequential {
  readonly name: string;
  readonly layers: Layer[] = [];
  /** Set to true from a callback to end fit after the current batch (as in TF.js). */
  stopTraining = false;
  private compiled: { optimizer: Optimizer; loss: Loss; metrics: string[] } | null = null;
  private arena: Arena | null = null;
  private fitting = false;

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

  add(layer: Layer): void {
    if (!(layer instanceof Layer)) fail('add: layer', 'a layer from bw.layers', layer);
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
    if (this.layers.length === 0) throw new Error(`${this.name}: the model has no layers; add some first`);
    let s = shape;
    for (const l of this.layers) s = l.build(s);
  }

  compile(args: CompileArgs): void {
    knownKeys(args, 'compile', ['optimizer', 'loss', 'metrics']);
    if (args === undefined) throw new Error('compile: expected { optimizer, loss, metrics? }, got undefined');
    // fit prepared its targets for the loss it started with: changing it mid-fit would train on the wrong ones
    if (this.fitting) throw new Error(`compile: ${this.name} is training; compile it again after fit() has finished`);
    const optimizer = toOptimizer(args.optimizer);
    const loss = oneOf(args.loss, 'compile: loss', LOSSES);
    const metrics = args.metrics ?? [];
    if (!Array.isArray(metrics) || !metrics.every((m) => m === 'accuracy')) {
      fail('compile: metrics', `['accuracy'] or []`, metrics);
    }
    this.compiled = { optimizer, loss, metrics: metrics.length ? ['accuracy'] : [] };
  }

  private requireCompiled(what: string): { optimizer: Optimizer; loss: Loss; metrics: string[] } {
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

  private accuracy(): AccuracyKind | null {
    const c = this.compiled!, s = this.outputShape!;
    return c.metrics.includes('accuracy') ? accuracyKind(c.loss, s[s.length - 1]) : null;
  }

  private scratchArena(): Arena {
    if (!this.arena) {
      this.arena = new Arena(heap());
      reclaimArena.register(this, this.arena);
    }
    return this.arena;
  }

  private step(rows: number, xRow: number, yRow: number, fill: (x: Float32Array, y: Float32Array) => void): StepResult {
    const { optimizer, loss } = this.compiled!;
    return trainStep({ layers: this.layers, optimizer, loss, accuracy: this.accuracy(), arena: this.scratchArena(), k: kernels() },
      rows, xRow, yRow, fill);
  }

  private evaluateDataset(d: Dataset, batchSize: number): { loss: number; accuracy?: number } {
    return evaluateRows(this.layers, this.scratchArena(), this.compiled!.loss, this.accuracy(), d, batchSize);
  }

  /**
   * A new model for deployment: every inference-mode BatchNormalization that follows a linear Dense
   * (over its feature axis) folded into that Dense (fold.ts). The predictions are the same (to float32
   * rounding); the folded model has fewer layers and no BN.
   */
  foldBatchNorm(): Sequential {
    if (!this.built) throw new Error('foldBatchNorm: the model is not built yet');
    const shape = this.inputShape!, copies = foldedLayers(this.layers, shape);
    const model = new Sequential({ name: `${this.name}_folded`, layers: copies.map(([l]) => l) });
    if (!model.built) model.build(shape);
    for (const [l, weights] of copies) l.setWeights(weights);
    return model;
  }

  /** One optimizer step in training mode; returns the batch's mean loss. */
  trainOnBatch(x: Tensor, y: Tensor): number {
    this.requireCompiled('trainOnBatch');
    const d = this.dataset(x, y, 'trainOnBatch');
    try {
      return this.step(d.rows, d.xRow, d.yRow, (xv, yv) => { xv.set(d.x); yv.set(d.y); }).loss;
    } catch (e) {
      if (e instanceof DivergenceError) throw new DivergenceError(`trainOnBatch: training diverged: ${e.message}`);
      throw e;
    }
  }

  predict(x: Tensor, args: { batchSize?: number } = {}): Tensor {
    knownKeys(args, 'predict', ['batchSize', 'verbose']);
    const batchSize = integer(args.batchSize ?? 32, 'predict: batchSize', 1);
    return predictRows(this.layers, this.scratchArena(), this.inputs(x, 'predict'), batchSize);
  }

  evaluate(x: Tensor, y: Tensor, args: { batchSize?: number } = {}): { loss: number; accuracy?: number } {
    knownKeys(args, 'evaluate', ['batchSize', 'verbose']);
    this.requireCompiled('evaluate');
    const batchSize = integer(args.batchSize ?? 32, 'evaluate: batchSize', 1);
    return this.evaluateDataset(this.dataset(x, y, 'evaluate'), batchSize);
  }

  async fit(x: Tensor, y: Tensor, args: FitArgs = {}): Promise<History> {
    // as TF.js: two interleaved fit calls on one model would train it on both datasets at once
    if (this.fitting) throw new Error(`fit: ${this.name} is already training (another fit() call on this model has not finished)`);
    this.fitting = true;
    try {
      const model = this;
      return await fitLoop({
        begin: () => { this.requireCompiled('fit'); return this.accuracy(); },
        dataset: (xs, ys, what) => this.dataset(xs, ys, what),
        step: (rows, xRow, yRow, fill) => this.step(rows, xRow, yRow, fill),
        evaluate: (d, batchSize) => this.evaluateDataset(d, batchSize),
        get stopTraining() { return model.stopTraining; },
        set stopTraining(v: boolean) { model.stopTraining = v; },
      }, x, y, args);
    } finally {
      this.fitting = false;
    }
  }

  /** Every weight, layer by layer, in Keras order. */
  getWeights(): Tensor[] {
    return this.layers.flatMap((l) => l.getWeights());
  }

  /** Checks the count and every shape before writing anything. */
  setWeights(weights: Tensor[]): void {
    if (!this.built) throw new Error(`setWeights: the model is not built yet (give the first layer an inputShape, or call fit/predict once)`);
    const counts = this.layers.map((l) => l.weights().length), total = counts.reduce((a, b) => a + b, 0);
    if (!Array.isArray(weights) || weights.length !== total) {
      throw new Error(`setWeights: expected ${total} weights, got ${Array.isArray(weights) ? weights.length : show(weights)}`);
    }
    let i = 0;
    const plan = this.layers.map((l, li) => {
      const ws = weights.slice(i, i + counts[li]).map((w, j) => toTensor(w, `setWeights: weights[${i + j}]`));
      l.weights().forEach((p, j) => {
        if (ws[j].shape.join() !== p.shape.join()) {
          throw new Error(`setWeights: weights[${i + j}] (${l.name}/${p.name}) must have shape [${p.shape.join(', ')}], got [${ws[j].shape.join(', ')}]`);
        }
      });
      i += counts[li];
      return ws;
    });
    this.layers.forEach((l, li) => l.setWeights(plan[li]));
  }

  /** Saves model.json + weights.bin (TF.js layers-model format) to a directory (Node) or an IOHandler. */
  save(destination: string | IOHandler): Promise<unknown> {
    return saveModel(this, destination);
  }

  countParams(): number {
    return this.layers.reduce((s, l) => { const c = l.countParams(); return s + c.trainable + c.nonTrainable; }, 0);
  }

  /** A Keras-style table of layers, output shapes and parameter counts; printed and returned. */
  summary(): string {
    const text = summary(this);
    console.log(text);
    return text;
  }
}

export function sequential(args?: { layers?: Layer[]; name?: string }): Sequential {
  return new Sequential(args);
}
