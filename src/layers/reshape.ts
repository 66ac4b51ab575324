import type { F32 } from '../memory/heap.js';
import { fail } from '../util/validate.js';
import { Layer, type LayerPlan } from './layer.js';
import { defineLayer, type ArgsOf, type ConfigOf, type Option } from './options.js';
import { sizeOfShape } from './shape.js';

// Keras's channels_first Flatten moves the channels last first, which bnwasm does not: such a file is refused
const FLATTEN = defineLayer({ className: 'Flatten', factory: 'flatten', options: {}, fileKeys: { dataFormat: 'channels_last' } });

const targetShape: Option<number[], true> = {
  required: true,
  check: (t, what) => {
    if (!Array.isArray(t) || t.length < 1 || !t.every((d) => Number.isInteger(d) && (d >= 1 || d === -1)) || t.filter((d) => d === -1).length > 1) {
      fail(what, 'an array of positive integers (one of them may be -1)', t);
    }
    return [...t];
  },
};
const RESHAPE = defineLayer({ className: 'Reshape', factory: 'reshape', options: { targetShape }, fileKeys: {} });

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

export type FlattenArgs = ArgsOf<typeof FLATTEN.options>;

/** [d1, d2, …] → [d1·d2·…]. */
export class Flatten extends ShapeOnly {
  static readonly def = FLATTEN;

  constructor(args?: FlattenArgs) {
    super(FLATTEN, args);
  }

  plan(shape: number[]): LayerPlan {
    return { outputShape: [sizeOfShape(shape)], weights: [] };
  }
}

export type ReshapeArgs = ArgsOf<typeof RESHAPE.options>;
export interface Reshape extends ConfigOf<typeof RESHAPE.options> {}

/** To `targetShape` (no batch axis; one entry may be −1, inferred from the input size), as tf.layers.reshape. */
export class Reshape extends ShapeOnly {
  static readonly def = RESHAPE;

  constructor(args: ReshapeArgs) {
    super(RESHAPE, args);
  }

  plan(shape: number[]): LayerPlan {
    const n = sizeOfShape(shape), known = sizeOfShape(this.targetShape.filter((d) => d !== -1));
    const out = this.targetShape.map((d) => (d === -1 ? n / known : d));
    if (sizeOfShape(out) !== n || !out.every(Number.isInteger)) {
      throw new Error(`${this.name}: cannot reshape inputs of shape [${shape.join(', ')}] (${n} values) to [${this.targetShape.join(', ')}]`);
    }
    return { outputShape: out, weights: [] };
  }

  /** Saved with a −1 resolved once built: TF.js cannot build a Flatten after a Reshape whose shape has −1. */
  getConfig(): Record<string, unknown> {
    return { targetShape: [...(this.outputShape ?? this.targetShape)] };
  }
}
