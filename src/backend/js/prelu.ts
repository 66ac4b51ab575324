import type { F32 } from '../kernels.js';
import type { View } from './view.js';

/**
 * PReLU with one slope per column, as assembly/vunary/f32-prelu.ts (float32 sums over rows in row order).
 * Spec: test/reference/prelu.ts.
 */
export function prelu(v: View, rows: number, cols: number, x: F32, alpha: F32, y: F32): void {
  const X = v(x), A = v(alpha), Y = v(y);
  for (let i = 0; i < rows * cols; i++) {
    const xi = X[i];
    Y[i] = xi > 0 ? xi : A[i % cols] * xi;
  }
}

export function preluBackward(v: View, rows: number, cols: number, x: F32, alpha: F32, dy: F32, dx: F32, dalpha: F32): void {
  const X = v(x), A = v(alpha), DY = v(dy), DX = v(dx), DA = v(dalpha);
  DA.fill(0);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j, xi = X[i], g = DY[i];
      if (!(xi > 0)) DA[j] += g * xi;
      DX[i] = Number.isNaN(xi) ? NaN : xi > 0 ? g : g * A[j];
    }
  }
}
