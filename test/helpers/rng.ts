/**
 * Seeded test data: mulberry32 (below, the only generator the tests use) seeded from a string (put the seed in the test name, so a failure
 * reproduces from its name alone). Values are rounded to float32, so the float64 reference sees
 * exactly the numbers the kernels see.
 */
export interface Rng {
  next(): number;
  uniform(n: number, lo?: number, hi?: number): Float64Array;
  normal(n: number, mean?: number, std?: number): Float64Array;
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** mulberry32: the one seeded generator of the tests; uniform in [0, 1). Independent of bnwasm's own RNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seeded(seed: string): Rng {
  const next = mulberry32(hash(seed));
  const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  return {
    next,
    uniform: (n, lo = -1, hi = 1) => Float64Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * next())),
    normal: (n, mean = 0, std = 1) => Float64Array.from({ length: n }, () => Math.fround(mean + std * gauss())),
  };
}
