/**
 * Per-column mean and biased variance over the rows (Keras), two passes, shifted for stability:
 *   K = x[0, j],  c = Σᵢ (x − K)/rows,  variance = Σᵢ (x − K − c)²/rows,  mean = K + c.
 * x − K is exact when x and K are close (Sterbenz), so data like 10000 + N(0, 0.01²) keeps its variance;
 * a plain f32 Σx would lose it entirely. Rows are streamed and the sums accumulate in the output arrays.
 * A column whose first value is ±Infinity gets mean Σx/rows (±Infinity or NaN) and variance NaN, as the spec.
 * x rows × cols row-major, mean/variance cols. Any rows, cols ≥ 1. Must match test/reference/batch-stats.ts.
 */
import { loadN, madd, storeN } from '../common/simd';

export function f32_batch_stats(rows: i32, cols: i32, x: usize, mean: usize, variance: usize): void {
  f32_batch_stats_part(rows, cols, 0, cols, x, mean, variance);
}

/**
 * f32_batch_stats for columns [j0, j1) only (a thread's share; j0 a multiple of 4). Columns are
 * independent lanes, so the shares together are bitwise the whole call.
 */
export function f32_batch_stats_part(rows: i32, cols: i32, j0: i32, j1: i32, x: usize, mean: usize, variance: usize): void {
  const w = j1 - j0, o = <usize>j0 << 2, xs = x + o, ms = mean + o;
  if (w <= 0) return;
  shiftedStats(rows, w, cols, xs, ms, variance + o);
  // mean ← K + c
  const full = <usize>(w & ~3) << 2, tail = w & 3;
  for (let j: usize = 0; j < full; j += 16) v128.store(ms + j, f32x4.add(v128.load(xs + j), v128.load(ms + j)));
  if (tail) storeN(ms + full, f32x4.add(loadN(xs + full, tail), loadN(ms + full, tail)), tail);
}

/**
 * For the w columns of a strip (row stride ld floats): c[j] = Σ(x − x[0, j])/rows, q[j] = Σ(x − x[0, j] − c)²/rows.
 * c and q are outputs of w floats (they serve as the accumulators). Rows are added four at a time, pairwise,
 * before touching the accumulator: less rounding and a quarter of the accumulator traffic.
 */
export function shiftedStats(rows: i32, w: i32, ld: i32, x: usize, c: usize, q: usize): void {
  const row = <usize>ld << 2, full = <usize>(w & ~3) << 2, tail = w & 3;
  const n = f32x4.splat(<f32>rows);
  memory.fill(c, 0, <usize>w << 2);
  memory.fill(q, 0, <usize>w << 2);
  // pass 1: Σ (x − K)
  let i = 0, p = x;
  for (; i + 4 <= rows; i += 4, p += 4 * row) {
    for (let j: usize = 0; j < full; j += 16) v128.store(c + j, f32x4.add(v128.load(c + j), sum4(p + j, row, v128.load(x + j))));
    if (tail) storeN(c + full, f32x4.add(loadN(c + full, tail), sum4N(p + full, row, loadN(x + full, tail), tail)), tail);
  }
  for (; i < rows; i++, p += row) {
    for (let j: usize = 0; j < full; j += 16) {
      v128.store(c + j, f32x4.add(v128.load(c + j), f32x4.sub(v128.load(p + j), v128.load(x + j))));
    }
    if (tail) storeN(c + full, f32x4.add(loadN(c + full, tail), f32x4.sub(loadN(p + full, tail), loadN(x + full, tail))), tail);
  }
  for (let j: usize = 0; j < full; j += 16) v128.store(c + j, f32x4.div(v128.load(c + j), n));
  if (tail) storeN(c + full, f32x4.div(loadN(c + full, tail), n), tail);
  // pass 2: Σ (x − K − c)², K + c kept apart so x − K stays exact
  i = 0; p = x;
  for (; i + 4 <= rows; i += 4, p += 4 * row) {
    for (let j: usize = 0; j < full; j += 16) {
      v128.store(q + j, f32x4.add(v128.load(q + j), sq4(p + j, row, v128.load(x + j), v128.load(c + j))));
    }
    if (tail) {
      storeN(q + full, f32x4.add(loadN(q + full, tail), sq4N(p + full, row, loadN(x + full, tail), loadN(c + full, tail), tail)), tail);
    }
  }
  for (; i < rows; i++, p += row) {
    for (let j: usize = 0; j < full; j += 16) {
      const d = f32x4.sub(f32x4.sub(v128.load(p + j), v128.load(x + j)), v128.load(c + j));
      v128.store(q + j, madd(d, d, v128.load(q + j)));
    }
    if (tail) {
      const d = f32x4.sub(f32x4.sub(loadN(p + full, tail), loadN(x + full, tail)), loadN(c + full, tail));
      storeN(q + full, madd(d, d, loadN(q + full, tail)), tail);
    }
  }
  for (let j: usize = 0; j < full; j += 16) v128.store(q + j, f32x4.div(v128.load(q + j), n));
  if (tail) storeN(q + full, f32x4.div(loadN(q + full, tail), n), tail);
  // a shift K = ±Infinity makes every x − K NaN or infinite, though Σx/rows may be ±Infinity (not NaN):
  // such columns (rare) take c = Σx/rows, so K + c is the mean IEEE arithmetic gives. q is NaN there already.
  for (let j = 0; j < w; j++) {
    const K = load<f32>(x + (<usize>j << 2));
    if (!isFinite(K)) store<f32>(c + (<usize>j << 2), columnSum(rows, row, x + (<usize>j << 2)) / <f32>rows);
  }
}

