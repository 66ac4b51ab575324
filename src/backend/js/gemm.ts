import { type Act, type F32, type GemmOp } from '../kernels.js';
import { activate } from './activation.js';
import type { View } from './view.js';

/**
 * Row p of B (n wide) may be skipped where A holds a zero only if it is all finite: 0·NaN and 0·Infinity are
 * NaN. Checked once per row, the first time a zero asks (relu outputs are half zeros: skipping halves the work).
 */
function skippable(B: Float32Array, n: number, k: number): (p: number) => boolean {
  const known = new Int8Array(k);   // 0 unknown, 1 finite, −1 not
  return (p) => {
    if (known[p] === 0) {
      known[p] = 1;
      for (let j = p * n, end = j + n; j < end; j++) if (!Number.isFinite(B[j])) { known[p] = -1; break; }
    }
    return known[p] === 1;
  };
}

/** C = op(A, B) (+ C). Loop orders keep the innermost loop on contiguous rows. Spec: test/reference/gemm.ts */
export function gemm(v: View, m: number, n: number, k: number, a: F32, b: F32, c: F32, op: GemmOp, accumulate: boolean): void {
  const A = v(a), B = v(b), C = v(c);
  if (!accumulate) C.fill(0);
  if (op === 'nn') {
    const skip = skippable(B, n, k);
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let p = 0; p < k; p++) {
        const aip = A[i * k + p], bp = p * n;
        if (aip === 0 && skip(p)) continue;
        for (let j = 0; j < n; j++) C[ci + j] += aip * B[bp + j];
      }
    }
  } else if (op === 'tn') {
    const skip = skippable(B, n, k);
    for (let p = 0; p < k; p++) {
      const ap = p * m, bp = p * n;
      for (let i = 0; i < m; i++) {
        const api = A[ap + i], ci = i * n;
        if (api === 0 && skip(p)) continue;
        for (let j = 0; j < n; j++) C[ci + j] += api * B[bp + j];
      }
    }
  } else {
    for (let i = 0; i < m; i++) {
      const ai = i * k, ci = i * n;
      for (let j = 0; j < n; j++) {
        const bj = j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += A[ai + p] * B[bj + p];
        C[ci + j] += s;
      }
    }
  }
}

/** Y = act(X·W + bias). */
export function dense(v: View, m: number, n: number, k: number, x: F32, w: F32, bias: F32 | null, y: F32, act: Act): void {
  gemm(v, m, n, k, x, w, y, 'nn', false);
  const Y = v(y);
  if (bias) {
    const b = v(bias);
    for (let i = 0; i < m; i++) for (let j = 0, r = i * n; j < n; j++) Y[r + j] += b[j];
  }
  activate(act, Y, Y, m * n);
}
