/**
 * Optimizer updates, float64: the spec for assembly/optim/ and src/backend/js/optimizers.ts.
 *   Keras SGD: momentum = 0: w −= lr·g; else v = momentum·v − lr·g, w += v (nesterov: w += momentum·v − lr·g)
 *   TF.js Adam: m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g², w −= lr·(m/bc1)/(√(v/bc2) + eps)
 */
type Vec = ArrayLike<number>;

export function sgd(w: Vec, g: Vec, v: Vec | null, lr: number, momentum: number, nesterov: boolean) {
  const W = Float64Array.from(w), V = v ? Float64Array.from(v) : null;
  for (let i = 0; i < W.length; i++) {
    if (momentum === 0 || !V) { W[i] -= lr * g[i]; continue; }
    V[i] = momentum * V[i] - lr * g[i];
    W[i] += nesterov ? momentum * V[i] - lr * g[i] : V[i];
  }
  return { w: W, v: V };
}

export function adam(w: Vec, g: Vec, m: Vec, v: Vec, lr: number, beta1: number, beta2: number, eps: number,
  bc1: number, bc2: number) {
  const W = Float64Array.from(w), M = Float64Array.from(m), V = Float64Array.from(v);
  for (let i = 0; i < W.length; i++) {
    M[i] = beta1 * M[i] + (1 - beta1) * g[i];
    V[i] = beta2 * V[i] + (1 - beta2) * g[i] * g[i];
    W[i] -= (lr * (M[i] / bc1)) / (Math.sqrt(V[i] / bc2) + eps);
  }
  return { w: W, m: M, v: V };
}
