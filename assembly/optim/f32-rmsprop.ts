/**
 * RMSprop as Keras 3 and TF.js define it (they agree):
 *   ms = ρ·ms + (1 − ρ)·g²;  centered: mg = ρ·mg + (1 − ρ)·g, den = ms − mg² + eps, else den = ms + eps;
 *   inc = lr·g/√den;  with momentum: mom = momentum·mom + inc, w −= mom;  without: w −= inc.
 * mg = 0 (pointer) means not centered; mom = 0 means no momentum. n elements, any n ≥ 1.
 * Must match test/reference/optimizers.ts.
 */
import { loadN, madd, storeN } from '../common/simd';

// @ts-ignore: decorator
@inline function step(centered: bool, useMom: bool, p: usize, w: usize, g: usize, ms: usize, mg: usize, mom: usize,
  n: i32, lr: v128, rho: v128, crho: v128, mo: v128, eps: v128): void {
  const gi = loadN(g + p, n);
  const s = madd(loadN(ms + p, n), rho, f32x4.mul(crho, f32x4.mul(gi, gi)));
  storeN(ms + p, s, n);
  let den = f32x4.add(s, eps);
  if (centered) {
    const a = madd(loadN(mg + p, n), rho, f32x4.mul(crho, gi));
    storeN(mg + p, a, n);
    den = f32x4.sub(den, f32x4.mul(a, a));
  }
  let inc = f32x4.div(f32x4.mul(lr, gi), f32x4.sqrt(den));
  if (useMom) {
    inc = madd(loadN(mom + p, n), mo, inc);
    storeN(mom + p, inc, n);
  }
  storeN(w + p, f32x4.sub(loadN(w + p, n), inc), n);
}

// @ts-ignore: decorator
@inline function loop(centered: bool, useMom: bool, n: i32, w: usize, g: usize, ms: usize, mg: usize, mom: usize,
  lr: f32, rho: f32, momentum: f32, eps: f32): void {
  const l = f32x4.splat(lr), r = f32x4.splat(rho), c = f32x4.splat(<f32>1 - rho), mo = f32x4.splat(momentum), e = f32x4.splat(eps);
  const full = <usize>(n & ~3) << 2, tail = n & 3;
  for (let i: usize = 0; i < full; i += 16) step(centered, useMom, i, w, g, ms, mg, mom, 4, l, r, c, mo, e);
  if (tail) step(centered, useMom, full, w, g, ms, mg, mom, tail, l, r, c, mo, e);
}

export function f32_rmsprop(n: i32, g: usize, w: usize, ms: usize, mg: usize, mom: usize, lr: f32, rho: f32,
  momentum: f32, eps: f32): void {
  if (mg && mom) loop(true, true, n, w, g, ms, mg, mom, lr, rho, momentum, eps);
  else if (mg) loop(true, false, n, w, g, ms, mg, mom, lr, rho, momentum, eps);
  else if (mom) loop(false, true, n, w, g, ms, mg, mom, lr, rho, momentum, eps);
  else loop(false, false, n, w, g, ms, mg, mom, lr, rho, momentum, eps);
}
