import { heap, kernels } from '../backend/runtime.js';
import type { BatchNormalization } from '../layers/batch-normalization.js';
import type { Conv2D } from '../layers/conv2d.js';
import type { Dense } from '../layers/dense.js';
import type { Layer } from '../layers/layer.js';
import type { F32 } from '../memory/heap.js';
import { Tensor } from '../tensor/tensor.js';
import { foldable, foldInto } from './inference-plan.js';

/**
 * The layers of a deployment copy with every inference-mode BatchNormalization that follows a linear
 * Dense or Conv2D (over its feature/channel axis) folded into it: W' = W·γ/√(var + ε), b' = (b − μ)·γ/√(var + ε) + β.
 * Each comes with the weights to set once the copy is built; the first one takes `inputShape`.
 */
export function foldedLayers(layers: Layer[], inputShape: number[]): Array<[Layer, Tensor[]]> {
  const copies: Array<[Layer, Tensor[]]> = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i], bn = layers[i + 1], shape = i === 0 ? inputShape : undefined;
    if (foldable(l, bn)) {
      // the folded layer always has a bias (b' = (b − μ)·s + β), initialised as a fresh Dense's would be
      copies.push([l.clone(shape, { useBias: true, biasInitializer: 'zeros' }), foldedWeights(l, bn as BatchNormalization)]);
      i++;
    } else {
      copies.push([l.clone(shape), l.getWeights()]);
    }
  }
  return copies;
}

/** The folded kernel and bias as tensors, computed by the same kernels predict uses. */
function foldedWeights(dense: Dense | Conv2D, bn: BatchNormalization): [Tensor, Tensor] {
  const h = heap(), shape = dense.kernelParam.shape, units = shape[shape.length - 1], blocks: F32[] = [];
  const alloc = (n: number) => { const f = h.alloc(n); blocks.push(f); return f; };
  try {
    const w = alloc(dense.kernelParam.value.length), b = alloc(units);
    foldInto(kernels(), dense, bn, w, b, alloc);
    return [new Tensor(h.f32(w).slice(), [...shape]), new Tensor(h.f32(b).slice(), [units])];
  } finally {
    for (const f of blocks) h.release(f);
  }
}
