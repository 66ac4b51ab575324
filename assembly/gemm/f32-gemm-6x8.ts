/**
 * Register tile: C[0:rows, 0:cols] (+)= PA · PB, then the Dense epilogue (bias, activation) when asked.
 * pa: packed A panel (6 floats per k), pb: packed B panel (8 floats per k), both from f32-pack.ts.
 * c: byte address of the tile's top-left element, ldc: row stride in bytes. rows ∈ [1, 6], cols ∈ [1, 8]:
 * the full 6×8 product is always computed (padding is zero) and only rows × cols are loaded and stored.
 * 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 x86 XMM registers: enough independent
 * chains to hide the add (or FMA) latency, and 8 loads per 12 multiply-adds.
 * Spec: test/reference/gemm.ts (through f32-gemm.ts).
 */
import { PACK_A_BYTES, PACK_B_BYTES, scratchBase } from '../common/scratch';
import { loadN, madd, storeN } from '../common/simd';
import { actv } from '../vunary/act-v128';

/** Written out beside gemm5x8 on purpose (see there): each tile keeps its accumulators as its own locals. */
export function gemm6x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, rows: i32, cols: i32,
  addC: bool, bias: usize, act: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  let c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (let p = 0; p < kc; p++, pa += 24, pb += 32) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load_splat<f32>(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load_splat<f32>(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load_splat<f32>(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load_splat<f32>(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load_splat<f32>(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
    a = v128.load_splat<f32>(pa, 20);
    c50 = madd(a, b0, c50); c51 = madd(a, b1, c51);
  }
  // the accumulators go to memory before any call: the epilogue's calls clobber every XMM register, and
  // with accumulators live across them V8 spills them inside the k loop (half speed, measured)
  const t = scratchBase() + PACK_B_BYTES + PACK_A_BYTES;
  v128.store(t, c00); v128.store(t, c01, 16); v128.store(t, c10, 32); v128.store(t, c11, 48);
  v128.store(t, c20, 64); v128.store(t, c21, 80); v128.store(t, c30, 96); v128.store(t, c31, 112);
  v128.store(t, c40, 128); v128.store(t, c41, 144); v128.store(t, c50, 160); v128.store(t, c51, 176);
  epilogue(t, c, ldc, rows, cols, addC, bias, act);
}

/**
 * The same with 5 rows: 10 accumulators, so mul + add (which needs a temporary) fits 15 registers. Written
 * out beside gemm6x8 on purpose, not shared with it: each tile's accumulators must be separate locals for
 * V8 to keep them in registers, and the two differ in exactly that.
 */
export function gemm5x8(kc: i32, pa: usize, pb: usize, c: usize, ldc: usize, rows: i32, cols: i32,
  addC: bool, bias: usize, act: i32): void {
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  let c30 = c00, c31 = c00, c40 = c00, c41 = c00;
  for (let p = 0; p < kc; p++, pa += 20, pb += 32) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load_splat<f32>(pa);
    c00 = madd(a, b0, c00); c01 = madd(a, b1, c01);
    a = v128.load_splat<f32>(pa, 4);
    c10 = madd(a, b0, c10); c11 = madd(a, b1, c11);
    a = v128.load_splat<f32>(pa, 8);
    c20 = madd(a, b0, c20); c21 = madd(a, b1, c21);
    a = v128.load_splat<f32>(pa, 12);
    c30 = madd(a, b0, c30); c31 = madd(a, b1, c31);
    a = v128.load_splat<f32>(pa, 16);
    c40 = madd(a, b0, c40); c41 = madd(a, b1, c41);
  }
  const t = scratchBase() + PACK_B_BYTES + PACK_A_BYTES;
  v128.store(t, c00); v128.store(t, c01, 16); v128.store(t, c10, 32); v128.store(t, c11, 48);
  v128.store(t, c20, 64); v128.store(t, c21, 80); v128.store(t, c30, 96); v128.store(t, c31, 112);
  v128.store(t, c40, 128); v128.store(t, c41, 144);
  epilogue(t, c, ldc, rows, cols, addC, bias, act);
}

/** Rows of the spilled tile t → C: full-width rows without an activation stay call-free. */
// @ts-ignore: decorator
@inline function epilogue(t: usize, c: usize, ldc: usize, rows: i32, cols: i32, addC: bool, bias: usize, act: i32): void {
  if (cols == 8 && !act) {
    let b0 = f32x4.splat(0), b1 = b0;
    if (bias) { b0 = v128.load(bias); b1 = v128.load(bias, 16); }
    for (let r = 0; r < rows; r++, c += ldc, t += 32) {
      let v0 = f32x4.add(v128.load(t), b0), v1 = f32x4.add(v128.load(t, 16), b1);
      if (addC) { v0 = f32x4.add(v0, v128.load(c)); v1 = f32x4.add(v1, v128.load(c, 16)); }
      v128.store(c, v0);
      v128.store(c, v1, 16);
    }
    return;
  }
  for (let r = 0; r < rows; r++, c += ldc, t += 32) storeRow(c, v128.load(t), v128.load(t, 16), cols, addC, bias, act);
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
