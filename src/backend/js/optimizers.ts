import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/** Keras SGD: v = momentum·v − lr·g; w += v, or w += momentum·v − lr·g with Nesterov. Spec: test/reference/optimizers.ts */
export function sgd(vw: View, n: number, g: F32, w: F32, v: F32 | null, lr: number, momentum: number, nesterov: boolean): void {
  const W = vw(w), G = vw(g);
  if (momentum === 0 || !v) {
    for (let i = 0; i < n; i++) W[i] -= lr * G[i];
    return;
  }
  const V = vw(v);
  for (let i = 0; i < n; i++) {
    const vel = momentum * V[i] - lr * G[i];
    V[i] = vel;
    W[i] += nesterov ? momentum * vel - lr * G[i] : vel;
  }
}

/** TF.js Adam: bias-corrected moments, eps added to √v̂. */
export function adam(vw: View, n: number, g: F32, w: F32, m: F32, v: F32, lr: number, beta1: number, beta2: number,
  eps: number, bc1: number, bc2: number): void {
  const W = vw(w), G = vw(g), M = vw(m), V = vw(v);
  for (let i = 0; i < n; i++) {
    const gi = G[i];
    const mi = beta1 * M[i] + (1 - beta1) * gi;
    const vi = beta2 * V[i] + (1 - beta2) * gi * gi;
    M[i] = mi;
    V[i] = vi;
    W[i] -= (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
  }
}
