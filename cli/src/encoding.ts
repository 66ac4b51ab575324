import { MISSING, parseNumber } from './cells.js';
import type { Dataset } from './dataset.js';
import { fail } from './errors.js';
import { categoryKey, MAX_CATEGORIES } from './feature-column.js';

/*
 * From the columns as read to the model's inputs, learned from the training rows only and saved in
 * preprocessing.json so that predict applies the same: numbers pass through (a missing cell becomes the
 * training median, flagged in an extra 0/1 input), yes/no-like words become 0/1, other text becomes one
 * 0/1 input per category. Columns that cannot be inputs (a saved row index, an id or free text, no values)
 * are left out with a line saying why.
 */

/** How one CSV column becomes model inputs. */
export type ColumnEncoding =
  /** `fill` replaces a missing cell (null: a model saved before missing cells were filled); `indicator` adds a 0/1 "was missing" input. */
  | { column: string; kind: 'number'; fill: number | null; indicator: boolean }
  /** `words[0]` is 0 and `words[1]` is 1 (compared in lower case); a missing or other cell becomes `fill`. */
  | { column: string; kind: 'boolean'; words: [string, string]; fill: number }
  /** One input per category (sorted); `missing` adds one for a missing cell. Any other value: all zeros. */
  | { column: string; kind: 'category'; categories: string[]; missing: boolean };

/** Pairs of words read as 0/1, in lower case. */
const BOOLEANS: [string, string][] = [['false', 'true'], ['no', 'yes'], ['n', 'y']];

export interface Fitted {
  encodings: ColumnEncoding[];
  /** Per encoding, its column in the dataset's matrix. */
  sources: number[];
  /** Columns left out: harmless ones (a saved row index) and ones the user should know about. */
  notes: string[];
  warnings: string[];
}

export const inputCount = (e: ColumnEncoding): number =>
  e.kind === 'category' ? e.categories.length + (e.missing ? 1 : 0) : e.kind === 'number' && e.indicator ? 2 : 1;

/** The model's input names, in order: `age`, `age (missing)`, `port=S`, `port (missing)`. */
export function inputNames(encodings: ColumnEncoding[]): string[] {
  return encodings.flatMap((e) => {
    const flag = `${e.column} (missing)`;
    if (e.kind === 'number') return e.indicator ? [e.column, flag] : [e.column];
    if (e.kind === 'boolean') return [e.column];
    return [...e.categories.map((c) => `${e.column}=${c}`), ...(e.missing ? [flag] : [])];
  });
}

/** Training values of column j (rows [0, nTrain) of a row-major matrix), missing ones (NaN) left out. */
function trainingValues(x: Float32Array, width: number, j: number, nTrain: number): Float32Array {
  const values = new Float32Array(nTrain);
  let n = 0;
  for (let r = 0, i = j; r < nTrain; r++, i += width) if (!Number.isNaN(x[i])) values[n++] = x[i];
  return values.subarray(0, n);
}

