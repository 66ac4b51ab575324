/**
 * SIMD building blocks shared by every kernel: fused multiply-add, partial (tail) loads and stores,
 * horizontal sums, and a vectorised exp. The only file that reads ASC_FEATURE_* flags.
 *
 * expv: exp per lane, |rel err| ≲ 2 ulp on the normal range; x ≥ 88.73 → +Inf, x ≤ −103.98 → 0 (gradual
 * underflow in between), NaN → NaN. Range reduction x = n·ln2 + r, |r| ≤ ln2/2, Cephes expf polynomial,
 * 2ⁿ applied as two exponent-built factors so n ∈ [−150, 128] never leaves the normal range.
 * Must match Math.exp as used by test/reference/activation.ts and softmax.ts within tolerance.
 */

/** Whether this build fuses multiply-add (relaxed-simd): the GEMM tile height depends on it (common/scratch.ts). */
export const HAS_FMA: bool = ASC_FEATURE_RELAXED_SIMD;

/** a·b + c per lane; fused under relaxed-simd (results may then differ in the last ulp). */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Sum of the four lanes. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  const s = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1);
}

/** Maximum of the four lanes. */
// @ts-ignore: decorator
@inline export function hmax(v: v128): f32 {
  const s = f32x4.max(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return max(f32x4.extract_lane(s, 0), f32x4.extract_lane(s, 1));
}

/** Loads n ∈ [0, 4] floats from p (lanes ≥ n are 0) without touching memory past p + 4n. */
// @ts-ignore: decorator
@inline export function loadN(p: usize, n: i32): v128 {
  if (n >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  if (n > 0) v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (n > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (n > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores the first n ∈ [0, 4] lanes of v at p. */
// @ts-ignore: decorator
@inline export function storeN(p: usize, v: v128, n: i32): void {
  if (n >= 4) { v128.store(p, v); return; }
  if (n > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** exp per lane (see the file comment for range and accuracy). */
// @ts-ignore: decorator
@inline export function expv(x: v128): v128 {
  // clamp keeps n in [−150, 128]; beyond, the result is already 0 or +Inf. pmin/pmax (one instruction
  // each on x86) with x first keep NaN: pmin(x, c) = c < x ? c : x.
  x = f32x4.pmax(f32x4.pmin(x, f32x4.splat(89.0)), f32x4.splat(-104.0));
  // n = round(x·log2 e) by the 1.5·2²³ trick: the integer lands in the low mantissa bits of t
  const magic = f32x4.splat(12582912.0);
  const t = madd(x, f32x4.splat(1.44269504088896341), magic);
  const fn = f32x4.sub(t, magic);
  // r = x − n·ln2 with ln2 split in two: n·C1 is exact for |n| < 2¹⁵
  let r = madd(fn, f32x4.splat(-0.693359375), x);
  r = madd(fn, f32x4.splat(2.12194440e-4), r);
  let p = madd(f32x4.splat(1.9875691500e-4), r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(madd(f32x4.mul(p, r), r, r), f32x4.splat(1.0));
  // 2ⁿ = 2^(n>>1) · 2^(n − n>>1): both factors stay normal for n ∈ [−150, 128]
  const n = i32x4.sub(t, magic);
  const n1 = i32x4.shr_s(n, 1), n2 = i32x4.sub(n, n1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(n1, bias), 23), s2 = i32x4.shl(i32x4.add(n2, bias), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/**
 * 4×4 transpose: reads rows src, src + ld, src + 2ld, src + 3ld (4 floats each, any alignment) and writes
 * their columns as rows dst, dst + ldd, … (byte strides).
 */
// @ts-ignore: decorator
@inline export function transpose4x4(src: usize, ld: usize, dst: usize, ldd: usize): void {
  const r0 = v128.load(src), r1 = v128.load(src + ld);
  const r2 = v128.load(src + 2 * ld), r3 = v128.load(src + 3 * ld);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + ldd, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * ldd, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * ldd, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/**
 * Natural log per lane for positive normal inputs only (callers clip first, and keep NaN themselves: a NaN
 * lane's bits read as some finite number here): x = m·2ᵉ, m ∈ [√½, √2),
 * log x = e·ln2 + log m with the Cephes logf polynomial; ≲ 2 ulp.
 */
// @ts-ignore: decorator
@inline export function logv(x: v128): v128 {
  const bits = x;
  let e = f32x4.convert_i32x4_s(i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(126)));
  let m = v128.or(v128.and(bits, i32x4.splat(0x807FFFFF)), i32x4.splat(0x3F000000));   // [0.5, 1)
  const small = f32x4.lt(m, f32x4.splat(0.707106781186547524));
  const one = f32x4.splat(1);
  e = f32x4.sub(e, v128.and(small, one));
  m = f32x4.sub(f32x4.add(m, v128.and(small, m)), one);
  const z = f32x4.mul(m, m);
  let y = madd(f32x4.splat(7.0376836292e-2), m, f32x4.splat(-1.1514610310e-1));
  y = madd(y, m, f32x4.splat(1.1676998740e-1));
  y = madd(y, m, f32x4.splat(-1.2420140846e-1));
  y = madd(y, m, f32x4.splat(1.4249322787e-1));
  y = madd(y, m, f32x4.splat(-1.6668057665e-1));
  y = madd(y, m, f32x4.splat(2.0000714765e-1));
  y = madd(y, m, f32x4.splat(-2.4999993993e-1));
  y = madd(y, m, f32x4.splat(3.3333331174e-1));
  y = f32x4.mul(f32x4.mul(y, m), z);
  y = madd(e, f32x4.splat(-2.12194440e-4), y);
  y = madd(z, f32x4.splat(-0.5), y);
  return madd(e, f32x4.splat(0.693359375), f32x4.add(m, y));
}
