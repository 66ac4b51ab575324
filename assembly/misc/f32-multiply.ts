/** y = x ⊙ mask (dropout, scale folded into the mask), n elements, any n ≥ 1; y may alias x. Spec: test/reference/elementwise.ts */
import { loadN, storeN } from '../common/simd';

export function f32_multiply(n: i32, x: usize, mask: usize, y: usize): void {
  const full = <usize>(n & ~3) << 2, tail = n & 3;
  for (let i: usize = 0; i < full; i += 16) v128.store(y + i, f32x4.mul(v128.load(x + i), v128.load(mask + i)));
  if (tail) storeN(y + full, f32x4.mul(loadN(x + full, tail), loadN(mask + full, tail)), tail);
}
