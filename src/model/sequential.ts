import type { F32, Kernels } from '../backend/kernels.js';
import { heap, kernels } from '../backend/runtime.js';
import { Activation } from '../layers/activation.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Conv2D } from '../layers/conv2d.js';
import { Dense } from '../layers/dense.js';
import { AveragePooling2D, GlobalAveragePooling2D, MaxPooling2D } from '../layers/pooling2d.js';
import { Flatten, Reshape } from '../layers/reshape.js';
import { Dropout } from '../layers/dropout.js';
import { Layer, type StepContext } from '../layers/layer.js';
import { Arena } from '../memory/arena.js';
import { Tensor, toTensor } from '../tensor/tensor.js';
import { rng } from '../util/rng.js';
import { boolean, fail, integer, knownKeys, number, oneOf, show } from '../util/validate.js';
import { checkInputs, prepareTargets, sliceRows, type Dataset } from './data.js';
import { History } from './history.js';
import { accuracyKind, countCorrect, isCrossEntropy, lossAndGrad, LOSSES, type AccuracyKind, type Loss } from './losses.js';
import { toOptimizer, type Optimizer } from './optimizers.js';
import { foldable, foldInto, InferencePlan } from './inference-plan.js';
import { epochProgress } from './progress.js';
import { saveModel, type IOHandler } from '../io/index.js';
import { summary } from './summary.js';

export type Logs = Record<string, number>;
export interface Callbacks {
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs: Logs) => void | Promise<void>;
}
export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  callbacks?: Callbacks;
  verbose?: 0 | 1 | 2;
}
export interface CompileArgs { optimizer: unknown; loss: Loss; metrics?: string[] }

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose'];
const CALLBACK_KEYS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'];

let modelCount = 0;

/** Thrown by a training step whose loss is NaN or infinite; the step's changes were rolled back. */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
}

/** A model's scratch arena goes back to the heap when the model is collected (the layers free their own weights). */
const reclaimArena = new FinalizationRegistry<Arena>((arena) => {
  try { arena.release(); } catch { /* the runtime is gone */ }
});

/** True when every value is finite: x − x is 0 for finite x and NaN for NaN and ±Infinity (branch-free, 4 sums). */
function allFinite(v: Float32Array): boolean {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = 0;
  for (const end = v.length & ~3; i < end; i += 4) {
    s0 += v[i] - v[i]; s1 += v[i + 1] - v[i + 1]; s2 += v[i + 2] - v[i + 2]; s3 += v[i + 3] - v[i + 3];
  }
  for (; i < v.length; i++) s0 += v[i] - v[i];
  return s0 + s1 + s2 + s3 === 0;
}

