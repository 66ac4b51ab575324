import { fileSize, hasRowLabels, readCsv, readCsvSync, type Header } from './csv.js';
import { MISSING, parseNumber, whyNotNumber } from './cells.js';
import { fail } from './errors.js';

export type Task = 'classification' | 'regression';

/** More distinct labels than this are never classes (and text labels beyond it are refused). */
export const MAX_CLASSES = 1000;

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
  /** First empty label, first missing-value marker (NA, NaN…), first fractional number, first text label. */
  firstEmpty: number | null;
  firstMissing: { line: number; cell: string } | null;
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
  /** rows × width, exactly (a view of the storage). */
  x: Float32Array;
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
}

/** A column name as one shell word, for a command line in a message. */
function shellWord(name: string): string {
  return /^[\w.\/-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`;
}

/**
 * Streams `file` into numbers. `features` names the feature columns in order (predict: the model's);
 * without it every column except `label` is a feature. Feature cells must be decimal numbers: an empty
 * cell, a missing-value marker or any other text is a one-line error naming the line and the column.
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
        firstEmpty: null, firstMissing: null, firstFraction: null, firstText: null, numberRows: 0,
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
    store = new Rows(featureIndex.length);
  };

  const onRow = (cells: string[], line: number, offset: number) => {
    const estimate = offset > 0 ? (rows * size) / offset : 0;
    store.ensure(rows + 1, estimate);
    const width = featureIndex.length, base = rows * width, data = store.data;
    for (let j = 0; j < width; j++) {
      const cell = cells[featureIndex[j]];
      const v = parseNumber(cell, decimalComma);
      if (v === null) {
        const column = header.columns[featureIndex[j]];
        // a word or a date where a number belongs is usually a column of them (names, categories, dates): say how to leave it out
        const textual = !MISSING.has(cell) && (/^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}/.test(cell) || (/\p{L}/u.test(cell) && !/^[+-]?(?:\.?\d|inf)/i.test(cell)));
        const remedy = MISSING.has(cell) ? ' (fill or drop the rows with missing values)'
          : textual && !opts.features ? ` (to train without the column: --ignore ${shellWord(column)})` : '';
        fail(`${file}: line ${line} (data row ${rows + 1}), column '${column}': ${whyNotNumber(cell, decimalComma)}; feature cells must be numbers${remedy}`);
      }
      data[base + j] = v;
    }
    if (label) {
      label.numbers = grow(label.numbers, rows + 1, estimate);
      label.codes = grow(label.codes, rows + 1, estimate);
      readLabel(label, keys, cells[labelAt], line, rows, decimalComma);
    }
    rows++;
  };

  const result = (): Dataset => {
    const width = featureIndex.length;
    return {
      file, columns: header.columns, featureColumns: featureIndex.map((i) => header.columns[i]), rows, width,
      x: store.data.subarray(0, rows * width), label, decimalComma, rowLabels: hasRowLabels(header),
    };
  };
  return { onHeader, onRow, result };
}

function readLabel(label: LabelColumn, keys: Map<string, number>, cell: string, line: number, row: number, decimalComma: boolean): void {
  const v = parseNumber(cell, decimalComma);
  label.numbers[row] = v ?? NaN;
  if (v !== null) label.numberRows++;
  if (cell === '') label.firstEmpty ??= line;
  else if (v === null && MISSING.has(cell)) label.firstMissing ??= { line, cell };
  else if (v === null) label.firstText ??= { line, cell };
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

export interface Targets {
  task: Task;
  /** Class index per row (classification) or the value (regression). */
  values: Float32Array;
  /** Class names in output order (classification only). */
  classes: string[];
  /** How the task was chosen, for the log (empty when --task chose it). */
  reason: string;
}

/**
 * The task and the targets. Without --task: text labels mean classification; numbers with a
 * fraction mean regression; integers are classes when there are few distinct values (≤ 10) or
 * many rows per value (≥ 20, up to MAX_CLASSES values), and otherwise a quantity (regression), so a
 * price or a score column with a value per handful of rows is never a classification with a class
 * per handful of rows. A missing label (empty, NA, NaN…) is an error naming its line.
 */
export function targets(ds: Dataset, task: Task | undefined): Targets {
  const l = ds.label!;
  const where = `${ds.file}: line`;
  if (l.firstEmpty !== null) fail(`${where} ${l.firstEmpty} has an empty label in column '${l.name}'; fill or drop that row`);
  if (l.firstMissing && (task === 'regression' || !l.firstText)) {
    fail(`${where} ${l.firstMissing.line}: the label '${l.firstMissing.cell}' in column '${l.name}' marks a missing value (the other labels are numbers); fill or drop that row`);
  }
  const rows = ds.rows, numbers = l.numbers;
  if (task === 'regression') {
    if (l.firstText) fail(`${where} ${l.firstText.line}, label column '${l.name}': ${whyNotNumber(l.firstText.cell, ds.decimalComma)}, and regression needs numeric labels`);
    return { task, values: Float32Array.from(numbers.subarray(0, rows)), classes: [], reason: '' };
  }
  const distinct = l.names.length;
  let reason = '';
  if (task === undefined) {
    if (!l.firstText && (l.firstFraction !== null || l.overflow)) {
      const why = l.firstFraction !== null ? `fractional labels (line ${l.firstFraction})` : `more than ${MAX_CLASSES} distinct labels`;
      return { task: 'regression', values: Float32Array.from(numbers.subarray(0, rows)), classes: [], reason: `regression: ${why}; --task classification to override` };
    }
    if (!l.firstText && !(distinct <= 10 || rows / distinct >= 20)) {
      return {
        task: 'regression', values: Float32Array.from(numbers.subarray(0, rows)), classes: [],
        reason: `regression: ${distinct} distinct integer labels with ${(rows / distinct).toFixed(1)} rows each on average are a quantity, not classes; --task classification to override`,
      };
    }
    const fewPerClass = l.overflow || !(distinct <= 10 || rows / distinct >= 20);
    if (l.firstText && l.numberRows >= rows / 2 && fewPerClass) {
      // most labels are numbers with many values: the text is a stray cell, not a reason to make classes
      fail(`${where} ${l.firstText.line}, label column '${l.name}': ${whyNotNumber(l.firstText.cell, ds.decimalComma)}, while ${((100 * l.numberRows) / rows).toFixed(1)} % of the labels are numbers; fix or drop that row (or use --task classification to make every distinct label a class)`);
    }
    if (l.firstText && fewPerClass) {
      fail(`${ds.file}: the label column '${l.name}' has ${l.overflow ? `more than ${MAX_CLASSES}` : distinct} distinct values, ${(rows / distinct).toFixed(1)} rows per value on average: too few to learn each as a class; use --task classification to train anyway`);
    }
    reason = l.firstText ? `classification: text labels` : `classification: ${distinct} distinct integer labels; --task regression to treat them as numbers`;
  }
  if (l.overflow) fail(`${ds.file}: the label column '${l.name}' has more than ${MAX_CLASSES} distinct values; that is too many classes (for numbers, use --task regression)`);
  if (distinct < 2) fail(`${ds.file}: the label column '${l.name}' has a single class ('${l.names[0]}'); classification needs at least two`);
  // class order: by value when every label is a number, else by text
  const order = [...l.names.keys()];
  const allNumeric = l.numeric.every(Boolean);
  if (allNumeric) {
    const value = (c: number) => parseNumber(l.names[c], ds.decimalComma)!;
    order.sort((a, b) => value(a) - value(b));
  } else {
    order.sort((a, b) => (l.names[a] < l.names[b] ? -1 : l.names[a] > l.names[b] ? 1 : 0));
  }
  const classOf = new Int32Array(distinct);
  order.forEach((code, i) => { classOf[code] = i; });
  const values = new Float32Array(rows);
  for (let r = 0; r < rows; r++) values[r] = classOf[l.codes[r]];
  return { task: 'classification', values, classes: order.map((c) => l.names[c]), reason };
}
