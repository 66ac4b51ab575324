/** Keras's probability clip for cross-entropies: [PROB_EPSILON, 1 − PROB_EPSILON], in f64 like the JS reference. */
export const PROB_LO: f64 = 1e-7;
export const PROB_HI: f64 = 1 - 1e-7;

/** 1 where the clip is inactive (the gradient passes), 0 where it clips. */
// @ts-ignore: decorator
@inline export function inside(p: f64): bool {
  return p > PROB_LO && p < PROB_HI;
}

// @ts-ignore: decorator
@inline export function clip(p: f64): f64 {
  return min(max(p, PROB_LO), PROB_HI);
}
