/**
 * BN training forward: batch statistics (reduce/f32-batch-stats.ts, shifted two-pass), then
 *   invStd = 1/√(variance + eps),  y = gamma·(x − mean)·invStd + beta,
 * written as y = (x − K)·a + b with K = x[0, j], a = gamma·invStd, b = beta − c·a, c = mean − K held
 * unrounded: x − K is exact, so y keeps its precision when |mean| ≫ std (x·a − mean·a would cancel).
 * Three passes over x per column strip of CH columns (sum, centred square, write); per-column K, a, b
 * live in the scratch region. x, y rows × cols row-major; gamma/beta cols or 0 (= 1 / 0); mean, variance,
 * invStd cols (outputs). y may alias x. Any rows, cols ≥ 1. Must match test/reference/bnorm.ts.
 */
import { scratchBase } from '../common/scratch';
import { loadN, madd, storeN } from '../common/simd';
import { shiftedStats } from '../reduce/f32-batch-stats';

/** Column strip width: 3·CH floats of scratch. */
export const CH: i32 = 2048;

export function f32_bnorm_fwd_train(rows: i32, cols: i32, x: usize, gamma: usize, beta: usize,
  y: usize, mean: usize, variance: usize, invStd: usize, eps: f32): void {
  const sk = scratchBase(), sa = sk + (<usize>CH << 2), sb = sa + (<usize>CH << 2);
  const row = <usize>cols << 2, e = f32x4.splat(eps), one = f32x4.splat(1), zero = f32x4.splat(0);
  for (let j0 = 0; j0 < cols; j0 += CH) {
    const w = min(CH, cols - j0), o = <usize>j0 << 2;
    const xs = x + o, ys = y + o, ms = mean + o, vs = variance + o, is = invStd + o;
    shiftedStats(rows, w, cols, xs, ms, vs);   // ms holds c for now
    for (let j = 0; j < w; j += 4) {
      const n = min(4, w - j), jb = <usize>j << 2;
      const K = loadN(xs + jb, n), c = loadN(ms + jb, n);
      const s = f32x4.div(one, f32x4.sqrt(f32x4.add(loadN(vs + jb, n), e)));
      const a = gamma ? f32x4.mul(loadN(gamma + o + jb, n), s) : s;
      const b = f32x4.sub(beta ? loadN(beta + o + jb, n) : zero, f32x4.mul(c, a));
      storeN(is + jb, s, n);
      storeN(ms + jb, f32x4.add(K, c), n);
      v128.store(sk + jb, K); v128.store(sa + jb, a); v128.store(sb + jb, b);
    }
    const full = <usize>(w & ~3) << 2, tail = w & 3;
    let px = xs, py = ys;
    for (let i = 0; i < rows; i++, px += row, py += row) {
      for (let j: usize = 0; j < full; j += 16) {
        v128.store(py + j, madd(f32x4.sub(v128.load(px + j), v128.load(sk + j)), v128.load(sa + j), v128.load(sb + j)));
      }
      if (tail) {
        storeN(py + full, madd(f32x4.sub(loadN(px + full, tail), v128.load(sk + full)), v128.load(sa + full), v128.load(sb + full)), tail);
      }
    }
  }
}
