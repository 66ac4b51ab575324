// The digits data as the demo trains on it: 1,797 rows of 64 pixels (0..16) and a label, split once
// (seeded) into a training set and a held-out set the models never train on.

export const FEATURES = 64;

/** A small seeded PRNG (mulberry32): the split and the batch order repeat on every load. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle(indices, random) {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices;
}

/** Parses digits.csv (header p0..p63,label) into { x: Float32Array(n·64), y: Float32Array(n), n }. */
export function parseDigits(text) {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0].split(',');
  if (header.length !== FEATURES + 1 || header[FEATURES] !== 'label') {
    throw new Error(`digits.csv: expected columns p0..p63,label, got ${lines[0].slice(0, 60)}…`);
  }
  const n = lines.length - 1;
  const x = new Float32Array(n * FEATURES), y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const cells = lines[i + 1].split(',');
    for (let j = 0; j < FEATURES; j++) x[i * FEATURES + j] = +cells[j];
    y[i] = +cells[FEATURES];
  }
  return { x, y, n };
}

/** Rows `rows` of a dataset, copied. */
export function take(data, rows) {
  const x = new Float32Array(rows.length * FEATURES), y = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    x.set(data.x.subarray(r * FEATURES, (r + 1) * FEATURES), i * FEATURES);
    y[i] = data.y[r];
  });
  return { x, y, n: rows.length };
}

export async function loadDigits(url, { heldOut = 0.2, seed = 7 } = {}) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url}: HTTP ${response.status}`);
  const all = parseDigits(await response.text());
  const order = shuffle([...Array(all.n).keys()], mulberry32(seed));
  const nTest = Math.round(all.n * heldOut);
  return { train: take(all, order.slice(nTest)), test: take(all, order.slice(0, nTest)) };
}
