/**
 * Adam with Keras's decoupled weight decay and optional AMSGrad:
 *   w −= w·(lr·decay)                                (first, on the old weights, as Keras applies it)
 *   m = β1·m + (1 − β1)·g,  v = β2·v + (1 − β2)·g²;  AMSGrad: vhat = max(vhat, v), and vhat replaces v below
 *   w −= lr·(m/bc1)/(√(v/bc2) + eps)                 (bnwasm's Adam step, f32-adam.ts), bc = 1 − βᵗ from the caller
 * vhat = 0 (pointer) means no AMSGrad; decay = 0 is plain Adam. n elements, any n ≥ 1.
 * Must match test/reference/optimizers.ts.
 */
import { loadN, madd, storeN } from '../common/simd';

// @ts-ignore: decorator
@inline function step(ams: bool, p: usize, w: usize, g: usize, m: usize, v: usize, vhat: usize, n: i32,
  b1: v128, c1: v128, b2: v128, c2: v128, lr: v128, e: v128, ib1: v128, ib2: v128, nd: v128): void {
  const gi = loadN(g + p, n);
  const mi = madd(loadN(m + p, n), b1, f32x4.mul(gi, c1));
  let vi = madd(loadN(v + p, n), b2, f32x4.mul(f32x4.mul(gi, gi), c2));
  storeN(m + p, mi, n);
  storeN(v + p, vi, n);
  if (ams) {
    // max, not pmax: a NaN moment stays NaN
    vi = f32x4.max(loadN(vhat + p, n), vi);
    storeN(vhat + p, vi, n);
  }
  const wi = loadN(w + p, n);
  const decayed = madd(wi, nd, wi);
  const den = f32x4.add(f32x4.sqrt(f32x4.mul(vi, ib2)), e);
  storeN(w + p, f32x4.sub(decayed, f32x4.div(f32x4.mul(lr, f32x4.mul(mi, ib1)), den)), n);
}

// @ts-ignore: decorator
@inline function loop(ams: bool, n: i32, w: usize, g: usize, m: usize, v: usize, vhat: usize, lr: f32, beta1: f32,
  beta2: f32, eps: f32, bc1: f32, bc2: f32, decay: f32): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(<f32>1 - beta1), b2 = f32x4.splat(beta2), c2 = f32x4.splat(<f32>1 - beta2);
  const l = f32x4.splat(lr), e = f32x4.splat(eps), ib1 = f32x4.splat(<f32>1 / bc1), ib2 = f32x4.splat(<f32>1 / bc2);
  const nd = f32x4.splat(-(lr * decay));
  const full = <usize>(n & ~3) << 2, tail = n & 3;
  for (let i: usize = 0; i < full; i += 16) step(ams, i, w, g, m, v, vhat, 4, b1, c1, b2, c2, l, e, ib1, ib2, nd);
  if (tail) step(ams, full, w, g, m, v, vhat, tail, b1, c1, b2, c2, l, e, ib1, ib2, nd);
}

export function f32_adamw(n: i32, g: usize, w: usize, m: usize, v: usize, vhat: usize, lr: f32, beta1: f32, beta2: f32,
  eps: f32, bc1: f32, bc2: f32, decay: f32): void {
  if (vhat) loop(true, n, w, g, m, v, vhat, lr, beta1, beta2, eps, bc1, bc2, decay);
  else loop(false, n, w, g, m, v, vhat, lr, beta1, beta2, eps, bc1, bc2, decay);
}
