/**
 * Keras SGD (g read; w and v updated in place). momentum = 0 (or v = 0): w −= lr·g. Otherwise v = momentum·v − lr·g, then
 * w += v, or with nesterov w += momentum·v − lr·g. n elements, any n ≥ 1. Must match test/reference/optimizers.ts.
 */
import { loadN, madd, storeN } from '../common/simd';

export function f32_sgd(n: i32, g: usize, w: usize, v: usize, lr: f32, momentum: f32, nesterov: i32): void {
  const full = <usize>(n & ~3) << 2, tail = n & 3, nlr = f32x4.splat(-lr), mo = f32x4.splat(momentum);
  if (momentum == 0 || !v) {
    for (let i: usize = 0; i < full; i += 16) v128.store(w + i, madd(v128.load(g + i), nlr, v128.load(w + i)));
    if (tail) storeN(w + full, madd(loadN(g + full, tail), nlr, loadN(w + full, tail)), tail);
    return;
  }
  for (let i: usize = 0; i < full; i += 16) {
    const step = f32x4.mul(v128.load(g + i), nlr);
    const vi = madd(v128.load(v + i), mo, step);
    v128.store(v + i, vi);
    v128.store(w + i, f32x4.add(v128.load(w + i), nesterov ? madd(vi, mo, step) : vi));
  }
  if (tail) {
    const step = f32x4.mul(loadN(g + full, tail), nlr);
    const vi = madd(loadN(v + full, tail), mo, step);
    storeN(v + full, vi, tail);
    storeN(w + full, f32x4.add(loadN(w + full, tail), nesterov ? madd(vi, mo, step) : vi), tail);
  }
}
