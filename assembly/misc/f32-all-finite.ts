/**
 * 1 when every one of the n floats at x is finite, else 0 (any n ≥ 0): x − x is 0 for a finite x and NaN
 * for NaN and ±Infinity, and a NaN sticks in a sum, so four vector sums carry the answer without a branch.
 * The training step's divergence check; must match src/backend/js/all-finite.ts.
 */
export function f32_all_finite(n: i32, x: usize): i32 {
  const full = <usize>(n & ~15) << 2;
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  for (let i: usize = 0; i < full; i += 64) {
    const a = v128.load(x + i), b = v128.load(x + i, 16), c = v128.load(x + i, 32), d = v128.load(x + i, 48);
    s0 = f32x4.add(s0, f32x4.sub(a, a));
    s1 = f32x4.add(s1, f32x4.sub(b, b));
    s2 = f32x4.add(s2, f32x4.sub(c, c));
    s3 = f32x4.add(s3, f32x4.sub(d, d));
  }
  const s = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
  let t = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  for (let i = <usize>(n & ~15); i < <usize>n; i++) {
    const v = load<f32>(x + (i << 2));
    t += v - v;
  }
  return t == 0 ? 1 : 0;
}
