import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/** Adagrad (Keras 3 = TF.js): acc += g², w −= lr·g/√(acc + eps). Spec: test/reference/optimizers.ts */
export function adagrad(vw: View, n: number, g: F32, w: F32, acc: F32, lr: number, eps: number): void {
  const W = vw(w), G = vw(g), A = vw(acc);
  for (let i = 0; i < n; i++) {
    const a = (A[i] += G[i] * G[i]);
    W[i] -= (lr * G[i]) / Math.sqrt(a + eps);
  }
}
