/**
 * f32x4 multiply+add peak on one core, registers only: N independent chains a = a·m + c (m < 1, so every
 * chain converges to c/(1 − m) and never overflows or goes subnormal). One chain step is 8 flops
 * (4 lanes × mul + add). With N chains the loop is throughput-bound once N ≥ latency × issue width
 * (mul+add: 2 × 3 cycles × 2 pipes ≈ 12 on Zen); the bench takes the fastest N as the peak.
 * Built twice by bench/peak/peak.bench.mjs: --enable simd (mul then add) and --enable simd,relaxed-simd
 * (f32x4.relaxed_madd, fused where the engine fuses it). Not part of the package.
 */

// @ts-ignore: decorator
@inline function step(a: v128, m: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, m, c);
  return f32x4.add(f32x4.mul(a, m), c);
}

/** 4 independent chains acc = acc·m + c; returns their sum so nothing is dead code. */
export function chains4(iters: i32, m: f32, c: f32): f32 {
  const vm = f32x4.splat(m), vc = f32x4.splat(c);
  let a0 = f32x4.splat(1.000000);
  let a1 = f32x4.splat(1.015625);
  let a2 = f32x4.splat(1.031250);
  let a3 = f32x4.splat(1.046875);
  for (let i = 0; i < iters; i++) {
    a0 = step(a0, vm, vc);
    a1 = step(a1, vm, vc);
    a2 = step(a2, vm, vc);
    a3 = step(a3, vm, vc);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3);
  return f32x4.extract_lane(s, 0);
}

/** 8 independent chains acc = acc·m + c; returns their sum so nothing is dead code. */
export function chains8(iters: i32, m: f32, c: f32): f32 {
  const vm = f32x4.splat(m), vc = f32x4.splat(c);
  let a0 = f32x4.splat(1.000000);
  let a1 = f32x4.splat(1.015625);
  let a2 = f32x4.splat(1.031250);
  let a3 = f32x4.splat(1.046875);
  let a4 = f32x4.splat(1.062500);
  let a5 = f32x4.splat(1.078125);
  let a6 = f32x4.splat(1.093750);
  let a7 = f32x4.splat(1.109375);
  for (let i = 0; i < iters; i++) {
    a0 = step(a0, vm, vc);
    a1 = step(a1, vm, vc);
    a2 = step(a2, vm, vc);
    a3 = step(a3, vm, vc);
    a4 = step(a4, vm, vc);
    a5 = step(a5, vm, vc);
    a6 = step(a6, vm, vc);
    a7 = step(a7, vm, vc);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3), a4), a5), a6), a7);
  return f32x4.extract_lane(s, 0);
}

/** 12 independent chains acc = acc·m + c; returns their sum so nothing is dead code. */
export function chains12(iters: i32, m: f32, c: f32): f32 {
  const vm = f32x4.splat(m), vc = f32x4.splat(c);
  let a0 = f32x4.splat(1.000000);
  let a1 = f32x4.splat(1.015625);
  let a2 = f32x4.splat(1.031250);
  let a3 = f32x4.splat(1.046875);
  let a4 = f32x4.splat(1.062500);
  let a5 = f32x4.splat(1.078125);
  let a6 = f32x4.splat(1.093750);
  let a7 = f32x4.splat(1.109375);
  let a8 = f32x4.splat(1.125000);
  let a9 = f32x4.splat(1.140625);
  let a10 = f32x4.splat(1.156250);
  let a11 = f32x4.splat(1.171875);
  for (let i = 0; i < iters; i++) {
    a0 = step(a0, vm, vc);
    a1 = step(a1, vm, vc);
    a2 = step(a2, vm, vc);
    a3 = step(a3, vm, vc);
    a4 = step(a4, vm, vc);
    a5 = step(a5, vm, vc);
    a6 = step(a6, vm, vc);
    a7 = step(a7, vm, vc);
    a8 = step(a8, vm, vc);
    a9 = step(a9, vm, vc);
    a10 = step(a10, vm, vc);
    a11 = step(a11, vm, vc);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3), a4), a5), a6), a7), a8), a9), a10), a11);
  return f32x4.extract_lane(s, 0);
}

/** 16 independent chains acc = acc·m + c; returns their sum so nothing is dead code. */
export function chains16(iters: i32, m: f32, c: f32): f32 {
  const vm = f32x4.splat(m), vc = f32x4.splat(c);
  let a0 = f32x4.splat(1.000000);
  let a1 = f32x4.splat(1.015625);
  let a2 = f32x4.splat(1.031250);
  let a3 = f32x4.splat(1.046875);
  let a4 = f32x4.splat(1.062500);
  let a5 = f32x4.splat(1.078125);
  let a6 = f32x4.splat(1.093750);
  let a7 = f32x4.splat(1.109375);
  let a8 = f32x4.splat(1.125000);
  let a9 = f32x4.splat(1.140625);
  let a10 = f32x4.splat(1.156250);
  let a11 = f32x4.splat(1.171875);
  let a12 = f32x4.splat(1.187500);
  let a13 = f32x4.splat(1.203125);
  let a14 = f32x4.splat(1.218750);
  let a15 = f32x4.splat(1.234375);
  for (let i = 0; i < iters; i++) {
    a0 = step(a0, vm, vc);
    a1 = step(a1, vm, vc);
    a2 = step(a2, vm, vc);
    a3 = step(a3, vm, vc);
    a4 = step(a4, vm, vc);
    a5 = step(a5, vm, vc);
    a6 = step(a6, vm, vc);
    a7 = step(a7, vm, vc);
    a8 = step(a8, vm, vc);
    a9 = step(a9, vm, vc);
    a10 = step(a10, vm, vc);
    a11 = step(a11, vm, vc);
    a12 = step(a12, vm, vc);
    a13 = step(a13, vm, vc);
    a14 = step(a14, vm, vc);
    a15 = step(a15, vm, vc);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3), a4), a5), a6), a7), a8), a9), a10), a11), a12), a13), a14), a15);
  return f32x4.extract_lane(s, 0);
}
