/** Keras's L1/L2 penalty and its gradient, float64: the spec for assembly/misc/f32-regularize.ts. */
export function regularize(w: ArrayLike<number>, g: ArrayLike<number>, l1: number, l2: number): { penalty: number; g: Float64Array } {
  let penalty = 0;
  const G = Float64Array.from(g);
  for (let i = 0; i < w.length; i++) {
    penalty += l1 * Math.abs(w[i]) + l2 * w[i] * w[i];
    G[i] += l1 * Math.sign(w[i]) + 2 * l2 * w[i];
  }
  return { penalty, g: G };
}
