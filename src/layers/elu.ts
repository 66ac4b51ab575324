import type { Kernels } from '../backend/kernels.js';
import type { F32 } from '../memory/heap.js';
import { ElementwiseLayer } from './elementwise-layer.js';
import { defineLayer, option, type ArgsOf, type ConfigOf } from './options.js';

const ELU_LAYER = defineLayer({
  className: 'ELU',
  factory: 'elu',
  options: { alpha: option.number((a) => a >= 0, 'a number >= 0', 1) },
  fileKeys: {},
});

export type ELUArgs = ArgsOf<typeof ELU_LAYER.options>;
export interface ELU extends ConfigOf<typeof ELU_LAYER.options> {}

/**
 * x > 0 ? x : alpha·(eˣ − 1), as Keras's ELU layer (tf.layers.elu, which accepts only alpha 1). The 'elu'
 * activation kernel already takes alpha, so any alpha runs on the same loop.
 */
export class ELU extends ElementwiseLayer {
  static readonly def = ELU_LAYER;

  constructor(args: ELUArgs = {}) {
    super(ELU_LAYER, args);
  }

  protected map(k: Kernels, n: number, x: F32, y: F32): void {
    k.unary(n, x, y, this.alpha, 'elu');
  }

  protected mapBackward(k: Kernels, n: number, x: F32, dy: F32): void {
    k.unaryBackward(n, x, dy, dy, this.alpha, 'elu');
  }
}
