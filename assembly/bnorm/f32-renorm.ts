/**
 * Batch Renormalization (Ioffe 2017, as Keras 3 defines it), per feature; the sums over the data stay in
 * the BN kernels (x̂ from f32_bnorm_fwd_train without gamma/beta, gradients from f32_bnorm_bwd):
 *   f32_renorm_correction:  σ = √(variance + eps), ρ = max(renormStddev, √eps),
 *                           r = clip(σ/ρ, rmin, rmax), d = clip((mean − renormMean)/ρ, −dmax, dmax),
 *                           scale = gamma·r, shift = gamma·d + beta   (so y = x̂·scale + shift)
 *   f32_renorm_gamma_grad:  dgamma ← r·dgamma + d·dbeta  (from Σdy·x̂ and Σdy; r and d are constants)
 *   f32_renorm_update:      renormMean, renormStddev ← ·renormMomentum + (mean, σ)·(1 − renormMomentum)
 *                           movingMean, movingStddev ← ·momentum + (mean, σ)·(1 − momentum)
 *                           movingVariance = max(movingStddev² − eps, 0)
 * Vectors of cols floats; gamma/beta 0 = 1/0; no clipping = rmin 0, rmax +Inf, dmax +Inf. NaN propagates
 * (min/max of wasm SIMD return NaN when either lane is NaN). Must match test/reference/renorm.ts.
 */
import { loadN, madd, storeN } from '../common/simd';

export function f32_renorm_correction(cols: i32, mean: usize, variance: usize, renormMean: usize, renormStddev: usize,
  gamma: usize, beta: usize, r: usize, d: usize, scale: usize, shift: usize, eps: f32, rmin: f32, rmax: f32, dmax: f32): void {
  const e = f32x4.splat(eps), floor = f32x4.splat(sqrt<f32>(eps)), one = f32x4.splat(1), zero = f32x4.splat(0);
  const lo = f32x4.splat(rmin), hi = f32x4.splat(rmax), dhi = f32x4.splat(dmax), dlo = f32x4.splat(-dmax);
  for (let j = 0; j < cols; j += 4) {
    const n = min(4, cols - j), o = <usize>j << 2;
    const sd = f32x4.sqrt(f32x4.add(loadN(variance + o, n), e));
    const rs = f32x4.max(loadN(renormStddev + o, n), floor);
    const rv = f32x4.min(f32x4.max(f32x4.div(sd, rs), lo), hi);
    const dv = f32x4.min(f32x4.max(f32x4.div(f32x4.sub(loadN(mean + o, n), loadN(renormMean + o, n)), rs), dlo), dhi);
    const g = gamma ? loadN(gamma + o, n) : one;
    storeN(r + o, rv, n);
    storeN(d + o, dv, n);
    storeN(scale + o, f32x4.mul(g, rv), n);
    storeN(shift + o, madd(g, dv, beta ? loadN(beta + o, n) : zero), n);
  }
}

export function f32_renorm_gamma_grad(cols: i32, r: usize, d: usize, dbeta: usize, dgamma: usize): void {
  for (let j = 0; j < cols; j += 4) {
    const n = min(4, cols - j), o = <usize>j << 2;
    storeN(dgamma + o, madd(loadN(r + o, n), loadN(dgamma + o, n), f32x4.mul(loadN(d + o, n), loadN(dbeta + o, n))), n);
  }
}

export function f32_renorm_update(cols: i32, mean: usize, variance: usize, movingMean: usize, movingStddev: usize,
  movingVariance: usize, renormMean: usize, renormStddev: usize, eps: f32, momentum: f32, renormMomentum: f32): void {
  const e = f32x4.splat(eps), zero = f32x4.splat(0);
  const mo = f32x4.splat(momentum), mr = f32x4.splat(<f32>1 - momentum);
  const ro = f32x4.splat(renormMomentum), rr = f32x4.splat(<f32>1 - renormMomentum);
  for (let j = 0; j < cols; j += 4) {
    const n = min(4, cols - j), o = <usize>j << 2;
    const m = loadN(mean + o, n), sd = f32x4.sqrt(f32x4.add(loadN(variance + o, n), e));
    storeN(renormMean + o, madd(loadN(renormMean + o, n), ro, f32x4.mul(m, rr)), n);
    storeN(renormStddev + o, madd(loadN(renormStddev + o, n), ro, f32x4.mul(sd, rr)), n);
    storeN(movingMean + o, madd(loadN(movingMean + o, n), mo, f32x4.mul(m, mr)), n);
    const ms = madd(loadN(movingStddev + o, n), mo, f32x4.mul(sd, mr));
    storeN(movingStddev + o, ms, n);
    // relu keeps a rounding below eps from going negative; NaN stays NaN (f32x4.max propagates it)
    storeN(movingVariance + o, f32x4.max(f32x4.sub(f32x4.mul(ms, ms), e), zero), n);
  }
}
