/**
 * GEMM and Dense, float64: the spec for assembly/gemm/ and src/backend/js/gemm.ts.
 *   'nn': C = A·B (A m×k, B k×n)   'tn': C = Aᵀ·B (A stored k×m)   'nt': C = A·Bᵀ (B stored n×k)
 * Also returns mag[i, j] = Σₚ |A[i,p]·B[p,j]| (+ |C₀|): the scale a float32 rounding error is relative to.
 */
import { act, type ActName } from './activation.js';

export type GemmOp = 'nn' | 'tn' | 'nt';

export function gemm(op: GemmOp, m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>,
  c0: ArrayLike<number> | null): { c: Float64Array; mag: Float64Array } {
  const c = new Float64Array(m * n), mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = c0 ? c0[i * n + j] : 0, t = Math.abs(s);
      for (let p = 0; p < k; p++) {
        const aip = op === 'tn' ? a[p * m + i] : a[i * k + p];
        const bpj = op === 'nt' ? b[j * k + p] : b[p * n + j];
        s += aip * bpj;
        t += Math.abs(aip * bpj);
      }
      c[i * n + j] = s;
      mag[i * n + j] = t;
    }
  }
  return { c, mag };
}

/** Y = act(X·W + bias); mag as for gemm, before the activation (every activation here is 1-Lipschitz). */
export function dense(m: number, n: number, k: number, x: ArrayLike<number>, w: ArrayLike<number>,
  bias: ArrayLike<number> | null, activation: ActName): { y: Float64Array; mag: Float64Array } {
  const { c, mag } = gemm('nn', m, n, k, x, w, null);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const b = bias ? bias[j] : 0;
      c[i * n + j] += b;
      mag[i * n + j] += Math.abs(b);
    }
  }
  return { y: act(activation, c), mag };
}
