import type { Kernels } from '../backend/kernels.js';
import { heap, kernels } from '../backend/runtime.js';
import { Arena } from '../memory/arena.js';
import { Holding } from '../memory/holding.js';
import type { F32 } from '../memory/heap.js';
import type { Constraint } from './constraints.js';
import type { Regularizer } from './regularizers.js';
import { Tensor, sizeOf, toTensor } from '../tensor/tensor.js';
import { initialize, type Initializer } from './initializers.js';
import { readArgs, type LayerDef, type Options } from './options.js';

/** One weight of a layer, in the shared memory: value, gradient (trainable weights only), optimizer slots. */
export interface Param {
  readonly name: string; // 'kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance'
  readonly shape: number[];
  readonly value: F32;
  readonly grad: F32 | null; // null for non-trainable state (moving statistics)
  slots: F32[]; // optimizer state, allocated by the optimizer on first use
}

/**
 * A weight a layer declares for a given input shape. Trainable weights get a gradient and are updated by
 * the optimizer; the others are state the layer updates itself (BN's moving statistics). Both are saved,
 * loaded, counted, snapshotted for a rolled-back step and copied by clone, with no per-layer code.
 */
export interface WeightDecl {
  readonly name: string;
  readonly shape: number[];
  readonly initializer: Initializer;
  readonly trainable: boolean;
}

/** What a layer makes of an input shape: its output shape and the weights it needs. */
export interface LayerPlan {
  readonly outputShape: number[];
  readonly weights: WeightDecl[];
}

/** What a layer sees during one forward/backward pass. */
export interface StepContext {
  readonly k: Kernels;
  readonly training: boolean;
  /** Scratch floats valid until the end of this step. */
  scratch(length: number): F32;
}

