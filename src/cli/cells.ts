/**
 * What counts as a number in a CSV cell. Stricter than JavaScript's Number(): only plain decimal
 * notation (`12`, `-0.5`, `.5`, `3.`, `1e-3`, `2.5E+4`), so `0x1F`, `0b11`, `1e`, `Infinity` and `1_000`
 * are not numbers, as in pandas. In a ';'-separated file a decimal comma (`1,5`) is read as 1.5.
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** pandas's default missing-value markers (read_csv na_values). */
export const MISSING = new Set([
  '', 'NA', 'N/A', 'n/a', 'NaN', 'nan', '-NaN', '-nan', 'NULL', 'null', 'None', '<NA>', '#N/A', '#N/A N/A', '#NA',
  '-1.#IND', '1.#IND', '-1.#QNAN', '1.#QNAN',
]);

/** The largest finite float32: features and labels are stored as float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** The cell's value, or null when it is not a finite decimal number that fits a float32. */
export function parseNumber(cell: string, decimalComma = false): number | null {
  let text = cell;
  if (decimalComma && text.includes(',')) {
    if (text.includes('.') || text.indexOf(',') !== text.lastIndexOf(',')) return null;
    text = text.replace(',', '.');
  }
  if (!DECIMAL.test(text)) return null;
  const v = Number(text);
  return Math.abs(v) <= FLOAT32_MAX ? v : null;
}

/** Why a cell is not a number, as the end of an error message. */
export function whyNotNumber(cell: string, decimalComma = false): string {
  if (cell === '') return 'is empty';
  if (MISSING.has(cell)) return `'${cell}' marks a missing value`;
  const decimal = decimalComma ? cell.replace(',', '.') : cell;
  if (DECIMAL.test(decimal)) return `'${cell}' is out of range (float32 holds magnitudes up to 3.4e38)`;
  return `'${cell.length > 40 ? cell.slice(0, 40) + '…' : cell}' is not a decimal number`;
}
