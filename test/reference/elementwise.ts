/**
 * Element-wise and layout kernels, float64: the spec for assembly/misc/.
 *   multiply: y = x ⊙ mask     transpose: y[o, j, i] = x[o, i, j] for x of shape [outer, a, b]
 */
export function multiply(x: ArrayLike<number>, mask: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v, i) => v * mask[i]);
}

export function transpose(outer: number, a: number, b: number, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(outer * a * b);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < a; i++) {
      for (let j = 0; j < b; j++) y[o * a * b + j * a + i] = x[o * a * b + i * b + j];
    }
  }
  return y;
}
