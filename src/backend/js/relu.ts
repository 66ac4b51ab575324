import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/**
 * Keras 3's ReLU(maxValue, negativeSlope, threshold), as assembly/vunary/f32-relu.ts: a NaN x stays NaN,
 * and with slope 0 the negative part is exactly 0 (−∞ gives 0). Spec: test/reference/relu.ts.
 */
export function reluAt(x: number, max: number, slope: number, threshold: number): number {
  if (Number.isNaN(x)) return NaN;
  return x > threshold ? Math.min(x, max) : slope === 0 ? 0 : slope * (x - threshold);
}

export function reluDerivativeAt(x: number, max: number, slope: number, threshold: number): number {
  if (Number.isNaN(x)) return NaN;
  return x > threshold ? (x <= max ? 1 : 0) : slope;
}

export function relu(v: View, n: number, x: F32, y: F32, max: number, slope: number, threshold: number): void {
  const X = v(x), Y = v(y);
  for (let i = 0; i < n; i++) Y[i] = reluAt(X[i], max, slope, threshold);
}

export function reluBackward(v: View, n: number, x: F32, dy: F32, dx: F32, max: number, slope: number, threshold: number): void {
  const X = v(x), DY = v(dy), DX = v(dx);
  for (let i = 0; i < n; i++) DX[i] = DY[i] * reluDerivativeAt(X[i], max, slope, threshold);
}
