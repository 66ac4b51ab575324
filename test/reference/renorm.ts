/**
 * Batch Renormalization (Ioffe 2017) as Keras 3 defines it, float64: the spec for assembly/bnorm/f32-renorm.ts,
 * src/backend/js/bnorm-renorm.ts and the layer's renorm option. gamma/beta null = 1/0.
 *   σ = √(var + eps), ρ = max(renormStddev, √eps), r = clip(σ/ρ, rmin, rmax), d = clip((mean − renormMean)/ρ, ±dmax)
 *   training output y = x̂·(gamma·r) + (gamma·d + beta), x̂ = (x − mean)/σ with the batch mean and biased variance
 *   r and d are constants for the gradient: dx is BN's with gamma·r in place of gamma, dgamma = Σ dy·(r·x̂ + d)
 *   after the batch: renorm stats move by 1 − renormMomentum, moving mean/stddev by 1 − momentum,
 *   moving variance = max(movingStddev² − eps, 0)
 */
import * as bn from './bnorm.js';

type Vec = ArrayLike<number>;
export interface Clipping { rmin?: number; rmax?: number; dmax?: number }

export function correction(cols: number, mean: Vec, variance: Vec, renormMean: Vec, renormStddev: Vec, eps: number, clip: Clipping = {}) {
  const r = new Float64Array(cols), d = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    const rho = Math.max(renormStddev[j], Math.sqrt(eps));
    r[j] = Math.sqrt(variance[j] + eps) / rho;
    d[j] = (mean[j] - renormMean[j]) / rho;
    if (clip.rmin !== undefined) r[j] = Math.max(r[j], clip.rmin);
    if (clip.rmax !== undefined) r[j] = Math.min(r[j], clip.rmax);
    if (clip.dmax !== undefined) d[j] = Math.min(Math.max(d[j], -clip.dmax), clip.dmax);
  }
  return { r, d };
}

/** y = x̂·(gamma·r) + gamma·d + beta for given r and d (constants). */
export function affine(rows: number, cols: number, x: Vec, gamma: Vec | null, beta: Vec | null, eps: number, r: Vec, d: Vec): Float64Array {
  const { y: xhat } = bn.forwardTrain(rows, cols, x, null, null, eps);
  return xhat.map((v, i) => {
    const j = i % cols, g = gamma ? gamma[j] : 1;
    return v * g * r[j] + g * d[j] + (beta ? beta[j] : 0);
  });
}

export function forwardTrain(rows: number, cols: number, x: Vec, gamma: Vec | null, beta: Vec | null, renormMean: Vec,
  renormStddev: Vec, eps: number, clip: Clipping = {}) {
  const { mean, variance, invStd } = bn.forwardTrain(rows, cols, x, null, null, eps);
  const { r, d } = correction(cols, mean, variance, renormMean, renormStddev, eps, clip);
  return { y: affine(rows, cols, x, gamma, beta, eps, r, d), mean, variance, invStd, r, d };
}

export function backward(rows: number, cols: number, dy: Vec, x: Vec, mean: Vec, invStd: Vec, gamma: Vec | null, r: Vec, d: Vec) {
  const g = Float64Array.from({ length: cols }, (_, j) => (gamma ? gamma[j] : 1) * r[j]);
  const { dx, dgamma: sdyx, dbeta } = bn.backward(rows, cols, dy, x, mean, invStd, g);
  const dgamma = sdyx.map((s, j) => r[j] * s + d[j] * dbeta[j]);
  return { dx, dgamma, dbeta };
}

/** L = Σ w·y with r and d held at the given values: the scalar whose gradients backward() must give for dy = w. */
export function trainLoss(rows: number, cols: number, x: Vec, gamma: Vec, beta: Vec, eps: number, r: Vec, d: Vec, w: Vec): number {
  return affine(rows, cols, x, gamma, beta, eps, r, d).reduce((s, v, i) => s + v * w[i], 0);
}

export function update(mean: Vec, variance: Vec, state: { movingMean: Vec; movingStddev: Vec; renormMean: Vec; renormStddev: Vec },
  eps: number, momentum: number, renormMomentum: number) {
  const cols = mean.length, sd = Float64Array.from({ length: cols }, (_, j) => Math.sqrt(variance[j] + eps));
  const avg = (old: Vec, now: Vec, m: number) => Float64Array.from({ length: cols }, (_, j) => old[j] * m + now[j] * (1 - m));
  const movingStddev = avg(state.movingStddev, sd, momentum);
  return {
    renormMean: avg(state.renormMean, mean, renormMomentum),
    renormStddev: avg(state.renormStddev, sd, renormMomentum),
    movingMean: avg(state.movingMean, mean, momentum),
    movingStddev,
    movingVariance: movingStddev.map((s) => Math.max(s * s - eps, 0)),
  };
}