const counters = new Map<string, number>();
/** TF.js default names: `dense_Dense1`, `batch_normalization_BatchNormalization2`, `conv2d_Conv2D1`… */
export function defaultName(className: string): string {
  const n = (counters.get(className) ?? 0) + 1;
  counters.set(className, n);
  // TF.js's snake case: a capital starts a word only before lower case or digits (Conv2D → conv2d)
  const snake = className.replace(/(.)([A-Z][a-z0-9]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  return `${snake}_${className}${n}`;
}

/**
 * The base of every layer. A layer class declares, once:
 * - its options (`defineLayer`: names, defaults, checks, model.json form), which this constructor checks
 *   and exposes as read-only fields, and which getConfig, clone and loading from model.json all use;
 * - `plan(shape)`: its output shape and weights for an input shape, without allocating anything;
 * - forward/backward over the step's scratch memory.
 * Rank is free: shapes are arrays without the batch dimension, and `rows` is the batch size.
 * This file is over 250 lines on purpose: it is that one shared contract (build and weights, lifetime,
 * penalties and constraints, get/set/clone, the eager apply), every part used by every layer; the per-layer
 * declaration machinery is already in options.ts and the class list in registry.ts.
 */
export abstract class Layer {
  readonly className: string;
  name: string;
  /** Frozen layers keep their weights; a frozen BatchNormalization also runs in inference mode (Keras). */
  trainable: boolean;
  /** Input shape without the batch dimension, once built. */
  inputShape: number[] | null = null;
  outputShape: number[] | null = null;
  /** The input shape given at construction (`inputShape` argument), serialized as batch_input_shape. */
  readonly declaredInputShape: number[] | null;
  protected params: Param[] = [];
  /** The WASM memory of the weights (from build on), freed by dispose() or when the layer is collected. */
  private holding: Holding | null = null;
  private disposedFlag = false;
  /** This layer's declaration and its checked option values. */
  readonly def: LayerDef;
  private readonly settings: Readonly<Record<string, unknown>>;

  constructor(def: LayerDef, args: unknown) {
    const a = readArgs(def, args);
    this.declaredInputShape = a.inputShape;
    this.trainable = a.trainable;
    this.name = a.name ?? defaultName(def.className);
    this.className = def.className;
    this.def = def;
    this.settings = a.settings;
    Object.assign(this, a.settings);
  }

  get built(): boolean {
    return this.inputShape !== null;
  }

  /**
   * Checks `shape` (no batch dimension) and returns the output shape and the weights to allocate; throws
   * naming the layer when it cannot take such inputs. Pure: building, and counting a model's weights
   * before building it (loadModel refuses a file that needs more than its data holds), both call it.
   */
  abstract plan(shape: number[]): LayerPlan;

  /** Called once the declared weights exist (look them up with weight(name)); the default does nothing. */
  protected onBuild(_shape: number[]): void {}

  /** True once dispose() has freed the layer's weights. */
  get disposed(): boolean {
    return this.disposedFlag;
  }

  /** Throws a clear Error when the layer was disposed; `what` names the call. */
  assertUsable(what: string): void {
    if (this.disposedFlag) throw new Error(`${what}: layer '${this.name}' was disposed (its weights are freed); create a new layer`);
  }

  /** Frees the layer's WASM memory now; any later use of the layer throws. Idempotent. */
  dispose(): void {
    this.holding?.free();
    this.holding = null;
    this.params = [];
    this.disposedFlag = true;
  }

  private hold(): Holding {
    return (this.holding ??= new Holding(this, 'layer'));
  }

  /** Allocates the weights for inputs of `shape` (no batch dimension) and returns the output shape. */
  build(shape: number[]): number[] {
    this.assertUsable(`${this.name}.build`);
    if (this.inputShape) {
      if (shape.join() !== this.inputShape.join()) {
        throw new Error(`${this.name}: built for inputs of shape [${this.inputShape.join(', ')}], got [${shape.join(', ')}]`);
      }
      return this.outputShape!;
    }
    let out: number[];
    try {
      const plan = this.plan(shape);
      for (const w of plan.weights) this.addParam(w);
      this.onBuild(shape);
      out = plan.outputShape;
    } catch (e) {
      // a failed build (a bad shape, or out of memory half-way) leaves the layer unbuilt and owning nothing
      this.holding?.free();
      this.holding = null;
      this.params = [];
      throw e;
    }
    this.inputShape = [...shape];
    this.outputShape = out;
    return out;
  }

  /** Undoes build, freeing the weights: a model call that fails before it trains leaves new layers unbuilt. */
  unbuild(): void {
    if (!this.built) return;
    this.holding?.free();
    this.holding = null;
    this.params = [];
    this.inputShape = null;
    this.outputShape = null;
  }

  /** Floats of weights this layer would allocate for inputs of `shape` (0 when it cannot take them). */
  weightCountFor(shape: number[]): number {
    try {
      return this.plan(shape).weights.reduce((s, w) => s + sizeOf(w.shape), 0);
    } catch {
      return 0;
    }
  }

  private addParam(w: WeightDecl): Param {
    const holding = this.hold();
    const value = holding.alloc(sizeOf(w.shape));
    initialize(w.initializer, heap().f32(value), w.shape);
    const grad = w.trainable ? holding.alloc(sizeOf(w.shape)) : null;
    const p: Param = { name: w.name, shape: [...w.shape], value, grad, slots: [] };
    this.params.push(p);
    return p;
  }

  /** A declared weight by name, once built (null when this configuration has none by that name). */
  protected weight(name: string): Param | null {
    return this.params.find((p) => p.name === name) ?? null;
  }

  /** Optimizer slots belong to the layer too, so they are freed with it. */
  addSlot(p: Param): F32 {
    this.assertUsable(`${this.name}: optimizer slot`);
    const slot = this.hold().alloc(p.value.length);
    heap().f32(slot).fill(0);
    p.slots.push(slot);
    return slot;
  }

  /** Weights in Keras order (getWeights/setWeights), trainable or not. */
  weights(): Param[] {
    return this.params;
  }

  /** The weight constraints of this layer (kernelConstraint, gammaConstraint, …), applied after each update. */
  constraints(): Array<{ param: Param; constraint: Constraint }> {
    return [];
  }

  /** The weight penalties of this layer (kernelRegularizer, gammaRegularizer, …): each weight with its regularizer. */
  penalties(): Array<{ param: Param; regularizer: Regularizer }> {
    return [];
  }

  /**
   * The penalty on this layer's output (its activityRegularizer option, for any layer that declares one), added
   * to the loss in training and evaluate as Keras 3 adds it: λ·Σ over the whole batch, not divided by its size.
   */
  activityPenalty(): Regularizer | null {
    return (this.settings.activityRegularizer as Regularizer | null | undefined) ?? null;
  }

  /** For penalties(): the weights that exist and have a regularizer, from [weight, its regularizer option] pairs. */
  protected static regularized(pairs: Array<[Param | null, Regularizer | null]>): Array<{ param: Param; regularizer: Regularizer }> {
    return pairs.filter((e): e is [Param, Regularizer] => !!e[0] && !!e[1]).map(([param, regularizer]) => ({ param, regularizer }));
  }

  /** For constraints(): the weights that exist and have a constraint, from [weight, its constraint option] pairs. */
  protected static constrained(pairs: Array<[Param | null, Constraint | null]>): Array<{ param: Param; constraint: Constraint }> {
    return pairs.filter((e): e is [Param, Constraint] => !!e[0] && !!e[1]).map(([param, constraint]) => ({ param, constraint }));
  }

  /** The weights an optimizer updates: none when frozen. */
  trainableParams(): Param[] {
    return this.trainable ? this.params.filter((p) => p.grad) : [];
  }

  /**
   * Forward pass over `rows` samples (the batch size) in the step scratch. Counts come from `rows` and
   * the layer's shapes (shape.ts lastAxisRows), never from a buffer's length. Layers keep what backward
   * needs in fields (valid for this step only).
   */
  abstract forward(ctx: StepContext, x: F32, rows: number): F32;
  /**
   * Fills the params' grads (when trainable) and returns dx, or null when `needsInputGrad` is false
   * (nothing before this layer trains, so dx would be thrown away).
   */
  abstract backward(ctx: StepContext, dy: F32, rows: number, needsInputGrad: boolean): F32 | null;
  /** True when this layer ends in a softmax, so the model can fuse it with cross-entropy. */
  endsInSoftmax(): boolean {
    return false;
  }
  /** Forward without the final softmax (only called when endsInSoftmax()). */
  forwardLogits(ctx: StepContext, x: F32, rows: number): F32 {
    return this.forward(ctx, x, rows);
  }
  /** Backward from the logits' gradient (only called when endsInSoftmax()). */
  backwardLogits(ctx: StepContext, dlogits: F32, rows: number, needsInputGrad: boolean): F32 | null {
    return this.backward(ctx, dlogits, rows, needsInputGrad);
  }

  /** The layer's own config, in TF.js's camelCase (snake-cased on save): every option, then the fixed keys. */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {};
    for (const [key, o] of Object.entries(this.def.options)) config[key] = o.save ? o.save(this.settings[key]) : this.settings[key];
    return { ...config, ...this.def.fixed };
  }

  /** A fresh, unbuilt layer of the same class and configuration (weights are not copied), `changes` applied. */
  clone(inputShape?: number[], changes: Record<string, unknown> = {}): Layer {
    const Class = this.constructor as new (args: Record<string, unknown>) => Layer;
    return new Class({ ...this.settings, name: this.name, trainable: this.trainable, inputShape, ...changes });
  }

  countParams(): { trainable: number; nonTrainable: number } {
    let trainable = 0, nonTrainable = 0;
    for (const p of this.params) {
      if (p.grad && this.trainable) trainable += p.value.length;
      else nonTrainable += p.value.length;
    }
    return { trainable, nonTrainable };
  }

  getWeights(): Tensor[] {
    this.assertUsable(`${this.name}.getWeights`);
    const h = heap();
    return this.params.map((p) => new Tensor(h.f32(p.value).slice(), [...p.shape]));
  }

  /** Checks every weight first, then writes: a wrong count or shape throws and changes nothing. */
  setWeights(weights: Tensor[]): void {
    this.assertUsable(`${this.name}.setWeights`);
    if (!this.built) throw new Error(`${this.name}.setWeights: the layer is not built yet (give it an inputShape or add it to a model that is built)`);
    if (!Array.isArray(weights) || weights.length !== this.params.length) {
      throw new Error(`${this.name}.setWeights: expected ${this.params.length} weights (${this.params.map((p) => p.name).join(', ')}), got ${Array.isArray(weights) ? weights.length : String(weights)}`);
    }
    const ts = weights.map((w, i) => toTensor(w, `${this.name}.setWeights: weights[${i}]`));
    ts.forEach((t, i) => {
      const p = this.params[i];
      if (t.shape.join() !== p.shape.join()) {
        throw new Error(`${this.name}.setWeights: ${p.name} must have shape [${p.shape.join(', ')}], got [${t.shape.join(', ')}]`);
      }
    });
    const h = heap();
    ts.forEach((t, i) => h.f32(this.params[i].value).set(t.values));
  }

  /**
   * Runs the layer on a batch outside a model: inference mode unless `training: true`, which (as in
   * Keras) also updates a BatchNormalization's moving statistics.
   */
  apply(x: Tensor, { training = false }: { training?: boolean } = {}): Tensor {
    this.assertUsable(`${this.name}.apply`);
    const t = toTensor(x, `${this.name}.apply: x`);
    if (t.rank < 2) throw new Error(`${this.name}.apply: x must have a batch dimension (rank >= 2), got shape [${t.shape.join(', ')}]`);
    const shape = t.shape.slice(1);
    // a layer without weights (Activation, Dropout) takes any shape, as in Keras: another shape runs on a copy
    // built for it, since this one may sit in a model that relies on its shape
    const layer = this.built && this.params.length === 0 && shape.join() !== this.inputShape!.join() ? this.clone(shape) : this;
    const out = layer.build(shape);
    const h = heap(), arena = new Arena(h);
    try {
      const rows = t.shape[0];
      const ctx: StepContext = { k: kernels(), training: !!training, scratch: (n) => arena.take(n) };
      const xin = arena.take(t.size);
      h.f32(xin).set(t.values);
      const y = layer.forward(ctx, xin, rows);
      return new Tensor(h.f32(y).slice(), [rows, ...out]);
    } finally {
      arena.release();
    }
  }
}

/** A layer class as the registry holds it: constructible from its arguments, with its declaration. */
export interface LayerClass {
  new (args: never): Layer;
  readonly def: LayerDef<Options>;
}
