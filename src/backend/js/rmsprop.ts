import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/** RMSprop (Keras 3 = TF.js), centered when mg is given, with momentum when mom is given. Spec: test/reference/optimizers.ts */
export function rmsprop(vw: View, n: number, g: F32, w: F32, ms: F32, mg: F32 | null, mom: F32 | null, lr: number,
  rho: number, momentum: number, eps: number): void {
  const W = vw(w), G = vw(g), MS = vw(ms), MG = mg && vw(mg), MOM = mom && vw(mom);
  for (let i = 0; i < n; i++) {
    const gi = G[i];
    const s = (MS[i] = rho * MS[i] + (1 - rho) * gi * gi);
    let den = s + eps;
    if (MG) { const a = (MG[i] = rho * MG[i] + (1 - rho) * gi); den -= a * a; }
    let inc = (lr * gi) / Math.sqrt(den);
    if (MOM) inc = MOM[i] = momentum * MOM[i] + inc;
    W[i] -= inc;
  }
}
