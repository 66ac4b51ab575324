import { MISSING, parseNumber } from './cells.js';

/*
 * One feature column while a CSV is read: numbers, or (from its first cell that is neither a number nor a
 * missing-value marker on) text, stored as a code per distinct value. Either way a cell is one float32 in
 * the dataset's matrix, and a missing cell is NaN; turning the column into codes happens in place. What
 * the codes become (one-hot columns, 0/1, dropped) is decided after the split, in encoding.ts.
 */

/** Distinct values a text column may have and still be a category (more: an id or free text). */
export const MAX_CATEGORIES = 50;

/** The identity of a category cell: numbers by value as float32 (`1` and `1.0` are one), text as written. */
export function categoryKey(cell: string, decimalComma = false): string {
  const v = parseNumber(cell, decimalComma);
  return v === null ? `t:${cell}` : `n:${Math.fround(v)}`;
}

/** The shortest decimal text that reads back as the float32 `v` (a number's name among categories). */
export function float32Text(v: number): string {
  for (let p = 1; p < 10; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

/** What reading found in one feature column. */
export interface ColumnRead {
  name: string;
  /** Held text: the matrix holds codes into `names` (-1 past MAX_CATEGORIES distinct values). */
  text: boolean;
  /** Text columns: each distinct value as first written (numbers among them as float32Text). */
  names: string[];
  /** More than MAX_CATEGORIES distinct values. */
  overflow: boolean;
  /** Cells that were empty or a missing-value marker. */
  missing: number;
  /** Text columns: cells that were numbers. */
  numbers: number;
  /** The first cell that was text, with its line. */
  firstText: { line: number; cell: string } | null;
}

export class FeatureColumn implements ColumnRead {
  text = false;
  names: string[] = [];
  overflow = false;
  missing = 0;
  numbers = 0;
  firstText: ColumnRead['firstText'] = null;
  private readonly keys = new Map<string, number>();

  constructor(readonly name: string) {}

  /**
   * The value to store for a cell that is not a number in a number column, or any cell of a text column:
   * NaN when missing, else its code. The first text cell turns the column's earlier rows (`rows` of them,
   * column `j` of a row-major matrix `width` wide) into codes first.
   */
  code(cell: string, line: number, decimalComma: boolean, data: Float32Array, rows: number, width: number, j: number): number {
    if (MISSING.has(cell)) { this.missing++; return NaN; }
    const v = parseNumber(cell, decimalComma);
    if (v === null) {
      this.firstText ??= { line, cell };
      if (!this.text) this.becomeText(data, rows, width, j);
    } else this.numbers++;
    return this.codeOf(v === null ? `t:${cell}` : `n:${Math.fround(v)}`, v === null ? cell : float32Text(Math.fround(v)));
  }

  private becomeText(data: Float32Array, rows: number, width: number, j: number): void {
    this.text = true;
    for (let r = 0, i = j; r < rows; r++, i += width) {
      const v = data[i];
      if (!Number.isNaN(v)) { data[i] = this.codeOf(`n:${v}`, float32Text(v)); this.numbers++; }
    }
  }

  private codeOf(key: string, name: string): number {
    const known = this.keys.get(key);
    if (known !== undefined) return known;
    if (this.keys.size >= MAX_CATEGORIES) { this.overflow = true; return -1; }
    const code = this.keys.size;
    this.keys.set(key, code);
    this.names.push(name);
    return code;
  }
}
