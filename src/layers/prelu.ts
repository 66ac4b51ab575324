import type { F32 } from '../memory/heap.js';
import type { Constraint } from './constraints.js';
import type { Regularizer } from './regularizers.js';
import { fail } from '../util/validate.js';
import { Layer, type LayerPlan, type Param, type StepContext } from './layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf, type Option } from './options.js';
import { sizeOfShape } from './shape.js';

/** Axes (the batch axis is 0) the slope is shared over: null for none; one axis may be given as a number. */
const sharedAxesOption: Option<number[] | null, false> = {
  required: false,
  default: null,
  check(value, what) {
    if (value === null) return null;
    const axes = typeof value === 'number' ? [value] : value;
    if (!Array.isArray(axes) || !axes.every((a) => Number.isInteger(a) && a >= 1) || new Set(axes).size !== axes.length) {
      fail(what, 'null, an axis >= 1 or an array of distinct axes >= 1 (the batch axis is 0)', value);
    }
    return [...axes].sort((a, b) => a - b);
  },
};

const PRELU = defineLayer({
  className: 'PReLU',
  factory: 'prelu',
  options: {
    alphaInitializer: option.initializer('zeros'),
    alphaRegularizer: option.regularizer(),
    alphaConstraint: option.constraint(),
    sharedAxes: sharedAxesOption,
  },
  fileKeys: {},
});

export type PReLUArgs = ArgsOf<typeof PRELU.options>;
export interface PReLU extends ConfigOf<typeof PRELU.options> {}

/**
 * x > 0 ? x : alpha·x with a trainable alpha per feature, as tf.layers.prelu / Keras's PReLU. alpha has the
 * input's shape with the shared axes set to 1. bnwasm shares over leading axes ([1], [1, 2]: the spatial axes
 * of an image, Keras's usual case), so the input is rows × (the unshared axes) and alpha one slope per column.
 */
export class PReLU extends Layer {
  static readonly def = PRELU;
  private alpha!: Param;
  private x!: F32;
  /** Feature rows per sample (the product of the shared axes) and slopes per row. */
  private perSample = 1;
  private cols = 1;

  constructor(args: PReLUArgs = {}) {
    super(PRELU, args);
  }

  plan(shape: number[]): LayerPlan {
    const shared = this.sharedAxes ?? [];
    if (shared.some((a) => a > shape.length) || shared.some((a, i) => a !== i + 1)) {
      throw new Error(`prelu: sharedAxes: bnwasm shares alpha over leading axes only ([1], [1, 2], … up to ${shape.length} for inputs of shape [${
        shape.join(', ')}]), got [${shared.join(', ')}]`);
    }
    return {
      outputShape: [...shape],
      weights: [{ name: 'alpha', shape: shape.map((d, i) => (shared.includes(i + 1) ? 1 : d)), initializer: this.alphaInitializer, trainable: true }],
    };
  }

  protected onBuild(shape: number[]): void {
    this.alpha = this.weight('alpha')!;
    const k = (this.sharedAxes ?? []).length;
    this.perSample = sizeOfShape(shape.slice(0, k));
    this.cols = sizeOfShape(shape.slice(k));
  }

  penalties(): Array<{ param: Param; regularizer: Regularizer }> {
    return Layer.regularized([[this.alpha, this.alphaRegularizer]]);
  }

  constraints(): Array<{ param: Param; constraint: Constraint }> {
    return Layer.constrained([[this.alpha, this.alphaConstraint]]);
  }

  forward(ctx: StepContext, x: F32, rows: number): F32 {
    const y = ctx.scratch(x.length);
    ctx.k.prelu(rows * this.perSample, this.cols, x, this.alpha.value, y);
    this.x = x;
    return y;
  }

  backward(ctx: StepContext, dy: F32, rows: number, needsInputGrad: boolean): F32 | null {
    if (!this.trainable && !needsInputGrad) return null;
    const dalpha = this.trainable ? this.alpha.grad! : ctx.scratch(this.cols);
    ctx.k.preluBackward(rows * this.perSample, this.cols, this.x, this.alpha.value, dy, dy, dalpha);
    return needsInputGrad ? dy : null;
  }
}
