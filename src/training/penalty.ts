import type { Kernels } from '../backend/kernels.js';
import type { Layer } from '../layers/layer.js';
import type { F32 } from '../memory/heap.js';

/**
 * The layers' weight penalties (kernelRegularizer, biasRegularizer, gammaRegularizer, betaRegularizer),
 * summed as Keras adds them to the loss. With `grads`, each penalty's gradient is added into the gradient of
 * its weight when that weight trains (call after backward, which overwrites the gradients); otherwise, and
 * for frozen weights, the gradient goes to scratch.
 */
export function penalties(k: Kernels, layers: Layer[], scratch: (n: number) => F32, grads: boolean): number {
  let total = 0;
  for (const layer of layers) {
    const list = layer.penalties();
    if (!list.length) continue; // most layers have none: no set of trainable weights to build
    const training = grads ? layer.trainableParams() : null;
    for (const { param, regularizer } of list) {
      const n = param.value.length;
      const g = training?.includes(param) ? param.grad! : scratch(n);
      total += k.regularize(n, param.value, g, regularizer.l1, regularizer.l2);
    }
  }
  return total;
}

/**
 * The activity penalty of layer output `y` (the layer's activityRegularizer; 0 without one), its gradient
 * l1·sign(y) + 2·l2·y added into `g`, the gradient flowing back into that output (scratch when none flows).
 */
export function activityPenalty(k: Kernels, layer: Layer, y: F32, g: F32 | null, scratch: (n: number) => F32): number {
  const r = layer.activityPenalty();
  return r ? k.regularize(y.length, y, g ?? scratch(y.length), r.l1, r.l2) : 0;
}
