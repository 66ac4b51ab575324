import type { F32 } from '../kernels.js';
import { columnMoments } from './batch-stats.js';
import type { View } from './view.js';

/** Training forward: batch statistics, then y = gamma·(x − mean)·invStd + beta. Spec: test/reference/bnorm.ts */
export function bnormForwardTrain(v: View, rows: number, cols: number, x: F32, gamma: F32 | null, beta: F32 | null,
  y: F32, mean: F32, variance: F32, invStd: F32, eps: number): void {
  const X = v(x), m = columnMoments(X, rows, cols);
  v(mean).set(m.mean);
  v(variance).set(m.variance);
  const G = gamma ? v(gamma) : null, B = beta ? v(beta) : null, S = v(invStd);
  const scale = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    S[j] = 1 / Math.sqrt(Math.fround(m.variance[j]) + eps);
    scale[j] = (G ? G[j] : 1) * S[j];
  }
  // centre on the float64 mean: (x − mean)·scale + beta keeps precision when |mean| ≫ std
  const Y = v(y);
  for (let i = 0; i < rows; i++) {
    for (let j = 0, r = i * cols; j < cols; j++) Y[r + j] = (X[r + j] - m.mean[j]) * scale[j] + (B ? B[j] : 0);
  }
}

/** Inference BN's scale, gamma/√(variance + eps) (the one formula bnormScale and bnormFold share). */
function scaleOf(V: Float32Array, G: Float32Array | null, eps: number, j: number): number {
  return (G ? G[j] : 1) / Math.sqrt(V[j] + eps);
}

export function bnormScale(v: View, cols: number, variance: F32, gamma: F32 | null, scale: F32, eps: number): void {
  const V = v(variance), G = gamma ? v(gamma) : null, S = v(scale);
  for (let j = 0; j < cols; j++) S[j] = scaleOf(V, G, eps, j);
}

export function bnormFold(v: View, cols: number, mean: F32, variance: F32, gamma: F32 | null, beta: F32 | null,
  scale: F32, shift: F32, eps: number): void {
  const M = v(mean), V = v(variance), G = gamma ? v(gamma) : null, B = beta ? v(beta) : null;
  const S = v(scale), T = v(shift);
  for (let j = 0; j < cols; j++) {
    const s = scaleOf(V, G, eps, j);
    S[j] = s;
    T[j] = (B ? B[j] : 0) - M[j] * s;
  }
}

export function scaleShift(v: View, rows: number, cols: number, x: F32, center: F32 | null, scale: F32,
  shift: F32 | null, y: F32): void {
  const X = v(x), Y = v(y), S = v(scale), C = center ? v(center) : null, T = shift ? v(shift) : null;
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) Y[r + j] = (X[r + j] - (C ? C[j] : 0)) * S[j] + (T ? T[j] : 0);
  }
}

/**
 * dβ = Σdy, dγ = Σdy·x̂, dx = γ·invStd·(dy − dβ/n − x̂·dγ/n), x̂ centred on x's own mean: `mean` (float32,
 * rounded) plus the residual r = Σ(x − mean)/n, as the WASM kernel does. One pass for the sums, one for dx.
 */
export function bnormBackward(v: View, rows: number, cols: number, dy: F32, x: F32, mean: F32, invStd: F32,
  gamma: F32 | null, dx: F32, dgamma: F32, dbeta: F32): void {
  const DY = v(dy), X = v(x), M = v(mean), S = v(invStd), G = gamma ? v(gamma) : null;
  const DG = v(dgamma), DB = v(dbeta);
  const sdy = new Float64Array(cols), sdyd = new Float64Array(cols), sd = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0, r = i * cols; j < cols; j++) {
      const g = DY[r + j], d = X[r + j] - M[j];
      sdy[j] += g;
      sdyd[j] += g * d;
      sd[j] += d;
    }
  }
  const k = new Float32Array(cols), mdy = new Float32Array(cols), mdyx = new Float32Array(cols), res = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    res[j] = sd[j] / rows;
    const sdyx = (sdyd[j] - res[j] * sdy[j]) * S[j];
    DB[j] = sdy[j];
    DG[j] = sdyx;
    k[j] = (G ? G[j] : 1) * S[j];
    mdy[j] = sdy[j] / rows;
    mdyx[j] = sdyx / rows;
  }
  const DX = v(dx);
  for (let i = 0; i < rows; i++) {
    for (let j = 0, r = i * cols; j < cols; j++) {
      const xhat = (X[r + j] - M[j] - res[j]) * S[j];
      DX[r + j] = k[j] * (DY[r + j] - mdy[j] - xhat * mdyx[j]);
    }
  }
}
