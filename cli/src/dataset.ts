import { fileSize, hasRowLabels, readCsv, readCsvSync, type Header } from './csv.js';
import { MISSING, outOfRange, parseNumber, whyNotNumber } from './cells.js';
import { fail } from './errors.js';
import { FeatureColumn, type ColumnRead } from './feature-column.js';

import { MAX_CLASSES } from './targets.js';

export { MAX_CLASSES, targets, type Targets, type Task } from './targets.js';

/**
 * The label column as read: per row its number (NaN when it is not one) and a class code (distinct
 * labels, where `1` and `1.0` are one label because they are one number), plus the first line of each
 * kind of trouble, so errors can name a line without keeping a line number per row.
 */
export interface LabelColumn {
  name: string;
  numbers: Float64Array;
  codes: Int32Array;
  /** Per code: the label as first written, and whether it is a number. */
  names: string[];
  numeric: boolean[];
  /** More than MAX_CLASSES distinct labels were seen (codes are then -1 past the limit). */
  overflow: boolean;
  /** Rows left out because their label is empty or a missing-value marker, and the line of the first. */
  missing: number;
  firstMissing: number | null;
  /** First fractional number, first text label. */
  firstFraction: number | null;
  firstText: { line: number; cell: string } | null;
  /** Rows whose label is a number. */
  numberRows: number;
}

/** A CSV as numbers: the features as one row-major float32 matrix, and the label column when asked for. */
export interface Dataset {
  file: string;
  columns: string[];
  featureColumns: string[];
  rows: number;
  width: number;
  /**
   * rows × width, exactly (a view of the storage). A missing cell is NaN; a text column (see `read`) holds
   * codes, -1 for a value past MAX_CATEGORIES or not among the model's categories (predict).
   */
  x: Float32Array;
  /** Train (no `features` given): what was found in each feature column. */
  read: ColumnRead[];
  /**
   * Per feature column: it is a saved row index, named by pandas `Unnamed: <n>` (an index column without a
   * name, read and written again) and holding the data rows' numbers 0, 1, 2, … or 1, 2, 3, … in order.
   */
  indexColumns: boolean[];
  label: LabelColumn | null;
  /** ';'-separated files may write decimals with a comma. */
  decimalComma: boolean;
  /** The first column has no name: row labels (a pandas index, R row names), skipped. */
  rowLabels: boolean;
}

export function listColumns(columns: string[], max = 8): string {
  return columns.length <= max ? columns.join(', ') : `${columns.slice(0, max).join(', ')}, … (${columns.length} in all)`;
}

/** A one-column header usually means the file is separated by something we did not detect. */
function separatorHint(h: Header): string {
  return h.columns.length === 1 ? ` (the header was read as one column: fields must be separated by ',', ';' or tabs)` : '';
}

/** Float32 storage that grows to an estimate of the file's rows, so a large file is copied about once. */
class Rows {
  data: Float32Array;
  constructor(private readonly width: number, capacity = 1024) {
    this.data = new Float32Array(Math.max(1, capacity * width));
  }
  ensure(rows: number, estimate: number): void {
    if (rows * this.width < this.data.length) return;
    const next = Math.max(Math.ceil(rows * 1.25), Math.ceil(estimate * 1.02) + 1024);
    const grown = new Float32Array(Math.max(1, next * this.width));
    grown.set(this.data);
    this.data = grown;
  }
}

function grow<T extends Float64Array | Int32Array>(a: T, rows: number, estimate: number): T {
  if (rows < a.length) return a;
  const next = Math.max(Math.ceil(rows * 1.25), Math.ceil(estimate * 1.02) + 1024);
  const grown = new (a.constructor as new (n: number) => T)(next);
  grown.set(a);
  return grown;
}

export interface ReadOptions {
  label?: string;
  /** The feature columns in order (predict: the model's); default every column but the label and the ignored. */
  features?: string[];
  /** Columns that are neither features nor the label (train's --ignore). */
  ignore?: string[];
  /**
   * Predict: per feature column, null for a number column (text there is an error), or how a cell of a
   * text column becomes the value to store (NaN when missing). Without it (train) a column is numbers
   * until a cell says otherwise.
   */
  lookups?: (((cell: string, decimalComma: boolean) => number) | null)[];
}

