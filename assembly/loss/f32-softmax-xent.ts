/**
 * Softmax + categorical cross-entropy, fused. Per row: probs = softmax(logits);
 *   loss = −Σⱼ t·log(clip(p)),  dlogits = (p·S − t·mask)/rows,  S = Σⱼ t·mask,  mask = [1e-7 < p < 1 − 1e-7]
 * (the exact gradient of the mean loss through the clip). Returns Σ over rows of loss (f64).
 * rows × cols row-major, any rows, cols ≥ 1. Must match test/reference/losses.ts.
 */
import { clip, inside } from './clip';
import { f32_softmax } from '../vunary/f32-softmax';

export function f32_softmax_xent(rows: i32, cols: i32, logits: usize, targets: usize, probs: usize, dlogits: usize): f64 {
  const row = <usize>cols << 2, invRows = 1 / <f64>rows;
  let total: f64 = 0;
  f32_softmax(rows, cols, logits, probs);
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * row, p = probs + o, t = targets + o, d = dlogits + o;
    let s: f64 = 0, loss: f64 = 0;
    for (let j: usize = 0; j < row; j += 4) {
      const tj = <f64>load<f32>(t + j);
      if (tj == 0) continue;   // one-hot targets: most terms are exactly 0
      const pj = <f64>load<f32>(p + j);
      loss -= tj * Math.log(clip(pj));
      if (inside(pj)) s += tj;
    }
    total += loss;
    for (let j: usize = 0; j < row; j += 4) {
      const pj = <f64>load<f32>(p + j), tj = <f64>load<f32>(t + j);
      store<f32>(d + j, <f32>((pj * s - (inside(pj) ? tj : 0)) * invRows));
    }
  }
  return total;
}