/**
 * A linear stack of layers, as tf.sequential. Layers are built as soon as the input shape is known;
 * training runs every step inside one scratch arena (no WASM allocation per step once a batch size has
 * run). Each step also copies the trainable weights and optimizer slots into that arena so a NaN step
 * can be rolled back (a memcpy of the parameters: a few percent of a step).
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
      if (layer.built) this.layers.push(layer);
      else if (layer.declaredInputShape) { layer.build(layer.declaredInputShape); this.layers.push(layer); }
      else this.layers.push(layer);
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

  private dataset(x: unknown, y: unknown, what: string, loss: Loss): Dataset {
    const xt = this.inputs(x, what);
    const rows = xt.shape[0];
    const ys = prepareTargets(y, `${what}: y`, rows, loss, this.outputShape!);
    return { x: xt.values, y: ys, rows, xRow: xt.size / rows, yRow: ys.length / rows };
  }

  private get outputWidth(): number {
    const s = this.outputShape!;
    return s[s.length - 1];
  }

  private accuracy(): AccuracyKind | null {
    const c = this.compiled!;
    return c.metrics.includes('accuracy') ? accuracyKind(c.loss, this.outputWidth) : null;
  }

  private scratchArena(): Arena {
    if (!this.arena) {
      this.arena = new Arena(heap());
      reclaimArena.register(this, this.arena);
    }
    return this.arena;
  }

  /**
   * One optimizer step on `rows` samples that `fill` writes into the input and target views.
   * Returns the batch's mean loss and its number of correct predictions (accuracy numerator).
   * A non-finite loss, or an update that leaves a weight non-finite, throws a
   * DivergenceError; any failure (that one, or running out of memory mid-step) leaves the weights, the
   * moving statistics and the optimizer state as they were before the step.
   */
  private trainStep(rows: number, xRow: number, yRow: number, fill: (x: Float32Array, y: Float32Array) => void): { loss: number; correct: number; samples: number } {
    const h = heap(), k = kernels(), arena = this.scratchArena();
    arena.reset();
    const ctx: StepContext = { k, training: true, scratch: (n) => arena.take(n) };
    const xin = arena.take(rows * xRow), tgt = arena.take(rows * yRow);
    fill(h.f32(xin), h.f32(tgt));
    const saved = this.movingStatistics();
    try {
      return this.stepWith(ctx, rows, xin, tgt);
    } catch (e) {
      this.restoreMovingStatistics(saved);
      throw e;
    }
  }

  private stepWith(ctx: StepContext, rows: number, xin: F32, tgt: F32): { loss: number; correct: number; samples: number } {
    const { optimizer, loss } = this.compiled!;
    const h = heap(), k = ctx.k, arena = this.arena!;
    const last = this.layers.length - 1, fused = this.layers[last].endsInSoftmax() && isCrossEntropy(loss);
    let a = xin;
    for (let i = 0; i < last; i++) a = this.layers[i].forward(ctx, a, rows);
    const out = fused ? this.layers[last].forwardLogits(ctx, a, rows) : this.layers[last].forward(ctx, a, rows);
    const cols = this.outputWidth, lossRows = out.length / cols;
    const grad = arena.take(out.length), probs = fused ? arena.take(out.length) : out;
    const sum = fused ? k.softmaxCrossEntropy(lossRows, cols, out, tgt, probs, grad)
      : lossAndGrad(k, loss, lossRows, cols, out, tgt, grad);
    const mean = sum / lossRows;
    if (!Number.isFinite(mean)) throw new DivergenceError(`the loss became ${mean}; the step was not applied`);
    const kind = this.accuracy();
    const correct = kind ? countCorrect(kind, lossRows, cols, h.f32(probs), h.f32(tgt)) : 0;
    const needs = this.inputGradNeeded();
    let g: F32 | null = fused ? this.layers[last].backwardLogits(ctx, grad, rows, needs[last])
      : this.layers[last].backward(ctx, grad, rows, needs[last]);
    for (let i = last - 1; i >= 0 && g; i--) g = this.layers[i].backward(ctx, g, rows, needs[i]);
    this.applyChecked(optimizer, k, arena);
    return { loss: mean, correct, samples: lossRows };
  }

  /**
   * optimizer.apply, undone when it leaves a weight non-finite (a finite loss can still give an
   * overflowing update, e.g. a huge learning rate, or NaN gradients from a NaN input that relu hid from the
   * loss) or when it throws half-way: the weights before the step are what fit promises to keep.
   */
  private applyChecked(optimizer: Optimizer, k: Kernels, arena: Arena): void {
    const params = this.layers.flatMap((l) => l.trainableParams());
    const blocks = params.flatMap((p) => [p.value, ...p.slots]), slotCounts = params.map((p) => p.slots.length);
    const backup = arena.take(blocks.reduce((s, b) => s + b.length, 0));
    const copy = (from: (b: F32, at: number) => [number, number, number]) => {
      const bytes = new Uint8Array(heap().memory.buffer);
      let at = backup.ptr;
      for (const b of blocks) { bytes.copyWithin(...from(b, at)); at += 4 * b.length; }
    };
    copy((b, at) => [at, b.ptr, b.ptr + 4 * b.length]);
    const iterations = optimizer.iterations;
    let finite = false;
    try {
      optimizer.apply(k, this.layers); // may also throw half-way (no memory for a new slot)
      const h = heap();
      // the weights only: a NaN gradient or an overflowing step shows there (an Adam v that overflows alone
      // freezes that weight but poisons nothing); scanning the slots too would double the cost
      finite = params.every((p) => allFinite(h.f32(p.value)));
    } finally {
      if (!finite) {
        copy((b, at) => [b.ptr, at, at + 4 * b.length]);
        const h = heap();
        params.forEach((p, i) => { for (const s of p.slots.slice(slotCounts[i])) h.f32(s).fill(0); });
        optimizer.iterations = iterations;
      }
    }
    if (!finite) throw new DivergenceError('the update made a weight NaN or infinite; the step was not applied');
  }

  /** needs[i]: whether layer i must compute its input gradient (some earlier layer has weights to train). */
  private inputGradNeeded(): boolean[] {
    let any = false;
    return this.layers.map((l) => { const n = any; if (l.trainableParams().length) any = true; return n; });
  }

  private movingStatistics(): Float32Array[] {
    const h = heap();
    return this.layers.flatMap((l) => l instanceof BatchNormalization
      ? [h.f32(l.statistics.movingMean.value).slice(), h.f32(l.statistics.movingVariance.value).slice()] : []);
  }

  private restoreMovingStatistics(saved: Float32Array[]): void {
    const h = heap();
    let i = 0;
    for (const l of this.layers) {
      if (!(l instanceof BatchNormalization)) continue;
      h.f32(l.statistics.movingMean.value).set(saved[i++]);
      h.f32(l.statistics.movingVariance.value).set(saved[i++]);
    }
  }

  /** Inference on `rows` samples; calls `read` with the output view (valid only inside the call). */
  private inferBatch(rows: number, xs: Float32Array, plan: InferencePlan, read: (out: Float32Array, out32: F32) => void): void {
    const h = heap(), arena = this.scratchArena();
    arena.reset();
    const ctx: StepContext = { k: kernels(), training: false, scratch: (n) => arena.take(n) };
    const xin = arena.take(xs.length);
    h.f32(xin).set(xs);
    let a = xin;
    a = plan.run(ctx, a, rows);
    read(h.f32(a), a);
  }

  /**
   * Runs `body` with the inference plan for `rows` samples in batches of `batchSize`: BN folded into the
   * Dense layers in front; weights packed once when that pays (several batches of 4 or more rows; one
   * batch packs them once anyway, and fewer than 4 rows take the GEMM's gemv path, which reads W as is).
   */
  private withFoldedPlan<T>(rows: number, batchSize: number, body: (plan: InferencePlan) => T): T {
    const plan = new InferencePlan(this.layers, kernels(), rows > batchSize && batchSize >= 4);
    try {
      return body(plan);
    } finally {
      plan.release();
    }
  }

  /**
   * A new model for deployment: every inference-mode BatchNormalization that follows a linear Dense or
   * Conv2D (over its feature/channel axis) folded into it: W' = W·γ/√(var + ε), b' = (b − μ)·γ/√(var + ε) + β.
   * The predictions are the same (to float32 rounding); the folded model has fewer layers and no BN.
   */
  foldBatchNorm(): Sequential {
    if (!this.built) throw new Error('foldBatchNorm: the model is not built yet');
    const shape = this.inputShape!;
    const copies: Array<[Layer, Tensor[]]> = [];
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i], bn = this.layers[i + 1], inputShape = i === 0 ? shape : undefined;
      if (foldable(l, bn)) {
        const base = { useBias: true, kernelInitializer: l.kernelInitializer, name: l.name, trainable: l.trainable, inputShape };
        const folded = l instanceof Dense ? new Dense({ ...base, units: l.units })
          : new Conv2D({ ...base, filters: l.filters, kernelSize: l.kernelSize, strides: l.strides, padding: l.padding });
        copies.push([folded, foldedWeights(l, bn as BatchNormalization)]);
        i++;
      } else {
        copies.push([cloneLayer(l, inputShape), l.getWeights()]);
      }
    }
    const model = new Sequential({ name: `${this.name}_folded`, layers: copies.map(([l]) => l) });
    if (!model.built) model.build(shape);
    for (const [l, weights] of copies) l.setWeights(weights);
    return model;
  }

  /** One optimizer step in training mode; returns the batch's mean loss. */
  trainOnBatch(x: Tensor, y: Tensor): number {
    const { loss } = this.requireCompiled('trainOnBatch');
    const d = this.dataset(x, y, 'trainOnBatch', loss);
    try {
      return this.trainStep(d.rows, d.xRow, d.yRow, (xv, yv) => { xv.set(d.x); yv.set(d.y); }).loss;
    } catch (e) {
      if (e instanceof DivergenceError) throw new DivergenceError(`trainOnBatch: training diverged: ${e.message}`);
      throw e;
    }
  }

  predict(x: Tensor, args: { batchSize?: number } = {}): Tensor {
    knownKeys(args, 'predict', ['batchSize', 'verbose']);
    const batchSize = integer(args.batchSize ?? 32, 'predict: batchSize', 1);
    const xt = this.inputs(x, 'predict');
    const rows = xt.shape[0], xRow = xt.size / rows, outShape = this.outputShape!;
    const outRow = outShape.reduce((a, b) => a * b, 1);
    const result = new Float32Array(rows * outRow);
    this.withFoldedPlan(rows, batchSize, (plan) => {
      for (let start = 0; start < rows; start += batchSize) {
        const n = Math.min(batchSize, rows - start);
        this.inferBatch(n, xt.values.subarray(start * xRow, (start + n) * xRow), plan, (out) => result.set(out, start * outRow));
      }
    });
    return new Tensor(result, [rows, ...outShape]);
  }

  evaluate(x: Tensor, y: Tensor, args: { batchSize?: number } = {}): { loss: number; accuracy?: number } {
    knownKeys(args, 'evaluate', ['batchSize', 'verbose']);
    const { loss } = this.requireCompiled('evaluate');
    const batchSize = integer(args.batchSize ?? 32, 'evaluate: batchSize', 1);
    return this.evaluateDataset(this.dataset(x, y, 'evaluate', loss), batchSize);
  }

  private evaluateDataset(d: Dataset, batchSize: number): { loss: number; accuracy?: number } {
    const { loss } = this.compiled!;
    const kind = this.accuracy(), cols = this.outputWidth, h = heap(), k = kernels();
    let lossSum = 0, correct = 0, samples = 0;
    // the same inference path as predict (BN folded), so evaluate's accuracy is argmax of predict's output
    this.withFoldedPlan(d.rows, batchSize, (plan) => {
    for (let start = 0; start < d.rows; start += batchSize) {
      const n = Math.min(batchSize, d.rows - start);
      const targets = d.y.subarray(start * d.yRow, (start + n) * d.yRow);
      this.inferBatch(n, d.x.subarray(start * d.xRow, (start + n) * d.xRow), plan, (_view, out) => {
        const lossRows = out.length / cols, arena = this.arena!;
        const tgt = arena.take(out.length), dp = arena.take(out.length);
        h.f32(tgt).set(targets);
        lossSum += lossAndGrad(k, loss, lossRows, cols, out, tgt, dp);
        if (kind) correct += countCorrect(kind, lossRows, cols, h.f32(out), targets);
        samples += lossRows;
      });
    }
    });
    const result: { loss: number; accuracy?: number } = { loss: lossSum / samples };
    if (kind) result.accuracy = correct / samples;
    return result;
  }

  async fit(x: Tensor, y: Tensor, args: FitArgs = {}): Promise<History> {
    // as TF.js: two interleaved fit calls on one model would train it on both datasets at once
    if (this.fitting) throw new Error(`fit: ${this.name} is already training (another fit() call on this model has not finished)`);
    this.fitting = true;
    try {
      return await this.fitUnguarded(x, y, args);
    } finally {
      this.fitting = false;
    }
  }

  private async fitUnguarded(x: Tensor, y: Tensor, args: FitArgs): Promise<History> {
    knownKeys(args, 'fit', FIT_KEYS);
    const { loss } = this.requireCompiled('fit');
    const epochs = integer(args.epochs ?? 1, 'fit: epochs', 1);
    const batchSize = integer(args.batchSize ?? 32, 'fit: batchSize', 1);
    const shuffle = boolean(args.shuffle ?? true, 'fit: shuffle');
    const verbose = integer(args.verbose ?? 0, 'fit: verbose', 0, 2);
    const callbacks = args.callbacks ?? {};
    knownKeys(callbacks, 'fit: callbacks', CALLBACK_KEYS);
    for (const [key, fn] of Object.entries(callbacks)) {
      if (typeof fn !== 'function') fail(`fit: callbacks.${key}`, 'a function', fn);
    }
    let train = this.dataset(x, y, 'fit', loss);
    let validation: Dataset | null = null;
    if (args.validationData !== undefined) {
      const vd = args.validationData;
      if (!Array.isArray(vd) || vd.length !== 2) fail('fit: validationData', '[x, y]', vd);
      validation = this.dataset(vd[0], vd[1], 'fit: validationData', loss);
    } else if (args.validationSplit !== undefined) {
      const split = number(args.validationSplit, 'fit: validationSplit', (s) => s >= 0 && s < 1, 'a number in [0, 1)');
      // Keras takes the validation rows from the end, before shuffling
      const at = Math.floor(train.rows * (1 - split));
      if (split > 0) {
        if (at < 1 || at >= train.rows) {
          throw new Error(`fit: validationSplit ${split} of ${train.rows} samples leaves ${at} for training and ${train.rows - at} for validation; both need at least one`);
        }
        validation = sliceRows(train, at, train.rows);
        train = sliceRows(train, 0, at);
      }
    }

    const history = new History();
    const kind = this.accuracy();
    const { rows, xRow, yRow } = train;
    this.stopTraining = false;
    await callbacks.onTrainBegin?.();
    for (let epoch = 0; epoch < epochs && !this.stopTraining; epoch++) {
      await callbacks.onEpochBegin?.(epoch);
      const order = shuffle ? rng.permutation(rows) : null;
      const bar = verbose === 1 ? await epochProgress(epoch, epochs, rows) : null;
      let lossSum = 0, correct = 0, samples = 0, seen = 0;
      const logs = (): Logs => {
        const l: Logs = { loss: lossSum / samples };
        if (kind) l.accuracy = correct / samples;
        return l;
      };
      const batches = Math.ceil(rows / batchSize);
      for (let b = 0; b < batches && !this.stopTraining; b++) {
        const start = b * batchSize, n = Math.min(batchSize, rows - start);
        await callbacks.onBatchBegin?.(b, { batch: b, size: n });
        let step;
        try {
          step = this.trainStep(n, xRow, yRow, (xv, yv) => {
            for (let i = 0; i < n; i++) {
              const r = order ? order[start + i] : start + i;
              xv.set(train.x.subarray(r * xRow, (r + 1) * xRow), i * xRow);
              yv.set(train.y.subarray(r * yRow, (r + 1) * yRow), i * yRow);
            }
          });
        } catch (e) {
          if (e instanceof DivergenceError) {
            throw new DivergenceError(`fit: training diverged at epoch ${epoch + 1}, batch ${b + 1}: ${e.message}; the model keeps the weights from before that step`);
          }
          throw e;
        }
        lossSum += step.loss * step.samples;
        correct += step.correct;
        samples += step.samples;
        seen += n;
        const batchLogs: Logs = { batch: b, size: n, loss: step.loss };
        if (kind) batchLogs.accuracy = step.correct / step.samples;
        await callbacks.onBatchEnd?.(b, batchLogs);
        bar?.update(seen, logs());
      }
      const epochLogs = logs();
      if (validation) {
        const v = this.evaluateDataset(validation, batchSize);
        epochLogs.val_loss = v.loss;
        if (v.accuracy !== undefined) epochLogs.val_accuracy = v.accuracy;
      }
      bar?.stop(epochLogs);
      if (verbose === 2) console.log(`Epoch ${epoch + 1}/${epochs} - ${Object.entries(epochLogs).map(([k, v]) => `${k}: ${v.toFixed(4)}`).join(' - ')}`);
      history.record(epoch, epochLogs);
      await callbacks.onEpochEnd?.(epoch, epochLogs);
    }
    await callbacks.onTrainEnd?.();
    return history;
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

/** A fresh, unbuilt copy of a layer with the same configuration (weights are copied by the caller). */
function cloneLayer(l: Layer, inputShape: number[] | undefined): Layer {
  const base = { name: l.name, trainable: l.trainable, inputShape };
  if (l instanceof Dense) return new Dense({ ...base, units: l.units, activation: l.activation, useBias: l.useBias, kernelInitializer: l.kernelInitializer, biasInitializer: l.biasInitializer });
  if (l instanceof BatchNormalization) {
    return new BatchNormalization({ ...base, axis: l.axis, momentum: l.momentum, epsilon: l.epsilon, center: l.center, scale: l.scale,
      betaInitializer: l.betaInitializer, gammaInitializer: l.gammaInitializer, movingMeanInitializer: l.movingMeanInitializer, movingVarianceInitializer: l.movingVarianceInitializer });
  }
  if (l instanceof Activation) return new Activation({ ...base, activation: l.activation });
  if (l instanceof Dropout) return new Dropout({ ...base, rate: l.rate });
  if (l instanceof Conv2D) {
    return new Conv2D({ ...base, filters: l.filters, kernelSize: l.kernelSize, strides: l.strides, padding: l.padding, activation: l.activation,
      useBias: l.useBias, kernelInitializer: l.kernelInitializer, biasInitializer: l.biasInitializer });
  }
  if (l instanceof MaxPooling2D) return new MaxPooling2D({ ...base, poolSize: l.poolSize, strides: l.strides, padding: l.padding });
  if (l instanceof AveragePooling2D) return new AveragePooling2D({ ...base, poolSize: l.poolSize, strides: l.strides, padding: l.padding });
  if (l instanceof GlobalAveragePooling2D) return new GlobalAveragePooling2D(base);
  if (l instanceof Flatten) return new Flatten(base);
  if (l instanceof Reshape) return new Reshape({ ...base, targetShape: l.targetShape });
  throw new Error(`foldBatchNorm: cannot copy layer ${l.name} (${l.className})`);
}

/** The folded kernel and bias as tensors, computed by the same kernels predict uses. */
function foldedWeights(dense: Dense | Conv2D, bn: BatchNormalization): [Tensor, Tensor] {
  const h = heap(), shape = dense.kernelParam.shape, units = shape[shape.length - 1], blocks: F32[] = [];
  const alloc = (n: number) => { const f = h.alloc(n); blocks.push(f); return f; };
  try {
    const w = alloc(dense.kernelParam.value.length), b = alloc(units);
    foldInto(kernels(), dense, bn, w, b, alloc);
    return [new Tensor(h.f32(w).slice(), [...shape]), new Tensor(h.f32(b).slice(), [units])];
  } finally {
    for (const f of blocks) h.release(f);
  }
}

export function sequential(args?: { layers?: Layer[]; name?: string }): Sequential {
  return new Sequential(args);
}
