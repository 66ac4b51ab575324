import type { Kernels } from '../backend/kernels.js';
import type { Layer } from '../layers/layer.js';
import { boolean, fail, knownKeys, number } from '../util/validate.js';

/** An optimizer updates the trainable params of the layers it is given, from the grads of the last step. */
export interface Optimizer {
  readonly className: 'SGD' | 'Adam';
  readonly learningRate: number;
  /** Steps taken so far (Adam's t). */
  iterations: number;
  apply(k: Kernels, layers: Layer[]): void;
  getConfig(): Record<string, unknown>;
}

const positive = (name: string) => (v: unknown) => number(v, name, (x) => x > 0, 'a number > 0');

export interface SgdArgs { learningRate?: number; momentum?: number; nesterov?: boolean }

/** Keras SGD: v ← momentum·v − lr·g; w ← w + v (Nesterov: w ← w + momentum·v − lr·g). */
export class SGD implements Optimizer {
  readonly className = 'SGD';
  readonly learningRate: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  iterations = 0;

  constructor(args: SgdArgs = {}) {
    knownKeys(args, 'optimizers.sgd', ['learningRate', 'momentum', 'nesterov']);
    this.learningRate = positive('optimizers.sgd: learningRate')(args.learningRate ?? 0.01);
    this.momentum = number(args.momentum ?? 0, 'optimizers.sgd: momentum', (m) => m >= 0 && m <= 1, 'a number in [0, 1]');
    this.nesterov = boolean(args.nesterov ?? false, 'optimizers.sgd: nesterov');
  }

  apply(k: Kernels, layers: Layer[]): void {
    for (const layer of layers) {
      for (const p of layer.trainableParams()) {
        const v = this.momentum > 0 ? (p.slots[0] ?? layer.addSlot(p)) : null;
        k.sgd(p.value.length, p.grad!, p.value, v, this.learningRate, this.momentum, this.nesterov);
      }
    }
    this.iterations++;
  }

  getConfig() {
    return { learningRate: this.learningRate, momentum: this.momentum, nesterov: this.nesterov };
  }
}

export interface AdamArgs { learningRate?: number; beta1?: number; beta2?: number; epsilon?: number }

/** Adam with TF.js's bias correction: w ← w − lr·m̂/(√v̂ + ε). */
export class Adam implements Optimizer {
  readonly className = 'Adam';
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  iterations = 0;

  constructor(args: AdamArgs = {}) {
    knownKeys(args, 'optimizers.adam', ['learningRate', 'beta1', 'beta2', 'epsilon']);
    this.learningRate = positive('optimizers.adam: learningRate')(args.learningRate ?? 0.001);
    const unit = (name: string, v: unknown) => number(v, `optimizers.adam: ${name}`, (b) => b >= 0 && b < 1, 'a number in [0, 1)');
    this.beta1 = unit('beta1', args.beta1 ?? 0.9);
    this.beta2 = unit('beta2', args.beta2 ?? 0.999);
    this.epsilon = positive('optimizers.adam: epsilon')(args.epsilon ?? 1e-7);
  }

  apply(k: Kernels, layers: Layer[]): void {
    const t = this.iterations + 1;
    const bc1 = 1 - this.beta1 ** t, bc2 = 1 - this.beta2 ** t;
    for (const layer of layers) {
      for (const p of layer.trainableParams()) {
        const m = p.slots[0] ?? layer.addSlot(p), v = p.slots[1] ?? layer.addSlot(p);
        k.adam(p.value.length, p.grad!, p.value, m, v, this.learningRate, this.beta1, this.beta2, this.epsilon, bc1, bc2);
      }
    }
    this.iterations = t;
  }

  getConfig() {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export const optimizers = {
  sgd: (args?: SgdArgs) => new SGD(args),
  adam: (args?: AdamArgs) => new Adam(args),
};

export function toOptimizer(value: unknown): Optimizer {
  if (value === 'sgd') return new SGD();
  if (value === 'adam') return new Adam();
  if (value instanceof SGD || value instanceof Adam) return value;
  return fail('compile: optimizer', `'sgd', 'adam' or an optimizer from bw.optimizers`, value);
}
