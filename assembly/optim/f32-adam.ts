/**
 * TF.js Adam: m = β1·m + (1 − β1)·g,  v = β2·v + (1 − β2)·g²,  w −= lr·(m/bc1)/(√(v/bc2) + eps),
 * bc1 = 1 − β1ᵗ and bc2 = 1 − β2ᵗ given by the caller. n elements, any n ≥ 1.
 * Must match test/reference/optimizers.ts.
 */
import { loadN, madd, storeN } from '../common/simd';

// @ts-ignore: decorator
@inline function step(w: v128, g: v128, m: v128, v: v128, b1: v128, c1: v128, b2: v128, c2: v128,
  lr: v128, e: v128, ib1: v128, ib2: v128, pm: usize, pv: usize, tail: i32): v128 {
  m = madd(m, b1, f32x4.mul(g, c1));
  v = madd(v, b2, f32x4.mul(f32x4.mul(g, g), c2));
  storeN(pm, m, tail);
  storeN(pv, v, tail);
  const den = f32x4.add(f32x4.sqrt(f32x4.mul(v, ib2)), e);
  return f32x4.sub(w, f32x4.div(f32x4.mul(lr, f32x4.mul(m, ib1)), den));
}

export function f32_adam(n: i32, g: usize, w: usize, m: usize, v: usize, lr: f32, beta1: f32, beta2: f32, eps: f32,
  bc1: f32, bc2: f32): void {
  const b1 = f32x4.splat(beta1), c1 = f32x4.splat(<f32>1 - beta1), b2 = f32x4.splat(beta2), c2 = f32x4.splat(<f32>1 - beta2);
  const l = f32x4.splat(lr), e = f32x4.splat(eps), ib1 = f32x4.splat(<f32>1 / bc1), ib2 = f32x4.splat(<f32>1 / bc2);
  const full = <usize>(n & ~3) << 2, tail = n & 3;
  for (let i: usize = 0; i < full; i += 16) {
    v128.store(w + i, step(v128.load(w + i), v128.load(g + i), v128.load(m + i), v128.load(v + i),
      b1, c1, b2, c2, l, e, ib1, ib2, m + i, v + i, 4));
  }
  if (tail) {
    const o = full;
    storeN(w + o, step(loadN(w + o, tail), loadN(g + o, tail), loadN(m + o, tail), loadN(v + o, tail),
      b1, c1, b2, c2, l, e, ib1, ib2, m + o, v + o, tail), tail);
  }
}
