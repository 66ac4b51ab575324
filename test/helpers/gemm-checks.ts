/**
 * The two checks every GEMM test file runs: one GEMM, or one fused Dense, on a kernel set against the
 * float64 reference. Tolerance: 2(k + 1)·2⁻²³ relative to Σ|a·b| (+ |C₀|), the float32 dot-product bound;
 * Dense adds a few ulps for the activation.
 */
import type { Act, GemmOp, Kernels } from '../../src/backend/kernels.js';
import * as ref from '../reference/gemm.js';
import { cached } from './backends.js';
import { EPS32, expectClose } from './close.js';
import { withHeap } from './kernel-heap.js';
import { seeded } from './rng.js';

/** C = op(A, B) (+ C₀) on seeded data named by `seed`; A and B must come back untouched. */
export function checkGemm(K: Kernels, seed: string, op: GemmOp, m: number, n: number, k: number, accumulate: boolean): void {
  const { a, b, c0, want } = cached(seed, () => {
    const rng = seeded(seed);
    const a = rng.uniform(m * k), b = rng.uniform(k * n), c0 = rng.uniform(m * n);
    return { a, b, c0, want: ref.gemm(op, m, n, k, a, b, accumulate ? c0 : null) };
  });
  withHeap((h) => {
    const A = h.put(a), B = h.put(b), C = accumulate ? h.put(c0) : h.out(m * n);
    K.gemm(m, n, k, A, B, C, op, accumulate);
    expectClose(`${op} m=${m} n=${n} k=${k} accumulate=${accumulate}`, h.read(C), want.c,
      { rtol: 2 * (k + 1) * EPS32, scale: want.mag, atol: 1e-30 });
    expectClose('A untouched', h.read(A), a, { rtol: 0 });
    expectClose('B untouched', h.read(B), b, { rtol: 0 });
  });
}

/** Y = act(X·W + bias) on seeded data named by `seed`. */
export function checkDense(K: Kernels, seed: string, m: number, n: number, k: number, act: Act, useBias: boolean): void {
  const rng = seeded(seed);
  const x = rng.uniform(m * k), w = rng.uniform(k * n, -0.5, 0.5), bias = rng.uniform(n);
  withHeap((h) => {
    const X = h.put(x), W = h.put(w), Bi = useBias ? h.put(bias) : null, Y = h.out(m * n);
    K.dense(m, n, k, X, W, Bi, Y, act);
    const want = ref.dense(m, n, k, x, w, useBias ? bias : null, act);
    expectClose(`dense ${act} ${m}×${n}×${k} bias=${useBias}`, h.read(Y), want.y,
      { rtol: 2 * (k + 2) * EPS32, scale: want.mag, atol: act === 'sigmoid' || act === 'tanh' ? 8 * EPS32 : 0 });
  });
}
