import type { F32, UnaryOp } from '../kernels.js';
import type { View } from './view.js';

/**
 * The non-fused activations (Keras 3 definitions; ±Inf give the limits), computed in float64 and stored as
 * float32. Same semantics as assembly/vunary/f32-unary.ts; spec: test/reference/unary.ts.
 */
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** Φ(x) through erfc(|x|/√2) by the Numerical Recipes Chebyshev fit (relative error < 1.2e-7), as the WASM kernel. */
function normalCdf(x: number): number {
  const z = Math.abs(x) * Math.SQRT1_2, t = 1 / (1 + 0.5 * z);
  const p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
    + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const half = 0.5 * t * Math.exp(p - z * z);
  return x >= 0 ? 1 - half : half;
}

const clamp = (x: number, c: number) => (x < -c ? -c : x > c ? c : x);

export function unaryAt(op: UnaryOp, x: number, alpha: number): number {
  switch (op) {
    case 'leakyRelu': return x < 0 ? alpha * x : x;
    case 'elu': return x > 0 ? x : alpha * Math.expm1(x);
    case 'selu': return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
    // the clamps keep −∞·0 from being NaN; beyond them the product underflows to 0 in float32 anyway
    case 'gelu': return Math.max(x, -20) * normalCdf(x);
    case 'swish': return Math.max(x, -200) * sigmoid(x);
    case 'softplus': return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    case 'softsign': return Math.abs(x) === Infinity ? Math.sign(x) : x / (1 + Math.abs(x));
    case 'hardSigmoid': return Math.min(Math.max(x / 6 + 0.5, 0), 1);
  }
}

export function unaryDerivativeAt(op: UnaryOp, x: number, alpha: number): number {
  if (Number.isNaN(x)) return NaN;
  switch (op) {
    case 'leakyRelu': return x > 0 ? 1 : alpha;
    case 'elu': return x > 0 ? 1 : alpha * Math.exp(x);
    case 'selu': return x > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(x);
    case 'gelu': { const c = clamp(x, 20); return normalCdf(x) + c * Math.exp(-0.5 * c * c) / Math.sqrt(2 * Math.PI); }
    case 'swish': { const s = sigmoid(x); return s + clamp(x, 200) * s * (1 - s); }
    case 'softplus': return sigmoid(x);
    case 'softsign': { const d = 1 + Math.abs(x); return 1 / (d * d); }
    case 'hardSigmoid': return x > -3 && x < 3 ? 1 / 6 : 0;
  }
}

export function unary(v: View, n: number, x: F32, y: F32, alpha: number, op: UnaryOp): void {
  const X = v(x), Y = v(y);
  for (let i = 0; i < n; i++) Y[i] = unaryAt(op, X[i], alpha);
}

export function unaryBackward(v: View, n: number, x: F32, dy: F32, dx: F32, alpha: number, op: UnaryOp): void {
  const X = v(x), DY = v(dy), DX = v(dx);
  for (let i = 0; i < n; i++) DX[i] = DY[i] * unaryDerivativeAt(op, X[i], alpha);
}
