import type { F32 } from '../backend/kernels.js';
import { fail, boolean, knownKeys } from '../util/validate.js';
import { checkInputShape } from './dense.js';
import { Layer } from './layer.js';

type Common = { inputShape?: number[]; name?: string; trainable?: boolean };
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Layers that only relabel the shape: the values stay where they are (row-major, channels last, so
 * Flatten's order is TF.js's), and forward/backward hand the same floats on.
 */
abstract class ShapeOnly extends Layer {
  forward(_ctx: unknown, x: F32): F32 {
    return x;
  }

  backward(_ctx: unknown, dy: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    return needsInputGrad ? dy : null;
  }
}

/** [d1, d2, …] → [d1·d2·…]. */
export class Flatten extends ShapeOnly {
  readonly className = 'Flatten';

  constructor(args: Common = {}) {
    knownKeys(args, 'flatten', ['inputShape', 'name', 'trainable', 'dataFormat']);
    super(args.name, args.trainable === undefined ? undefined : boolean(args.trainable, 'flatten: trainable'), checkInputShape(args.inputShape, 'flatten'), 'Flatten');
  }

  protected setup(shape: number[]): number[] {
    return [size(shape)];
  }

  getConfig(): Record<string, unknown> {
    return {};
  }
}

/** To `targetShape` (no batch axis; one entry may be −1, inferred from the input size), as tf.layers.reshape. */
export class Reshape extends ShapeOnly {
  readonly className = 'Reshape';
  readonly targetShape: number[];

  constructor(args: Common & { targetShape: number[] }) {
    knownKeys(args, 'reshape', ['targetShape', 'inputShape', 'name', 'trainable']);
    if (args === undefined) throw new Error('reshape: expected an options object with targetShape, got undefined');
    const t = args.targetShape;
    if (!Array.isArray(t) || t.length < 1 || !t.every((d) => Number.isInteger(d) && (d >= 1 || d === -1)) || t.filter((d) => d === -1).length > 1) {
      fail('reshape: targetShape', 'an array of positive integers (one of them may be -1)', t);
    }
    super(args.name, args.trainable === undefined ? undefined : boolean(args.trainable, 'reshape: trainable'), checkInputShape(args.inputShape, 'reshape'), 'Reshape');
    this.targetShape = [...t];
  }

  protected setup(shape: number[]): number[] {
    const n = size(shape), known = size(this.targetShape.filter((d) => d !== -1));
    const out = this.targetShape.map((d) => (d === -1 ? n / known : d));
    if (size(out) !== n || !out.every(Number.isInteger)) {
      throw new Error(`${this.name}: cannot reshape inputs of shape [${shape.join(', ')}] (${n} values) to [${this.targetShape.join(', ')}]`);
    }
    return out;
  }

  /** Saved with a −1 resolved once built: TF.js cannot build a Flatten after a Reshape whose shape has −1. */
  getConfig(): Record<string, unknown> {
    return { targetShape: [...(this.outputShape ?? this.targetShape)] };
  }
}
