/**
 * Row-wise softmax and its backward, float64: the spec for assembly/vunary/f32-softmax.ts.
 *   y = exp(x − max x)/Σ exp(x − max x)     dz = y ⊙ (dy − Σⱼ y·dy)
 */
export function softmax(rows: number, cols: number, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let m = -Infinity, s = 0;
    for (let j = 0; j < cols; j++) m = Math.max(m, x[i * cols + j]);
    for (let j = 0; j < cols; j++) s += (y[i * cols + j] = Math.exp(x[i * cols + j] - m));
    for (let j = 0; j < cols; j++) y[i * cols + j] /= s;
  }
  return y;
}

export function softmaxBackward(rows: number, cols: number, y: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  const dz = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += y[i * cols + j] * dy[i * cols + j];
    for (let j = 0; j < cols; j++) dz[i * cols + j] = y[i * cols + j] * (dy[i * cols + j] - s);
  }
  return dz;
}
