import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/**
 * Adam with Keras's decoupled weight decay (w −= w·lr·decay, first) and optional AMSGrad (vhat = max(vhat, v)
 * replaces v in the step). Spec: test/reference/optimizers.ts
 */
export function adamw(vw: View, n: number, g: F32, w: F32, m: F32, v: F32, vhat: F32 | null, lr: number, beta1: number,
  beta2: number, eps: number, bc1: number, bc2: number, decay: number): void {
  const W = vw(w), G = vw(g), M = vw(m), V = vw(v), VH = vhat && vw(vhat);
  for (let i = 0; i < n; i++) {
    const gi = G[i];
    const mi = (M[i] = beta1 * M[i] + (1 - beta1) * gi);
    let vi = (V[i] = beta2 * V[i] + (1 - beta2) * gi * gi);
    // Math.max keeps a NaN moment NaN
    if (VH) vi = VH[i] = Math.max(VH[i], vi);
    const wi = W[i];
    W[i] = wi - wi * (lr * decay) - (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + eps);
  }
}
