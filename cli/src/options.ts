import { InvalidArgumentError } from 'commander';

/** commander argument parsers: a bad value becomes commander's one-line "option … is invalid" error. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

export function integer(value: string): number {
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0.');
  return n;
}

export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('expected a number in [0, 1).');
  return n;
}

/** "64,64" → [64, 64]; "" or "none" → no hidden layers. */
export function layerSizes(value: string): number[] {
  if (value.trim() === '' || value.trim() === 'none') return [];
  const parts = value.split(',').map((s) => s.trim());
  if (!parts.every((p) => /^\d+$/.test(p) && Number(p) >= 1)) {
    throw new InvalidArgumentError('expected comma-separated positive integers, e.g. 64,64.');
  }
  return parts.map(Number);
}

/** "id,name" → ['id', 'name'] (names as the header writes them; spaces around commas dropped). */
export function columnNames(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw new InvalidArgumentError('expected comma-separated column names, e.g. id,name.');
  return names;
}
