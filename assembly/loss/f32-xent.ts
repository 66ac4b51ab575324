/**
 * Categorical cross-entropy on probabilities (Keras/TF.js): per row q = p/Σp, qc = clip(q, 1e-7, 1 − 1e-7),
 *   loss = −Σⱼ t·log(qc),  dp = ∂(Σ_rows loss / rows)/∂p = (S − mask·t/q)/(Σp·rows),  S = Σⱼ mask·t,
 * mask = [1e-7 < q < 1 − 1e-7] (zero gradient where clipped). Returns Σ over rows of loss (f64).
 * rows × cols row-major, any rows, cols ≥ 1. Must match test/reference/losses.ts.
 */
import { clip, inside } from './clip';

export function f32_xent(rows: i32, cols: i32, p: usize, targets: usize, dp: usize): f64 {
  const row = <usize>cols << 2;
  let total: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const o = <usize>i * row, pr = p + o, t = targets + o, d = dp + o;
    let sum: f64 = 0;
    for (let j: usize = 0; j < row; j += 4) sum += <f64>load<f32>(pr + j);
    const inv = 1 / sum;
    let s: f64 = 0, loss: f64 = 0;
    for (let j: usize = 0; j < row; j += 4) {
      const tj = <f64>load<f32>(t + j), q = <f64>load<f32>(pr + j) * inv;
      // 0·log(clip(q)) is 0, except for a NaN q
      if (tj == 0) { if (isNaN(q)) loss = NaN; continue; }
      loss -= tj * Math.log(clip(q));
      if (inside(q)) s += tj;
    }
    total += loss;
    const scale = inv / <f64>rows;
    for (let j: usize = 0; j < row; j += 4) {
      const q = <f64>load<f32>(pr + j) * inv, tj = <f64>load<f32>(t + j);
      store<f32>(d + j, <f32>((s - (inside(q) ? tj / q : 0)) * scale));
    }
  }
  return total;
}
