/**
 * Adagrad as Keras 3 and TF.js define it (they agree): acc += g²;  w −= lr·g/√(acc + eps).
 * n elements, any n ≥ 1. Must match test/reference/optimizers.ts.
 */
import { loadN, madd, storeN } from '../common/simd';

// @ts-ignore: decorator
@inline function step(p: usize, w: usize, g: usize, acc: usize, n: i32, lr: v128, eps: v128): void {
  const gi = loadN(g + p, n);
  const a = madd(gi, gi, loadN(acc + p, n));
  storeN(acc + p, a, n);
  storeN(w + p, f32x4.sub(loadN(w + p, n), f32x4.div(f32x4.mul(lr, gi), f32x4.sqrt(f32x4.add(a, eps)))), n);
}

export function f32_adagrad(n: i32, g: usize, w: usize, acc: usize, lr: f32, eps: f32): void {
  const l = f32x4.splat(lr), e = f32x4.splat(eps);
  const full = <usize>(n & ~3) << 2, tail = n & 3;
  for (let i: usize = 0; i < full; i += 16) step(i, w, g, acc, 4, l, e);
  if (tail) step(full, w, g, acc, tail, l, e);
}
