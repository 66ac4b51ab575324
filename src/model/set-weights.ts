import type { Layer } from '../layers/layer.js';
import { Tensor, toTensor } from '../tensor/tensor.js';
import { show } from '../util/validate.js';

/**
 * model.setWeights: every weight of `layers`, in Keras order. Checks the count and every shape before
 * writing anything, so a bad list leaves the model unchanged.
 */
export function setModelWeights(layers: readonly Layer[], weights: Tensor[]): void {
  const counts = layers.map((l) => l.weights().length), total = counts.reduce((a, b) => a + b, 0);
  if (!Array.isArray(weights) || weights.length !== total) {
    throw new Error(`setWeights: expected ${total} weights, got ${Array.isArray(weights) ? weights.length : show(weights)}`);
  }
  let i = 0;
  const plan = layers.map((l, li) => {
    const ws = weights.slice(i, i + counts[li]).map((w, j) => toTensor(w, `setWeights: weights[${i + j}]`));
    l.weights().forEach((p, j) => {
      if (ws[j].shape.join() !== p.shape.join()) {
        throw new Error(`setWeights: weights[${i + j}] (${l.name}/${p.name}) must have shape [${p.shape.join(', ')}], got [${ws[j].shape.join(', ')}]`);
      }
    });
    i += counts[li];
    return ws;
  });
  layers.forEach((l, li) => l.setWeights(plan[li]));
}
