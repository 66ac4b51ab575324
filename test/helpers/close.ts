/**
 * Closeness with a per-element tolerance: |got − want| ≤ atol + rtol·scale, where scale is |want| or a
 * caller-given magnitude (e.g. Σ|a·b| for a dot product). NaN matches only NaN, ±Inf only itself.
 * A failure names the first bad index and how many elements are bad.
 */
import { assert } from 'vitest';

export interface Tolerance {
  rtol?: number;
  atol?: number;
  /** per-element scale for rtol instead of |want| */
  scale?: ArrayLike<number>;
}

/** 2⁻²³: float32 machine epsilon. */
export const EPS32 = 2 ** -23;

export function expectClose(label: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: Tolerance = {}): void {
  const { rtol = 4 * EPS32, atol = 0, scale } = tol;
  assert.strictEqual(got.length, want.length, `${label}: length`);
  let first = -1, bad = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g)
      : !Number.isFinite(w) ? g === w
      : Math.abs(g - w) <= atol + rtol * (scale ? scale[i] : Math.abs(w));
    if (!ok) { bad++; if (first < 0) first = i; }
  }
  if (bad > 0) {
    const g = got[first], w = want[first];
    const t = atol + rtol * (scale ? scale[first] : Math.abs(w));
    assert.fail(`${label}: first bad index ${first} (${bad} of ${want.length} bad): got ${g}, want ${w}, |diff| ${Math.abs(g - w)} > tol ${t}`);
  }
}

/** Scalars (e.g. a loss) with a relative tolerance. */
export function expectCloseScalar(label: string, got: number, want: number, rtol: number, atol = 0): void {
  expectClose(label, [got], [want], { rtol, atol });
}
