/**
 * Keras 3's ReLU(maxValue, negativeSlope, threshold) and its derivative, float64: the spec for
 * assembly/vunary/f32-relu.ts and src/backend/js/relu.ts, written from Keras's composition
 *   relu-or-gate(x) clipped to [0, maxValue] − slope·relu(threshold − x)
 * rather than from the kernels' closed form, so the two are checked against each other.
 * NaN maps to NaN (derivative included); a zero slope contributes exactly 0 (−∞ gives 0).
 */
export function reluAt(x: number, max: number, slope: number, threshold: number): number {
  if (Number.isNaN(x)) return NaN;
  const gated = x > threshold ? x : 0;
  const positive = Math.min(Math.max(gated, 0), max);
  const negative = slope === 0 ? 0 : slope * Math.max(threshold - x, 0);
  return positive - negative;
}

/** One-sided at the kinks as the kernels are: 1 on (threshold, maxValue], 0 above, slope at and below threshold. */
export function reluDerivativeAt(x: number, max: number, slope: number, threshold: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= threshold) return slope;
  return x <= max ? 1 : 0;
}

export const relu = (x: ArrayLike<number>, max: number, slope: number, threshold: number): number[] =>
  Array.from(x, (v) => reluAt(v, max, slope, threshold));

export const reluBackward = (x: ArrayLike<number>, dy: ArrayLike<number>, max: number, slope: number, threshold: number): number[] =>
  Array.from(x, (v, i) => dy[i] * reluDerivativeAt(v, max, slope, threshold));
