/**
 * What counts as a number in a CSV cell. Stricter than JavaScript's Number(): only plain decimal
 * notation (`12`, `-0.5`, `.5`, `3.`, `1e-3`, `2.5E+4`), so `0x1F`, `0b11`, `1e`, `Infinity` and `1_000`
 * are not numbers, as in pandas. In a ';'-separated file a decimal comma (`1,5`) is read as 1.5.
 */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Missing-value markers: an empty cell, pandas's defaults (read_csv na_values) and `?` (the UCI
 * repository's marker, as in adult income). Matched exactly (after the parser trims spaces). A lone `-`
 * is not one: spreadsheets write a zero so in accounting formats.
 */
export const MISSING = new Set([
  '', 'NA', 'N/A', 'n/a', 'NaN', 'nan', '-NaN', '-nan', 'NULL', 'null', 'None', '<NA>', '#N/A', '#N/A N/A', '#NA',
  '-1.#IND', '1.#IND', '-1.#QNAN', '1.#QNAN', '?',
]);

/** The largest finite float32: features and labels are stored as float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k); // exact doubles up to 1e22

/**
 * The cell's value, or null when it is not a finite decimal number that fits a float32. Checks the
 * grammar and computes the value in one pass over the characters: with at most 15 significant digits
 * and a decimal exponent within ±22 the value is one correctly rounded operation on exact doubles
 * (Clinger's fast path), the same double Number() gives; anything longer goes through Number().
 * This is the inner loop of reading a large CSV, hence no regular expression.
 */
export function parseNumber(cell: string, decimalComma = false): number | null {
  const n = cell.length;
  let i = 0, c = n ? cell.charCodeAt(0) : 0;
  const negative = c === 45;
  if (c === 43 || c === 45) i++;
  let mantissa = 0, significant = 0, scale = 0, digits = 0;
  for (; i < n && (c = cell.charCodeAt(i)) >= 48 && c <= 57; i++) {
    digits++;
    if (significant || c !== 48) { significant++; mantissa = mantissa * 10 + (c - 48); }
  }
  let comma = false;
  if (i < n && (c === 46 || (decimalComma && c === 44))) {
    comma = c === 44;
    for (i++; i < n && (c = cell.charCodeAt(i)) >= 48 && c <= 57; i++) {
      digits++;
      scale--;
      if (significant || c !== 48) { significant++; mantissa = mantissa * 10 + (c - 48); }
    }
  }
  if (digits === 0) return null;
  if (i < n && (c === 101 || c === 69)) {
    i++;
    let sign = 1, exponent = 0, expDigits = 0;
    if (i < n && ((c = cell.charCodeAt(i)) === 43 || c === 45)) { sign = c === 45 ? -1 : 1; i++; }
    for (; i < n && (c = cell.charCodeAt(i)) >= 48 && c <= 57; i++) { expDigits++; if (exponent < 1e6) exponent = exponent * 10 + (c - 48); }
    if (expDigits === 0) return null;
    scale += sign * exponent;
  }
  if (i !== n) return null;
  let v: number;
  if (significant <= 15 && scale >= -22 && scale <= 22) {
    v = scale >= 0 ? mantissa * POW10[scale] : mantissa / POW10[-scale];
    if (negative) v = -v;
  } else {
    v = Number(comma ? cell.replace(',', '.') : cell);
  }
  return Math.abs(v) <= FLOAT32_MAX ? v : null;
}

/** A number in plain decimal notation beyond float32's range (`1e999`): an error, not text. */
export function outOfRange(cell: string, decimalComma = false): boolean {
  return DECIMAL.test(decimalComma ? cell.replace(',', '.') : cell) && parseNumber(cell, decimalComma) === null;
}

/** Why a cell is not a number, as the end of an error message. */
export function whyNotNumber(cell: string, decimalComma = false): string {
  if (cell === '') return 'is empty';
  if (MISSING.has(cell)) return `'${cell}' marks a missing value`;
  const decimal = decimalComma ? cell.replace(',', '.') : cell;
  if (DECIMAL.test(decimal)) return `'${cell}' is out of range (float32 holds magnitudes up to 3.4e38)`;
  return `'${cell.length > 40 ? cell.slice(0, 40) + '…' : cell}' is not a decimal number`;
}
