import type { Dataset } from './dataset.js';
import { parseNumber, whyNotNumber } from './cells.js';
import { fail } from './errors.js';

/*
 * From a read label column to what the model trains on: the task (given, or inferred) and the targets.
 * Reading the CSV into a Dataset is dataset.ts.
 */

export type Task = 'classification' | 'regression';

/** More distinct labels than this are never classes (and text labels beyond it are refused). */
export const MAX_CLASSES = 1000;

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
 * per handful of rows. Rows with a missing label (empty, NA, NaN…) were left out when the file was read.
 */
export function targets(ds: Dataset, task: Task | undefined): Targets {
  const l = ds.label!;
  const where = `${ds.file}: line`;
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