function columnSum(rows: i32, row: usize, p: usize): f32 {
  let s: f32 = 0;
  for (let i = 0; i < rows; i++, p += row) s += load<f32>(p);
  return s;
}

/** ((x₀ − K) + (x₁ − K)) + ((x₂ − K) + (x₃ − K)) for the rows p, p + row, … */
// @ts-ignore: decorator
@inline function sum4(p: usize, row: usize, K: v128): v128 {
  const a = f32x4.add(f32x4.sub(v128.load(p), K), f32x4.sub(v128.load(p + row), K));
  const b = f32x4.add(f32x4.sub(v128.load(p + 2 * row), K), f32x4.sub(v128.load(p + 3 * row), K));
  return f32x4.add(a, b);
}

// @ts-ignore: decorator
@inline function sum4N(p: usize, row: usize, K: v128, n: i32): v128 {
  const a = f32x4.add(f32x4.sub(loadN(p, n), K), f32x4.sub(loadN(p + row, n), K));
  const b = f32x4.add(f32x4.sub(loadN(p + 2 * row, n), K), f32x4.sub(loadN(p + 3 * row, n), K));
  return f32x4.add(a, b);
}

/** (d₀² + d₁²) + (d₂² + d₃²), dᵢ = xᵢ − K − c. */
// @ts-ignore: decorator
@inline function sq4(p: usize, row: usize, K: v128, c: v128): v128 {
  const d0 = f32x4.sub(f32x4.sub(v128.load(p), K), c), d1 = f32x4.sub(f32x4.sub(v128.load(p + row), K), c);
  const d2 = f32x4.sub(f32x4.sub(v128.load(p + 2 * row), K), c), d3 = f32x4.sub(f32x4.sub(v128.load(p + 3 * row), K), c);
  return f32x4.add(madd(d0, d0, f32x4.mul(d1, d1)), madd(d2, d2, f32x4.mul(d3, d3)));
}

// @ts-ignore: decorator
@inline function sq4N(p: usize, row: usize, K: v128, c: v128, n: i32): v128 {
  const d0 = f32x4.sub(f32x4.sub(loadN(p, n), K), c), d1 = f32x4.sub(f32x4.sub(loadN(p + row, n), K), c);
  const d2 = f32x4.sub(f32x4.sub(loadN(p + 2 * row, n), K), c), d3 = f32x4.sub(f32x4.sub(loadN(p + 3 * row, n), K), c);
  return f32x4.add(madd(d0, d0, f32x4.mul(d1, d1)), madd(d2, d2, f32x4.mul(d3, d3)));
}