/** The median: robust to the long tails of prices and incomes, and one of the values for an integer column. */
function median(values: Float32Array): number {
  const v = values.slice().sort(), mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Numbers by value before text; text by code units (the same order on every machine). */
function categoryOrder(a: string, b: string): number {
  const x = parseNumber(a), y = parseNumber(b), an = x !== null, bn = y !== null;
  if (an && bn) return x - y;
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

const shown = (cell: string) => `'${cell.length > 40 ? cell.slice(0, 40) + '…' : cell}'`;

/**
 * Decides each feature column's encoding from the training rows, which are the first `nTrain` rows of
 * `ds.x`, and rewrites the codes of text columns in place to what applyEncoding reads: a boolean's 0/1, a
 * category's index among the training categories (-1 for one seen only in held-out rows).
 */
export function fitEncoding(ds: Dataset, nTrain: number): Fitted {
  const { x, width, rows } = ds;
  const fitted: Fitted = { encodings: [], sources: [], notes: [], warnings: [] };
  const remap = (j: number, to: (code: number) => number) => {
    for (let i = j; i < rows * width; i += width) if (!Number.isNaN(x[i])) x[i] = to(x[i]);
  };
  for (let j = 0; j < width; j++) {
    const c = ds.read[j], name = c.name;
    const keep = (e: ColumnEncoding) => { fitted.encodings.push(e); fitted.sources.push(j); };
    const empty = () => fitted.warnings.push(`column '${name}' has no values in the training rows: left out`);
    if (!c.text) {
      if (ds.indexColumns[j]) {
        fitted.notes.push(`column '${name}' holds the row numbers (an index pandas saved): not a feature`);
        continue;
      }
      const values = trainingValues(x, width, j, nTrain);
      if (values.length === 0) { empty(); continue; }
      keep({ column: name, kind: 'number', fill: median(values), indicator: values.length < nTrain });
      continue;
    }
    const present = rows - c.missing, distinct = c.names.length;
    if (c.overflow || distinct > present / 2) {
      const mostlyNumbers = c.numbers > present / 2 && c.firstText
        ? `; it is mostly numbers, but line ${c.firstText.line} has ${shown(c.firstText.cell)} (write missing numbers as empty or NA to keep it numeric)` : '';
      fitted.warnings.push(`column '${name}' left out: ${c.overflow ? `more than ${MAX_CATEGORIES}` : distinct} distinct values in ${present} cells, an id or free text rather than a category${mostlyNumbers}`);
      continue;
    }
    const lower = c.names.map((n) => n.toLowerCase());
    const words = c.numbers === 0 ? BOOLEANS.find((pair) => lower.every((w) => pair.includes(w))) : undefined;
    if (words) {
      remap(j, (code) => words.indexOf(lower[code]));
      const values = trainingValues(x, width, j, nTrain);
      if (values.length === 0) { empty(); continue; }
      keep({ column: name, kind: 'boolean', words, fill: median(values) });
      continue;
    }
    const seen = new Set<number>();
    let missing = false;
    for (let r = 0, i = j; r < nTrain; r++, i += width) {
      if (Number.isNaN(x[i])) missing = true;
      else seen.add(x[i]);
    }
    if (seen.size === 0) { empty(); continue; }
    const categories = [...seen].map((code) => c.names[code]).sort(categoryOrder);
    const index = new Map(categories.map((n, i) => [n, i]));
    remap(j, (code) => (seen.has(code) ? index.get(c.names[code])! : -1));
    keep({ column: name, kind: 'category', categories, missing });
  }
  return fitted;
}

export interface Encoded {
  /** rows × width: the model's inputs (the input matrix itself when every column is a plain number column). */
  x: Float32Array;
  width: number;
  /** Per encoding: cells that were missing (filled), and values no training row had (all-zero or filled). */
  filled: number[];
  unseen: number[];
}

/**
 * The model's inputs from a matrix as read (`rawWidth` wide; text columns holding what fitEncoding or a
 * predict lookup left there: an index, -1 for an unknown value, NaN when missing).
 */
export function applyEncoding(x: Float32Array, rows: number, rawWidth: number, encodings: ColumnEncoding[], sources: number[]): Encoded {
  const width = encodings.reduce((w, e) => w + inputCount(e), 0);
  const inPlace = width === rawWidth && encodings.every((e, k) => inputCount(e) === 1 && e.kind !== 'category' && sources[k] === k);
  const out = inPlace ? x : new Float32Array(rows * width);
  const filled = encodings.map(() => 0), unseen = encodings.map(() => 0);
  for (let r = 0; r < rows; r++) {
    let o = r * width;
    encodings.forEach((e, k) => {
      const v = x[r * rawWidth + sources[k]];
      const absent = Number.isNaN(v);
      if (absent) filled[k]++;
      if (e.kind === 'category') {
        if (v >= 0) out[o + v] = 1;
        else if (absent && e.missing) out[o + e.categories.length] = 1;
        else if (!absent) unseen[k]++;
        o += inputCount(e);
        return;
      }
      if (e.kind === 'boolean' && v === -1) unseen[k]++;
      if (e.kind === 'number' && absent && e.fill === null) {
        fail(`column '${e.column}' has missing cells (data row ${r + 1}), which this model, saved by an earlier bnwasm, cannot fill; fill them or train the model again`);
      }
      out[o] = absent || v === -1 ? (e.fill as number) : v;
      if (e.kind === 'number' && e.indicator) out[o + 1] = absent ? 1 : 0;
      o += inputCount(e);
    });
  }
  return { x: out, width, filled, unseen };
}

/** How predict turns a cell of a text column into what applyEncoding reads (null: a number column). */
export function lookupOf(e: ColumnEncoding): ((cell: string, decimalComma: boolean) => number) | null {
  if (e.kind === 'number') return null;
  if (e.kind === 'boolean') return (cell) => (MISSING.has(cell) ? NaN : e.words.indexOf(cell.toLowerCase()));
  const index = new Map(e.categories.map((c, i) => [categoryKey(c), i]));
  return (cell, decimalComma) => (MISSING.has(cell) ? NaN : index.get(categoryKey(cell, decimalComma)) ?? -1);
}

const list = (items: string[], max = 6) => (items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')}, … (${items.length})`);

/** One line on the text columns' encoding, or '' when there are none. */
export function encodingSummary(encodings: ColumnEncoding[]): string {
  const parts = encodings.flatMap((e) => {
    if (e.kind === 'boolean') return [`${e.column} → 0/1 (${e.words[0]}/${e.words[1]})`];
    if (e.kind !== 'category') return [];
    const n = inputCount(e);
    return [`${e.column} → ${n} column${n === 1 ? '' : 's'} (${list([...e.categories, ...(e.missing ? ['(missing)'] : [])])})`];
  });
  return parts.length ? `text columns encoded: ${parts.join(' · ')}` : '';
}

/** One line on the missing cells filled per column, or '' when there were none. */
export function fillSummary(encodings: ColumnEncoding[], filled: number[]): string {
  const parts = encodings.flatMap((e, k) => {
    if (!filled[k]) return [];
    const how = e.kind === 'category' ? (e.missing ? `as the category '(missing)'` : 'as no category')
      : `with the training median ${Number((e.fill ?? NaN).toPrecision(6))}${e.kind === 'number' && e.indicator ? `, flagged in '${e.column} (missing)'` : ''}`;
    return [`${e.column} ${filled[k]} (${how})`];
  });
  return parts.length ? `missing cells filled: ${parts.join(' · ')}` : '';
}
