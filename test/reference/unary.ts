/**
 * The non-fused activations and their derivatives, float64: the spec for assembly/vunary/f32-unary.ts and
 * src/backend/js/unary.ts. Keras 3 definitions; ±Inf map to the limits, NaN to NaN (derivative included).
 *   leakyRelu x < 0 ? αx : x · elu x > 0 ? x : α(eˣ − 1) · selu λ·elu(x; α_selu) · gelu x·Φ(x) (exact erf)
 *   swish x·σ(x) · softplus log(1 + eˣ) · softsign x/(1 + |x|) · hardSigmoid clip(x/6 + ½, 0, 1)
 * Φ here is accurate to ~1e-14 relative (series for erf near 0, continued fraction for erfc in the tails),
 * independent of the Chebyshev fit the kernels use.
 */
import type { UnaryOp } from '../../src/backend/kernels.js';

export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_SCALE = 1.0507009873554804934193349852946;

/** erf by its Maclaurin series (|z| < 2.5: terms peak near 1e2, so ~1e-14 absolute). */
function erfSeries(z: number): number {
  let term = z, sum = z;
  for (let k = 1; k < 200; k++) {
    term *= (-z * z) / k;
    const add = term / (2 * k + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** erfc(z) for z ≥ 2.5 by its continued fraction, evaluated bottom-up. */
function erfcFraction(z: number): number {
  let f = z;
  for (let k = 120; k >= 1; k--) f = z + k / 2 / f;
  return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
}

/** Standard normal CDF. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const z = Math.abs(x) / Math.SQRT2;
  if (z < 2.5) return 0.5 * (1 + erfSeries(x / Math.SQRT2));
  const tail = z === Infinity ? 0 : 0.5 * erfcFraction(z);
  return x > 0 ? 1 - tail : tail;
}

const normalPdf = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** x·f(x) where f(x) → 0 faster than x → −∞ (the limit 0, not −∞·0 = NaN). */
const timesVanishing = (x: number, f: number) => (x === -Infinity ? 0 : x * f);

export function unaryAt(op: UnaryOp, x: number, alpha: number): number {
  switch (op) {
    case 'leakyRelu': return x < 0 ? alpha * x : x;
    case 'elu': return x > 0 ? x : alpha * Math.expm1(x);
    case 'selu': return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
    case 'gelu': return timesVanishing(x, normalCdf(x));
    case 'swish': return timesVanishing(x, sigmoid(x));
    case 'softplus': return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    case 'softsign': return Number.isFinite(x) || Number.isNaN(x) ? x / (1 + Math.abs(x)) : Math.sign(x);
    case 'hardSigmoid': return Number.isNaN(x) ? NaN : Math.min(Math.max(x / 6 + 0.5, 0), 1);
  }
}

export function derivativeAt(op: UnaryOp, x: number, alpha: number): number {
  if (Number.isNaN(x)) return NaN;
  switch (op) {
    case 'leakyRelu': return x > 0 ? 1 : alpha;
    case 'elu': return x > 0 ? 1 : alpha * Math.exp(x);
    case 'selu': return x > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(x);
    case 'gelu': return Number.isFinite(x) ? normalCdf(x) + x * normalPdf(x) : x > 0 ? 1 : 0;
    case 'swish': { const s = sigmoid(x); return Number.isFinite(x) ? s + x * s * (1 - s) : x > 0 ? 1 : 0; }
    case 'softplus': return sigmoid(x);
    case 'softsign': return 1 / (1 + Math.abs(x)) ** 2;
    case 'hardSigmoid': return x > -3 && x < 3 ? 1 / 6 : 0;
  }
}

export function unary(op: UnaryOp, x: ArrayLike<number>, alpha: number): Float64Array {
  return Float64Array.from(x, (v) => unaryAt(op, v, alpha));
}

export function unaryBackward(op: UnaryOp, x: ArrayLike<number>, dy: ArrayLike<number>, alpha: number): Float64Array {
  return Float64Array.from(x, (v, i) => dy[i] * derivativeAt(op, v, alpha));
}
