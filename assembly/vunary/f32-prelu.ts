/**
 * PReLU with a learned slope per column: x is rows × cols, alpha has cols entries (the same for every row).
 * f32_prelu:     y = x > 0 ? x : alpha·x; y may alias x. A NaN x gives NaN.
 * f32_prelu_bwd: dx = dy·(x > 0 ? 1 : alpha), dalpha[j] = Σᵢ dy·(x > 0 ? 0 : x) (overwritten); dx may alias
 *                dy. A NaN x gives a NaN dx and a NaN dalpha in its column.
 * Any rows, cols ≥ 1 (no alignment needed). Must match src/backend/js/prelu.ts and test/reference/prelu.ts.
 */
import { loadN, storeN } from '../common/simd';

// @ts-ignore: decorator
@inline function forward(x: v128, a: v128): v128 {
  return v128.bitselect(x, f32x4.mul(a, x), f32x4.gt(x, f32x4.splat(0)));
}

export function f32_prelu(rows: i32, cols: i32, x: usize, alpha: usize, y: usize): void {
  const row = <usize>cols << 2, full = <usize>(cols & ~3) << 2, tail = cols & 3;
  for (let r: usize = 0; r < <usize>rows; r++) {
    const xr = x + r * row, yr = y + r * row;
    for (let j: usize = 0; j < full; j += 16) v128.store(yr + j, forward(v128.load(xr + j), v128.load(alpha + j)));
    if (tail) storeN(yr + full, forward(loadN(xr + full, tail), loadN(alpha + full, tail)), tail);
  }
}

/** The chunk's dalpha term and dx, dalpha accumulated in place. */
// @ts-ignore: decorator
@inline function chunk(x: v128, a: v128, dy: v128, da: v128, dx: usize, daPtr: usize, n: i32): void {
  const pos = f32x4.gt(x, f32x4.splat(0)), nan = f32x4.ne(x, x);
  const d = v128.bitselect(x, f32x4.mul(dy, v128.bitselect(f32x4.splat(1), a, pos)), nan);
  const grad = f32x4.add(da, v128.andnot(f32x4.mul(dy, x), pos));
  storeN(dx, d, n);
  storeN(daPtr, grad, n);
}

export function f32_prelu_bwd(rows: i32, cols: i32, x: usize, alpha: usize, dy: usize, dx: usize, dalpha: usize): void {
  const row = <usize>cols << 2, full = <usize>(cols & ~3) << 2, tail = cols & 3;
  memory.fill(dalpha, 0, row);
  for (let r: usize = 0; r < <usize>rows; r++) {
    const xr = x + r * row, dyr = dy + r * row, dxr = dx + r * row;
    for (let j: usize = 0; j < full; j += 16) {
      chunk(v128.load(xr + j), v128.load(alpha + j), v128.load(dyr + j), v128.load(dalpha + j), dxr + j, dalpha + j, 4);
    }
    if (tail) {
      chunk(loadN(xr + full, tail), loadN(alpha + full, tail), loadN(dyr + full, tail), loadN(dalpha + full, tail),
        dxr + full, dalpha + full, tail);
    }
  }
}
