/**
 * The example layer of docs/ARCHITECTURE.md ("Adding a layer"), kept here so the example runs in a test
 * (test/layers/custom-layer.test.ts checks that the doc shows this code). Only the imports differ: a layer
 * of the library lives in src/layers/ and imports './layer.js' and './options.js'.
 */
import type { F32 } from '../../src/memory/heap.js';
import { Layer, type LayerPlan, type Param, type StepContext } from '../../src/layers/layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf } from '../../src/layers/options.js';

// example:begin
const GAIN = defineLayer({
  className: 'Gain',
  factory: 'gain',
  options: { gainInitializer: option.initializer('ones') },
});

export type GainArgs = ArgsOf<typeof GAIN.options>;
export interface Gain extends ConfigOf<typeof GAIN.options> {}

/** y = x·gain per feature (the last axis); gain is trainable. */
export class Gain extends Layer {
  static readonly def = GAIN;
  private gain!: Param;
  private x!: F32;

  constructor(args: GainArgs = {}) {
    super(GAIN, args);
  }

  plan(shape: number[]): LayerPlan {
    const features = shape[shape.length - 1];
    return {
      outputShape: [...shape],
      weights: [{ name: 'gain', shape: [features], initializer: this.gainInitializer, trainable: true }],
    };
  }

  protected onBuild(): void {
    this.gain = this.weight('gain')!;
  }

  forward(ctx: StepContext, x: F32): F32 {
    const c = this.gain.value.length, y = ctx.scratch(x.length);
    ctx.k.scaleShift(x.length / c, c, x, null, this.gain.value, null, y);
    this.x = x;
    return y;
  }

  backward(ctx: StepContext, dy: F32, _rows: number, needsInputGrad: boolean): F32 | null {
    const c = this.gain.value.length, rows = dy.length / c;
    if (this.trainable) {
      const t = ctx.scratch(dy.length);
      ctx.k.multiply(dy.length, dy, this.x, t);
      ctx.k.sumRows(rows, c, t, this.gain.grad!, false); // dgain = Σ dy·x
    }
    if (!needsInputGrad) return null;
    ctx.k.scaleShift(rows, c, dy, null, this.gain.value, null, dy); // dx = dy·gain
    return dy;
  }
}
// example:end
