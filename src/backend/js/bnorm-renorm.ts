import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/** r, d and the affine they give (y = x̂·scale + shift). Spec: test/reference/renorm.ts */
export function renormCorrection(v: View, cols: number, mean: F32, variance: F32, renormMean: F32, renormStddev: F32,
  gamma: F32 | null, beta: F32 | null, r: F32, d: F32, scale: F32, shift: F32, eps: number, rmin: number, rmax: number,
  dmax: number): void {
  const M = v(mean), V = v(variance), RM = v(renormMean), RS = v(renormStddev), G = gamma ? v(gamma) : null, B = beta ? v(beta) : null;
  const R = v(r), D = v(d), S = v(scale), T = v(shift), floor = Math.sqrt(eps);
  for (let j = 0; j < cols; j++) {
    const rs = Math.max(RS[j], floor);
    // Math.min/max return NaN for a NaN argument, as the WASM lanes do
    const rj = Math.min(Math.max(Math.sqrt(V[j] + eps) / rs, rmin), rmax);
    const dj = Math.min(Math.max((M[j] - RM[j]) / rs, -dmax), dmax);
    const g = G ? G[j] : 1;
    R[j] = rj;
    D[j] = dj;
    S[j] = g * rj;
    T[j] = g * dj + (B ? B[j] : 0);
  }
}

/** dgamma ← r·dgamma + d·dbeta. */
export function renormGammaGrad(v: View, cols: number, r: F32, d: F32, dbeta: F32, dgamma: F32): void {
  const R = v(r), D = v(d), DB = v(dbeta), DG = v(dgamma);
  for (let j = 0; j < cols; j++) DG[j] = R[j] * DG[j] + D[j] * DB[j];
}

/** The renorm and inference moving statistics after one batch (Keras 3). */
export function renormUpdate(v: View, cols: number, mean: F32, variance: F32, movingMean: F32, movingStddev: F32,
  movingVariance: F32, renormMean: F32, renormStddev: F32, eps: number, momentum: number, renormMomentum: number): void {
  const M = v(mean), V = v(variance), MM = v(movingMean), MS = v(movingStddev), MV = v(movingVariance);
  const RM = v(renormMean), RS = v(renormStddev);
  for (let j = 0; j < cols; j++) {
    const sd = Math.sqrt(V[j] + eps);
    RM[j] = RM[j] * renormMomentum + M[j] * (1 - renormMomentum);
    RS[j] = RS[j] * renormMomentum + sd * (1 - renormMomentum);
    MM[j] = MM[j] * momentum + M[j] * (1 - momentum);
    MS[j] = MS[j] * momentum + sd * (1 - momentum);
    const q = MS[j] * MS[j] - eps;
    MV[j] = q < 0 ? 0 : q; // NaN stays NaN
  }
}
