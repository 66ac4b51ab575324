/**
 * Column reductions, float64: the spec for assembly/reduce/.
 *   sumRows: out[j] = Σᵢ x[i, j] (+ out₀[j])
 *   batchStats: mean[j] = Σᵢ x[i, j]/rows, variance[j] = Σᵢ (x[i, j] − mean[j])²/rows (biased, as Keras)
 */
export function sumRows(rows: number, cols: number, x: ArrayLike<number>, out0: ArrayLike<number> | null): Float64Array {
  const out = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let s = out0 ? out0[j] : 0;
    for (let i = 0; i < rows; i++) s += x[i * cols + j];
    out[j] = s;
  }
  return out;
}

export function batchStats(rows: number, cols: number, x: ArrayLike<number>): { mean: Float64Array; variance: Float64Array } {
  const mean = sumRows(rows, cols, x, null).map((s) => s / rows);
  const variance = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    let q = 0;
    for (let i = 0; i < rows; i++) q += (x[i * cols + j] - mean[j]) ** 2;
    variance[j] = q / rows;
  }
  return { mean, variance };
}
