import { fileURLToPath } from 'node:url';
import { readDatasetSync, targets } from '../dataset.js';
import { splitRows } from '../split.js';

/** Row-major inputs and class indices. */
export interface Data { x: Float32Array; y: Float32Array; rows: number; width: number }
export interface Split { train: Data; heldOut: Data }

/** The repository's data/digits.csv: the same relative path from cli/src/experiment and cli/dist/experiment. */
export const DIGITS_FILE = fileURLToPath(new URL('../../../data/digits.csv', import.meta.url));

const HELD_OUT = 0.25;

function subset(x: Float32Array, y: Float32Array, width: number, rows: Uint32Array): Data {
  const out = { x: new Float32Array(rows.length * width), y: new Float32Array(rows.length), rows: rows.length, width };
  rows.forEach((r, i) => { out.x.set(x.subarray(r * width, (r + 1) * width), i * width); out.y[i] = y[r]; });
  return out;
}

/**
 * UCI digits, pixels scaled from 0..16 to [0, 1] (as MNIST's 0..255 are in the BN paper), split into
 * a seeded, stratified training set (75%) and held-out set (25%).
 */
export function loadDigits(seed: number): Split {
  const data = readDatasetSync(DIGITS_FILE, { label: 'label' });
  const labels = targets(data, 'classification');
  const x = data.x.map((v) => v / 16);
  const { train, heldOut } = splitRows(data.rows, HELD_OUT, seed, labels.values);
  return { train: subset(x, labels.values, data.width, train), heldOut: subset(x, labels.values, data.width, heldOut) };
}
