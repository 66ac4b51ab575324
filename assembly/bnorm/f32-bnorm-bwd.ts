/**
 * BN training backward through the batch statistics, x̂ = (x − x̄)·invStd with x̄ the column mean of x:
 *   dbeta = Σᵢ dy,  dgamma = Σᵢ dy·x̂,  dx = gamma·invStd·(dy − dbeta/rows − x̂·dgamma/rows)
 * `mean` is x̄ rounded to float32 (the forward's output). Far from zero that rounding is large next to the
 * spread (half an ulp of 1e4 is 5e-4), and centring on it would shift x̂ by it: dgamma = Σdy·x̂ would gain
 * that shift times Σdy. So the kernel centres on mean (d = x − mean, exact when x is near mean) and removes
 * the residual r = Σd/rows = x̄ − mean from the sums: Σdy·(x − x̄) = Σdy·d − r·Σdy, no cancellation as r is
 * tiny. dx = A·dy + B·d + C with per-column A = gamma·invStd, B = −A·invStd·dgamma/rows,
 * C = −A·dbeta/rows − B·r (scratch). Two passes per strip of CH columns: sums (four rows at a time,
 * pairwise, before touching the accumulators), then dx.
 * dy, x, dx rows × cols; mean, invStd cols; gamma cols or 0 (= 1); dgamma, dbeta cols, overwritten.
 * dx may alias dy. Any rows, cols ≥ 1. Must match test/reference/bnorm.ts.
 */
import { scratchBase } from '../common/scratch';
import { loadN, madd, storeN } from '../common/simd';
import { CH } from './f32-bnorm-fwd';

export function f32_bnorm_bwd(rows: i32, cols: i32, dy: usize, x: usize, mean: usize, invStd: usize, gamma: usize,
  dx: usize, dgamma: usize, dbeta: usize): void {
  f32_bnorm_bwd_part(rows, cols, 0, cols, dy, x, mean, invStd, gamma, dx, dgamma, dbeta);
}

/**
 * f32_bnorm_bwd for columns [c0, c1) only (a thread's share; c0 a multiple of 4). Columns are
 * independent lanes, so the shares together are bitwise the whole call.
 */
export function f32_bnorm_bwd_part(rows: i32, cols: i32, c0: i32, c1: i32, dy: usize, x: usize, mean: usize, invStd: usize,
  gamma: usize, dx: usize, dgamma: usize, dbeta: usize): void {
  // sA first accumulates Σd, then holds A
  const sA = scratchBase(), sB = sA + (<usize>CH << 2), sC = sB + (<usize>CH << 2);
  const row = <usize>cols << 2, n = f32x4.splat(<f32>rows);
  for (let j0 = c0; j0 < c1; j0 += CH) {
    const w = min(CH, c1 - j0), o = <usize>j0 << 2;
    const full = <usize>(w & ~3) << 2, tail = w & 3;
    const mu = mean + o, dg = dgamma + o, db = dbeta + o;
    memory.fill(dg, 0, <usize>w << 2);
    memory.fill(db, 0, <usize>w << 2);
    memory.fill(sA, 0, <usize>w << 2);
    let pd = dy + o, px = x + o, i = 0;
    for (; i + 4 <= rows; i += 4, pd += 4 * row, px += 4 * row) {
      for (let j: usize = 0; j < full; j += 16) sums4(pd + j, px + j, row, v128.load(mu + j), db + j, dg + j, sA + j, 4);
      if (tail) sums4(pd + full, px + full, row, loadN(mu + full, tail), db + full, dg + full, sA + full, tail);
    }
    for (; i < rows; i++, pd += row, px += row) {
      for (let j: usize = 0; j < full; j += 16) sums1(pd + j, px + j, v128.load(mu + j), db + j, dg + j, sA + j, 4);
      if (tail) sums1(pd + full, px + full, loadN(mu + full, tail), db + full, dg + full, sA + full, tail);
    }
    for (let j = 0; j < w; j += 4) {
      const k = min(4, w - j), jb = <usize>j << 2;
      const s = loadN(invStd + o + jb, k), r = f32x4.div(loadN(sA + jb, k), n), dbv = loadN(db + jb, k);
      const A = gamma ? f32x4.mul(loadN(gamma + o + jb, k), s) : s;
      const dgv = f32x4.mul(f32x4.sub(loadN(dg + jb, k), f32x4.mul(r, dbv)), s);
      const B = f32x4.neg(f32x4.div(f32x4.mul(f32x4.mul(A, s), dgv), n));
      storeN(dg + jb, dgv, k);
      v128.store(sA + jb, A);
      v128.store(sB + jb, B);
      v128.store(sC + jb, f32x4.neg(madd(B, r, f32x4.div(f32x4.mul(A, dbv), n))));
    }
    pd = dy + o; px = x + o;
    let pdx = dx + o;
    for (i = 0; i < rows; i++, pd += row, px += row, pdx += row) {
      for (let j: usize = 0; j < full; j += 16) {
        const t = madd(v128.load(sB + j), f32x4.sub(v128.load(px + j), v128.load(mu + j)), v128.load(sC + j));
        v128.store(pdx + j, madd(v128.load(sA + j), v128.load(pd + j), t));
      }
      if (tail) {
        const t = madd(v128.load(sB + full), f32x4.sub(loadN(px + full, tail), loadN(mu + full, tail)), v128.load(sC + full));
        storeN(pdx + full, madd(v128.load(sA + full), loadN(pd + full, tail), t), tail);
      }
    }
  }
}

/** Σdy, Σdy·d and Σd (d = x − mu) of four rows, summed pairwise, added to the accumulators db, dg, sd (n lanes). */
// @ts-ignore: decorator
@inline function sums4(pd: usize, px: usize, row: usize, mu: v128, db: usize, dg: usize, sd: usize, n: i32): void {
  const g0 = loadN(pd, n), g1 = loadN(pd + row, n), g2 = loadN(pd + 2 * row, n), g3 = loadN(pd + 3 * row, n);
  const d0 = f32x4.sub(loadN(px, n), mu), d1 = f32x4.sub(loadN(px + row, n), mu);
  const d2 = f32x4.sub(loadN(px + 2 * row, n), mu), d3 = f32x4.sub(loadN(px + 3 * row, n), mu);
  storeN(db, f32x4.add(loadN(db, n), f32x4.add(f32x4.add(g0, g1), f32x4.add(g2, g3))), n);
  storeN(dg, f32x4.add(loadN(dg, n), f32x4.add(madd(g0, d0, f32x4.mul(g1, d1)), madd(g2, d2, f32x4.mul(g3, d3)))), n);
  storeN(sd, f32x4.add(loadN(sd, n), f32x4.add(f32x4.add(d0, d1), f32x4.add(d2, d3))), n);
}

/** sums4 for one row. */
// @ts-ignore: decorator
@inline function sums1(pd: usize, px: usize, mu: v128, db: usize, dg: usize, sd: usize, n: i32): void {
  const g = loadN(pd, n), d = f32x4.sub(loadN(px, n), mu);
  storeN(db, f32x4.add(loadN(db, n), g), n);
  storeN(dg, madd(g, d, loadN(dg, n)), n);
  storeN(sd, f32x4.add(loadN(sd, n), d), n);
}
