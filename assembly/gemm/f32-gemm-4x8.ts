/**
 * Register tile: C[0:rows, 0:cols] (+)= PA · PB, then the Dense epilogue (bias, activation) when asked.
 * pa: packed A panel (4 floats per k), pb: packed B panel (8 floats per k), both from f32-pack.ts.
 * c: byte address of the tile's top-left element, ldc: row stride in bytes. rows ∈ [1, 4], cols ∈ [1, 8]:
 * the full 4×8 product is always computed (padding is zero) and only rows × cols are loaded and stored.
 * Spec: test/reference/gemm.ts (through f32-gemm.ts).
 */
import { loadN, madd, storeN } from '../common/simd';
import { actv } from '../vunary/act-v128';

export function gemm4x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, rows: i32, cols: i32,
  addC: bool, bias: usize, act: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00;
  let c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (let p = 0; p < kc; p++, pa += 16, pb += 32) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load_splat<f32>(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load_splat<f32>(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load_splat<f32>(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load_splat<f32>(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
  }
  storeRow(c, c00, c01, cols, addC, bias, act);
  if (rows > 1) storeRow(c + ldc, c10, c11, cols, addC, bias, act);
  if (rows > 2) storeRow(c + 2 * ldc, c20, c21, cols, addC, bias, act);
  if (rows > 3) storeRow(c + 3 * ldc, c30, c31, cols, addC, bias, act);
}

/** Row epilogue: v (+ C) (+ bias), activation, store the first `cols` of 8 lanes. */
function storeRow(c: usize, v0: v128, v1: v128, cols: i32, addC: bool, bias: usize, act: i32): void {
  if (cols >= 8) {
    if (addC) { v0 = f32x4.add(v0, v128.load(c)); v1 = f32x4.add(v1, v128.load(c, 16)); }
    if (bias) { v0 = f32x4.add(v0, v128.load(bias)); v1 = f32x4.add(v1, v128.load(bias, 16)); }
    if (act) { v0 = actv(act, v0); v1 = actv(act, v1); }
    v128.store(c, v0);
    v128.store(c, v1, 16);
    return;
  }
  const lo = min(cols, 4), hi = cols - lo;
  if (addC) { v0 = f32x4.add(v0, loadN(c, lo)); v1 = f32x4.add(v1, loadN(c + 16, hi)); }
  if (bias) { v0 = f32x4.add(v0, loadN(bias, lo)); v1 = f32x4.add(v1, loadN(bias + 16, hi)); }
  if (act) { v0 = actv(act, v0); v1 = actv(act, v1); }
  storeN(c, v0, lo);
  storeN(c + 16, v1, hi);
}
