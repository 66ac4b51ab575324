import type { F32 } from '../backend/kernels.js';

/**
 * A loss weighted per sample, as Keras reduces it: Σᵢ wᵢ·lossᵢ / rows, with its gradient in `grad`.
 * `lossOfRow` runs the loss kernel on one row (rows = 1), taking each of its row-major arguments (`cols`
 * floats per row) through `rowOf`; it returns that row's loss and writes that row's gradient, which is then
 * scaled by wᵢ/rows. Returns Σᵢ wᵢ·lossᵢ.
 */
export function weightedLoss(rows: number, cols: number, weights: Float32Array, grad: F32,
  lossOfRow: (rowOf: (h: F32) => F32) => number, view: (h: F32) => Float32Array): number {
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const rowOf = (h: F32): F32 => ({ ptr: h.ptr + 4 * i * cols, length: cols });
    total += weights[i] * lossOfRow(rowOf);
    const g = view(rowOf(grad)), scale = weights[i] / rows;
    for (let j = 0; j < cols; j++) g[j] *= scale;
  }
  return total;
}
