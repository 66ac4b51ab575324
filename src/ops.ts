import { heap, kernels } from './backend/runtime.js';
import type { F32 } from './backend/kernels.js';
import { residency } from './tensor/residency.js';
import { Tensor, toTensor } from './tensor/tensor.js';
import { boolean } from './util/validate.js';

/**
 * Kernel-level ops on the current backend. Inputs are read where they are in WASM memory (a tensor made
 * from JS values is copied in once and keeps that copy for the next op); results stay in WASM memory as
 * tensors of their own, copied out only when read (see tensor/residency.ts for why, measured). Scratch
 * blocks are released before returning.
 */
function run<T>(body: (put: (t: Tensor | Float32Array) => F32, out: (n: number) => F32, read: (h: F32, shape: number[]) => Tensor) => T): T {
  const h = heap();
  const scratch = new Set<F32>();
  const alloc = (n: number) => { const b = h.alloc(n); scratch.add(b); return b; };
  try {
    return body(
      (t) => {
        if (t instanceof Tensor) return t.wasmValues();
        const b = alloc(t.length);
        h.f32(b).set(t);
        return b;
      },
      alloc,
      (b, shape) => { scratch.delete(b); return Tensor.fromWasm(b, shape); },
    );
  } finally {
    for (const b of scratch) h.release(b);
    residency.trim(); // between ops only: no kernel reads a resident copy now
  }
}

function matrix(x: unknown, name: string): Tensor {
  const t = toTensor(x, name);
  if (t.rank !== 2) throw new Error(`${name}: expected a rank-2 tensor, got shape [${t.shape.join(', ')}]`);
  return t;
}

function vector(x: unknown, name: string, length: number): Tensor {
  const t = toTensor(x, name);
  if (t.size !== length || t.rank > 1 && t.shape.some((d, i) => i < t.rank - 1 && d !== 1)) {
    throw new Error(`${name}: expected ${length} values (one per feature), got shape [${t.shape.join(', ')}]`);
  }
  return t;
}

function checkEpsilon(epsilon: unknown): number {
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) {
    throw new Error(`epsilon: expected a positive finite number, got ${String(epsilon)}`);
  }
  return epsilon;
}

/** C = op(A)·op(B) for rank-2 tensors. */
export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  boolean(transposeA, 'matMul: transposeA');
  boolean(transposeB, 'matMul: transposeB');
  const A = matrix(a, 'a'), B = matrix(b, 'b');
  const [m, ka] = transposeA ? [A.shape[1], A.shape[0]] : A.shape;
  const [kb, n] = transposeB ? [B.shape[1], B.shape[0]] : B.shape;
  if (ka !== kb) {
    throw new Error(`matMul: inner dimensions must agree: a${transposeA ? 'ᵀ' : ''} is [${m}, ${ka}] and b${transposeB ? 'ᵀ' : ''} is [${kb}, ${n}]`);
  }
  if (transposeA && transposeB) {
    // Aᵀ·Bᵀ = (B·A)ᵀ: one GEMM, then a transpose
    return run((put, out, read) => {
      const c = out(m * n), ct = out(m * n);
      kernels().gemm(n, m, ka, put(B), put(A), c, 'nn', false);
      kernels().transpose(1, n, m, c, ct);
      return read(ct, [m, n]);
    });
  }
  const op = transposeA ? 'tn' : transposeB ? 'nt' : 'nn';
  return run((put, out, read) => {
    const c = out(m * n);
    if (m * n > 0) kernels().gemm(m, n, ka, put(A), put(B), c, op, false); // k = 0 writes zeros
    return read(c, [m, n]);
  });
}

/** Per-column mean and biased variance of x [n, c] over axis 0. */
export function moments(x: Tensor): { mean: Tensor; variance: Tensor } {
  const X = matrix(x, 'x');
  const [rows, cols] = X.shape;
  if (rows < 1) throw new Error(`x: expected at least one row, got shape [${X.shape.join(', ')}]`);
  return run((put, out, read) => {
    const mean = out(cols), variance = out(cols);
    kernels().batchStats(rows, cols, put(X), mean, variance);
    return { mean: read(mean, [cols]), variance: read(variance, [cols]) };
  });
}

/** y = (x − mean)·gamma/√(variance + epsilon) + beta over the last axis of x (gamma, beta null = 1, 0). */
export function batchNorm(x: Tensor, mean: Tensor, variance: Tensor, beta: Tensor | null, gamma: Tensor | null,
  epsilon: number): Tensor {
  const X = toTensor(x, 'x');
  if (X.rank < 1) throw new Error(`x: expected a tensor of rank >= 1, got a scalar`);
  const cols = X.shape[X.rank - 1], rows = X.size / Math.max(cols, 1);
  const M = vector(mean, 'mean', cols), V = vector(variance, 'variance', cols);
  const B = beta == null ? null : vector(beta, 'beta', cols), G = gamma == null ? null : vector(gamma, 'gamma', cols);
  const eps = checkEpsilon(epsilon);
  return run((put, out, read) => {
    const k = kernels(), m = put(M), scale = out(cols), y = out(X.size);
    k.bnormScale(cols, put(V), G && put(G), scale, eps);
    k.scaleShift(rows, cols, put(X), m, scale, B && put(B), y);
    return read(y, [...X.shape]);
  });
}

/** Gradients of training-mode BN (batch statistics of x [n, c] over axis 0) w.r.t. x, gamma and beta. */
export function batchNormGrad(dy: Tensor, x: Tensor, gamma: Tensor | null, epsilon: number): { dx: Tensor; dgamma: Tensor; dbeta: Tensor } {
  const X = matrix(x, 'x'), DY = matrix(dy, 'dy');
  if (DY.shape.join() !== X.shape.join()) {
    throw new Error(`dy: expected the shape of x [${X.shape.join(', ')}], got [${DY.shape.join(', ')}]`);
  }
  const [rows, cols] = X.shape;
  if (rows < 1) throw new Error(`x: expected at least one row, got shape [${X.shape.join(', ')}]`);
  const G = gamma == null ? null : vector(gamma, 'gamma', cols);
  const eps = checkEpsilon(epsilon);
  return run((put, out, read) => {
    const k = kernels(), xs = put(X), g = G && put(G);
    // backward needs the statistics only, not the normalised output: no forward pass, no y to write
    const mean = out(cols), variance = out(cols), invStd = out(cols);
    k.batchStats(rows, cols, xs, mean, variance);
    k.bnormScale(cols, variance, null, invStd, eps); // 1/√(var + eps), as the forward computes it
    const dx = out(X.size), dgamma = out(cols), dbeta = out(cols);
    k.bnormBackward(rows, cols, put(DY), xs, mean, invStd, g, dx, dgamma, dbeta);
    return { dx: read(dx, [rows, cols]), dgamma: read(dgamma, [cols]), dbeta: read(dbeta, [cols]) };
  });
}
