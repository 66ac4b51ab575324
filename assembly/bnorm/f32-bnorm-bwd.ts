/**
 * BN training backward through the batch statistics, x̂ = (x − mean)·invStd:
 *   dbeta = Σᵢ dy,  dgamma = Σᵢ dy·x̂,  dx = gamma·invStd·(dy − dbeta/rows − x̂·dgamma/rows)
 * computed as dx = A·dy + B·(x − mean) + C with per-column A = gamma·invStd, B = −A·invStd·dgamma/rows,
 * C = −A·dbeta/rows (scratch). Two passes per strip of CH columns: sums, then dx.
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
  const sA = scratchBase(), sB = sA + (<usize>CH << 2), sC = sB + (<usize>CH << 2);
  const row = <usize>cols << 2, n = f32x4.splat(<f32>rows);
  for (let j0 = c0; j0 < c1; j0 += CH) {
    const w = min(CH, c1 - j0), o = <usize>j0 << 2;
    const full = <usize>(w & ~3) << 2, tail = w & 3;
    const mu = mean + o, dg = dgamma + o, db = dbeta + o;
    memory.fill(dg, 0, <usize>w << 2);
    memory.fill(db, 0, <usize>w << 2);
    let pd = dy + o, px = x + o;
    for (let i = 0; i < rows; i++, pd += row, px += row) {
      for (let j: usize = 0; j < full; j += 16) {
        const g = v128.load(pd + j);
        v128.store(db + j, f32x4.add(v128.load(db + j), g));
        v128.store(dg + j, madd(g, f32x4.sub(v128.load(px + j), v128.load(mu + j)), v128.load(dg + j)));
      }
      if (tail) {
        const g = loadN(pd + full, tail);
        storeN(db + full, f32x4.add(loadN(db + full, tail), g), tail);
        storeN(dg + full, madd(g, f32x4.sub(loadN(px + full, tail), loadN(mu + full, tail)), loadN(dg + full, tail)), tail);
      }
    }
    for (let j = 0; j < w; j += 4) {
      const k = min(4, w - j), jb = <usize>j << 2;
      const s = loadN(invStd + o + jb, k);
      const A = gamma ? f32x4.mul(loadN(gamma + o + jb, k), s) : s;
      const dgv = f32x4.mul(loadN(dg + jb, k), s);
      storeN(dg + jb, dgv, k);
      v128.store(sA + jb, A);
      v128.store(sB + jb, f32x4.neg(f32x4.div(f32x4.mul(f32x4.mul(A, s), dgv), n)));
      v128.store(sC + jb, f32x4.neg(f32x4.div(f32x4.mul(A, loadN(db + jb, k)), n)));
    }
    pd = dy + o; px = x + o;
    let pdx = dx + o;
    for (let i = 0; i < rows; i++, pd += row, px += row, pdx += row) {
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
