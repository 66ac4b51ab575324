import type { Kernels } from '../backend/kernels.js';
import type { F32 } from '../memory/heap.js';
import { Layer, type LayerPlan, type StepContext } from './layer.js';

/**
 * A weightless layer that maps each element on its own (ELU, LeakyReLU, ReLU, ThresholdedReLU): the output
 * has the input's shape, the input is kept for backward, and the gradient is computed in place over dy.
 * A subclass names its kernel pair; this class owns the step.
 */
export abstract class ElementwiseLayer extends Layer {
  private x!: F32;

  /** y = f(x), n elements. */
  protected abstract map(k: Kernels, n: number, x: F32, y: F32): void;
  /** dy ← f′(x)·dy, n elements, in place. */
  protected abstract mapBackward(k: Kernels, n: number, x: F32, dy: F32): void;

  plan(shape: number[]): LayerPlan {
    return { outputShape: [...shape], weights: [] };
  }

  forward(ctx: StepContext, x: F32): F32 {
    const y = ctx.scratch(x.length);
    this.map(ctx.k, x.length, x, y);
    this.x = x;
    return y;
  }

  backward(ctx: StepContext, dy: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    if (!needsInputGrad) return null;
    this.mapBackward(ctx.k, dy.length, this.x, dy);
    return dy;
  }
}
