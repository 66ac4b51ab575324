import type { Table } from './csv.js';
import { fail } from './errors.js';

export type Task = 'classification' | 'regression';

/** A numeric cell, or null: empty cells and words are not numbers (Number('') would say 0). */
export function parseNumber(cell: string): number | null {
  if (cell === '') return null;
  const v = Number(cell);
  return Number.isFinite(v) ? v : null;
}

/** The named columns as a row-major float matrix; a missing column or a non-numeric cell is an error. */
export function featureMatrix(table: Table, featureColumns: string[]): Float32Array {
  const index = featureColumns.map((name) => {
    const i = table.columns.indexOf(name);
    if (i < 0) fail(`${table.file} has no column '${name}', which the model was trained on (it needs: ${listColumns(featureColumns)})`);
    return i;
  });
  const out = new Float32Array(table.rows.length * index.length);
  table.rows.forEach((row, r) => {
    index.forEach((c, j) => {
      const v = parseNumber(row[c]);
      if (v === null) {
        const what = row[c] === '' ? 'is empty' : `'${row[c]}' is not a number`;
        fail(`${table.file}: line ${table.lines[r]} (data row ${r + 1}), column '${table.columns[c]}': ${what}; feature cells must be numbers`);
      }
      out[r * index.length + j] = v;
    });
  });
  return out;
}

export function listColumns(columns: string[], max = 8): string {
  return columns.length <= max ? columns.join(', ') : `${columns.slice(0, max).join(', ')}, … (${columns.length} in all)`;
}

/** The label column's position; unknown names list the columns there are. */
export function labelIndex(table: Table, label: string): number {
  const i = table.columns.indexOf(label);
  if (i < 0) fail(`${table.file} has no column '${label}' for --label; its columns are: ${listColumns(table.columns)}`);
  return i;
}

/** Integer or non-numeric labels mean classification; any fractional number means regression (issue #5). */
export function inferTask(values: string[]): Task {
  return values.every((v) => { const n = parseNumber(v); return n !== null && Number.isInteger(n); }) || values.some((v) => parseNumber(v) === null)
    ? 'classification' : 'regression';
}

/** Class names in a stable order: numerically when every label is a number, else as strings. */
export function classNames(values: string[]): string[] {
  const unique = [...new Set(values)];
  const numeric = unique.every((v) => parseNumber(v) !== null);
  return numeric ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort();
}

export interface Targets {
  task: Task;
  /** Class index per row (classification) or the value (regression). */
  values: Float32Array;
  /** Class names in output order (classification only). */
  classes: string[];
}

export function targets(table: Table, label: string, task: Task | undefined): Targets {
  const li = labelIndex(table, label);
  const raw = table.rows.map((row, r) => {
    if (row[li] === '') fail(`${table.file}: line ${table.lines[r]} (data row ${r + 1}) has an empty label in column '${label}'`);
    return row[li];
  });
  const chosen = task ?? inferTask(raw);
  if (chosen === 'regression') {
    const values = new Float32Array(raw.length);
    raw.forEach((cell, r) => {
      const v = parseNumber(cell);
      if (v === null) fail(`${table.file}: line ${table.lines[r]} (data row ${r + 1}), label column '${label}': '${cell}' is not a number, and regression needs numeric labels`);
      values[r] = v;
    });
    return { task: chosen, values, classes: [] };
  }
  const classes = classNames(raw);
  if (classes.length < 2) fail(`${table.file}: the label column '${label}' has a single class ('${classes[0]}'); classification needs at least two`);
  const index = new Map(classes.map((c, i) => [c, i]));
  return { task: chosen, values: Float32Array.from(raw, (v) => index.get(v)!), classes };
}
