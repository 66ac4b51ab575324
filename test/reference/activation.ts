/**
 * Activations and their backward through the output y, float64: the spec for assembly/vunary/f32-act.ts.
 *   linear x · relu max(x, 0) (IEEE: NaN stays NaN) · sigmoid 1/(1 + e⁻ˣ) · tanh
 *   backward: dx = dy·act'(x) written through y: 1 · step(y) (1 if y > 0, 0 if y ≤ 0, NaN if y is NaN) · y(1 − y) · 1 − y²
 *   (a product: a NaN or infinite dy gives NaN even where relu is off)
 */
export type ActName = 'linear' | 'relu' | 'sigmoid' | 'tanh';

const forward: Record<ActName, (x: number) => number> = {
  linear: (x) => x,
  relu: (x) => Math.max(x, 0),
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  tanh: Math.tanh,
};

const derivative: Record<ActName, (y: number) => number> = {
  linear: () => 1,
  relu: (y) => (y > 0 ? 1 : y <= 0 ? 0 : NaN),
  sigmoid: (y) => y * (1 - y),
  tanh: (y) => 1 - y * y,
};

export function act(name: ActName, x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, forward[name]);
}

export function actBackward(name: ActName, y: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  return Float64Array.from(y, (v, i) => dy[i] * derivative[name](v));
}
