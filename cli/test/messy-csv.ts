/**
 * Seeded random messy CSV files for the CLI soak: odd separators and line endings, quotes, BOMs,
 * unicode headers, bad and missing cells, huge and tiny values, tiny tables, one class, empty files.
 */

import { mulberry32 } from '../../test/helpers/rng.js';

/** The tests' seeded generator (mulberry32), so a failing case is reproduced from its seed. */
export const random = mulberry32;

export interface MessyCase {
  text: string;
  /** The label column's name (it may be missing from the header on purpose). */
  label: string;
  /** Extra train options. */
  options: string[];
}

const NAMES = ['a', 'b', 'température', '名前', 'x 1', 'col,comma', 'Ω', '😀', 'year', 'price', 'feature_with_a_long_name'];
const BAD_CELLS = ['', 'NA', 'NaN', 'nan', 'null', '0x1F', '0b11', '1e', 'Infinity', '-Infinity', '1e999', 'abc', '1,2,3', '"', '1_000', ' ', '--1', '١٢'];

export function messyCase(seed: number): MessyCase {
  const r = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(r() * items.length)];
  const chance = (p: number) => r() < p;

  const sep = pick([',', ',', ',', ',', ';', ';', ';', '\t', '\t', ',', ';', '|']);
  const eol = () => pick(chance(0.2) ? ['\n', '\r\n', '\r'] : [['\n', '\r\n', '\r'][seed % 3]]);
  const width = 1 + Math.floor(r() * 6);
  const rows = pick([0, 1, 2, 3, 5, 10, 40, 100, 100, 250, 250, 250]);
  const columns = Array.from({ length: width }, (_, i) => (chance(0.7) ? `f${i}` : pick(NAMES)));
  const label = chance(0.96) ? 'label' : pick(NAMES);
  const labelAt = Math.floor(r() * (width + 1));
  columns.splice(labelAt, 0, chance(0.97) ? 'label' : 'target');
  if (chance(0.03)) columns[0] = '';

  const labelKind = pick(['classes', 'classes', 'classes', 'text', 'text', 'fraction', 'fraction', 'one class', 'many integers', 'integer-ish floats']);
  const scale = pick([1, 1, 1, 1e-30, 1e30, 1e6, 2000]);
  const badRate = pick([0, 0, 0, 0, 0, 0.001, 0.01, 0.1]);
  const decimalComma = sep === ';' && chance(0.5);
  const quote = (cell: string) => (cell.includes(sep) || cell.includes('"') || cell.includes('\n') || chance(0.05) ? `"${cell.replace(/"/g, '""')}"` : cell);
  const number = (v: number) => {
    const s = String(Number(v.toPrecision(6)));
    return decimalComma ? s.replace('.', ',') : s;
  };

  const labelCell = (x0: number): string => {
    switch (labelKind) {
      case 'classes': return String(x0 > 0 ? 1 : 0);
      case 'text': return pick(['cat', 'dog', 'bird, small', 'ελέφαντας']);
      case 'fraction': return number(x0 * 3 + r());
      case 'one class': return 'only';
      case 'many integers': return String(100 + Math.floor(r() * 300));
      default: return pick(['1', '1.0', '0', '0.0']);
    }
  };

  const lines: string[] = [columns.map(quote).join(sep)];
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: width }, () => (r() - 0.5) * 2 * scale);
    const cells = x.map(number);
    cells.splice(labelAt, 0, labelCell(x[0] / scale));
    for (let j = 0; j < cells.length; j++) if (chance(badRate)) cells[j] = pick(BAD_CELLS);
    if (chance(0.0003)) cells.pop(); // a ragged row
    lines.push(cells.map(quote).join(sep));
    if (chance(0.02)) lines.push(''); // a blank line
  }
  let text = lines.map((l) => l + eol()).join('');
  if (chance(0.1)) text = '\uFEFF' + text;
  if (chance(0.1)) text += eol() + eol(); // trailing blank lines
  if (chance(0.02)) text = text.slice(0, Math.floor(r() * text.length)); // cut anywhere
  if (chance(0.02)) text = '';
  if (chance(0.01)) text = '"unclosed' + sep + 'quote\n1' + sep + '2\n';

  const options: string[] = [];
  options.push('--epochs', String(1 + Math.floor(r() * 2)), '--batch-size', String(pick([1, 2, 8, 8, 16, 32, 64])));
  options.push('--hidden', pick(['4', '8', '4,4', 'none']));
  if (chance(0.3)) options.push('--validation-split', String(pick([0, 0.1, 0.5, 0.9])));
  if (chance(0.2)) options.push('--task', pick(['classification', 'regression']));
  if (chance(0.3)) options.push('--no-batchnorm');
  if (chance(0.2)) options.push('--optimizer', 'sgd');
  if (chance(0.05)) options.push('--learning-rate', pick(['1e6', '10']));
  return { text, label, options };
}