/** A column name as one shell word, for a command line in a message. */
function shellWord(name: string): string {
  return /^[\w.\/-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`;
}

/**
 * Streams `file` into numbers. `features` names the feature columns in order (predict: the model's);
 * without it every column except `label` is a feature. A missing cell is stored as NaN, a text column as
 * codes (see FeatureColumn); a row whose label is missing is left out (and counted).
 */
export async function readDataset(file: string, opts: ReadOptions): Promise<Dataset> {
  const reader = datasetReader(file, opts);
  await readCsv(file, reader.onHeader, reader.onRow);
  return reader.result();
}

/** readDataset for a small file read at once (the bundled digits data, for synchronous callers). */
export function readDatasetSync(file: string, opts: ReadOptions): Dataset {
  const reader = datasetReader(file, opts);
  readCsvSync(file, reader.onHeader, reader.onRow);
  return reader.result();
}

function datasetReader(file: string, opts: ReadOptions) {
  const size = fileSize(file);
  let header!: Header;
  let featureIndex: number[] = [], labelAt = -1, decimalComma = false;
  let columns: FeatureColumn[] = [];
  // `Unnamed: <n>` columns still holding the row numbers (from 0 or 1), counting rows left out too
  let index: { j: number; from: number }[] = [];
  let fileRows = 0;
  let store!: Rows;
  let label: LabelColumn | null = null;
  const keys = new Map<string, number>();
  let rows = 0;

  const onHeader = (h: Header) => {
    header = h;
    decimalComma = h.delimiter === ';';
    if (opts.label !== undefined) {
      labelAt = h.columns.indexOf(opts.label);
      if (labelAt < 0) fail(`${file} has no column '${opts.label}' for --label; its columns are: ${listColumns(h.columns)}${separatorHint(h)}`);
      label = {
        name: opts.label, numbers: new Float64Array(1024), codes: new Int32Array(1024), names: [], numeric: [], overflow: false,
        missing: 0, firstMissing: null, firstFraction: null, firstText: null, numberRows: 0,
      };
    }
    for (const name of opts.ignore ?? []) {
      if (!h.columns.includes(name)) fail(`${file} has no column '${name}' for --ignore; its columns are: ${listColumns(h.columns)}${separatorHint(h)}`);
      if (name === opts.label) fail(`--ignore ${shellWord(name)}: that column is the --label`);
    }
    const ignored = new Set(opts.ignore);
    const names = opts.features ?? h.columns.filter((c, i) => c !== opts.label && !ignored.has(c) && !(i === 0 && hasRowLabels(h)));
    if (names.length === 0) fail(`${file} has no feature columns besides the label '${opts.label}'${separatorHint(h)}`);
    featureIndex = names.map((name) => {
      const i = h.columns.indexOf(name);
      if (i < 0) fail(`${file} has no column '${name}', which the model was trained on (it needs: ${listColumns(names)})${separatorHint(h)}`);
      return i;
    });
    columns = featureIndex.map((i) => new FeatureColumn(h.columns[i]));
    index = opts.features ? [] : columns.flatMap((c, j) => (/^Unnamed: \d+$/.test(c.name) ? [{ j, from: NaN }] : []));
    store = new Rows(featureIndex.length);
  };

  const onRow = (cells: string[], line: number, offset: number) => {
    fileRows++;
    if (label && MISSING.has(cells[labelAt])) {
      label.missing++;
      label.firstMissing ??= line;
      return;
    }
    const estimate = offset > 0 ? (rows * size) / offset : 0;
    store.ensure(rows + 1, estimate);
    const width = featureIndex.length, base = rows * width, data = store.data, lookups = opts.lookups;
    for (let j = 0; j < width; j++) {
      const cell = cells[featureIndex[j]];
      const lookup = lookups?.[j];
      if (lookup) { data[base + j] = lookup(cell, decimalComma); continue; }
      const column = columns[j];
      if (!column.text) {
        const v = parseNumber(cell, decimalComma);
        if (v !== null) { data[base + j] = v; continue; }
        if (outOfRange(cell, decimalComma) || (lookups && !MISSING.has(cell))) {
          const why = lookups ? '; the model was trained on numbers in this column' : '';
          fail(`${file}: line ${line} (data row ${fileRows}), column '${column.name}': ${whyNotNumber(cell, decimalComma)}${why}`);
        }
      }
      data[base + j] = column.code(cell, line, decimalComma, data, rows, width, j);
    }
    if (index.length) {
      for (const c of index) {
        const v = data[base + c.j];
        if (rows === 0) c.from = v - (fileRows - 1); // the first row kept
        if (!(c.from === 0 || c.from === 1) || v !== c.from + fileRows - 1 || columns[c.j].text) c.from = NaN;
      }
      index = index.filter((c) => !Number.isNaN(c.from));
    }
    if (label) {
      label.numbers = grow(label.numbers, rows + 1, estimate);
      label.codes = grow(label.codes, rows + 1, estimate);
      readLabel(label, keys, cells[labelAt], line, rows, decimalComma);
    }
    rows++;
  };

  const result = (): Dataset => {
    if (label && rows === 0) fail(`${file}: every row's label in column '${label.name}' is empty or a missing-value marker; there is nothing to learn from`);
    const width = featureIndex.length, x = store.data.subarray(0, rows * width);
    return {
      file, columns: header.columns, featureColumns: featureIndex.map((i) => header.columns[i]), rows, width,
      x, read: columns, indexColumns: columns.map((_c, j) => rows > 1 && index.some((c) => c.j === j)),
      label, decimalComma, rowLabels: hasRowLabels(header),
    };
  };
  return { onHeader, onRow, result };
}

function readLabel(label: LabelColumn, keys: Map<string, number>, cell: string, line: number, row: number, decimalComma: boolean): void {
  const v = parseNumber(cell, decimalComma);
  label.numbers[row] = v ?? NaN;
  if (v !== null) label.numberRows++;
  if (v === null) label.firstText ??= { line, cell };
  else if (!Number.isInteger(v)) label.firstFraction ??= line;
  // one key per number (so 1, 1.0 and 1e0 are one class), else the text itself
  const key = v === null ? `t:${cell}` : `n:${v}`;
  let code = keys.get(key);
  if (code === undefined) {
    if (keys.size >= MAX_CLASSES) { label.overflow = true; code = -1; }
    else {
      code = keys.size;
      keys.set(key, code);
      label.names.push(cell);
      label.numeric.push(v !== null);
    }
  }
  label.codes[row] = code;
}
