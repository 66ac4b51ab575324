/**
 * PReLU with one slope per column, float64: the spec for assembly/vunary/f32-prelu.ts and src/backend/js/prelu.ts.
 * y = x > 0 ? x : alpha[j]·x; dx = dy·(x > 0 ? 1 : alpha[j]); dalpha[j] = Σᵢ dy·(x > 0 ? 0 : x). NaN propagates.
 */
export function prelu(rows: number, cols: number, x: ArrayLike<number>, alpha: ArrayLike<number>): number[] {
  return Array.from({ length: rows * cols }, (_, i) => (x[i] > 0 ? x[i] : alpha[i % cols] * x[i]));
}

export function preluBackward(rows: number, cols: number, x: ArrayLike<number>, alpha: ArrayLike<number>, dy: ArrayLike<number>):
  { dx: number[]; dalpha: number[] } {
  const dalpha = new Array<number>(cols).fill(0);
  const dx = Array.from({ length: rows * cols }, (_, i) => {
    const j = i % cols;
    if (!(x[i] > 0)) dalpha[j] += dy[i] * x[i];
    return Number.isNaN(x[i]) ? NaN : x[i] > 0 ? dy[i] : dy[i] * alpha[j];
  });
  return { dx, dalpha };
}
