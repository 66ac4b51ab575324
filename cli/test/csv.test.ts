import { describe, expect, test } from 'vitest';
import { detectDelimiter, readTable } from '../src/csv.js';
import { featureMatrix, inferTask, targets } from '../src/dataset.js';
import { CliError } from '../src/errors.js';
import { splitRows } from '../src/split.js';
import { tempDir, writeCsv } from './helpers.js';

const dir = tempDir('csv');

describe('readTable', () => {
  test('comma, semicolon and quoted fields', () => {
    expect(detectDelimiter('a;b;"c,d"\n1;2;3')).toBe(';');
    expect(detectDelimiter('a,b,"c;d;e"\n1,2,3')).toBe(',');
    const t = readTable(writeCsv(dir, 'semi.csv', 'x;"label, with comma";z\n1;"yes; really";3\n4;no;6\n'));
    expect(t.columns).toEqual(['x', 'label, with comma', 'z']);
    expect(t.rows).toEqual([['1', 'yes; really', '3'], ['4', 'no', '6']]);
    expect(t.lines).toEqual([2, 3]);
  });

  test.each([
    ['a missing file', null, /cannot read .*nope\.csv: no such file/],
    ['an empty file', '', /is empty/],
    ['a header without rows', 'a,b\n', /header row but no data rows/],
    ['a ragged row', 'a,b\n1,2\n3\n', /line 3: the row has a different number of fields/],
    ['a duplicate column', 'a,a\n1,2\n', /names column 'a' twice/],
  ])('%s is a one-line CliError', (_name, text, message) => {
    const file = text === null ? `${dir}/nope.csv` : writeCsv(dir, `bad-${Math.random()}.csv`, text);
    expect(() => readTable(file)).toThrow(CliError);
    expect(() => readTable(file)).toThrow(message);
  });
});

describe('features and labels', () => {
  const file = writeCsv(dir, 'mixed.csv', 'a,b,label\n1,2,cat\n3,x,dog\n');
  test('a non-numeric feature cell names its line and column', () => {
    expect(() => featureMatrix(readTable(file), ['a', 'b'])).toThrow(/line 3 \(data row 2\), column 'b': 'x' is not a number/);
  });
  test('task inference: integer or text labels classify, fractions regress', () => {
    expect(inferTask(['1', '2', '3'])).toBe('classification');
    expect(inferTask(['cat', '2'])).toBe('classification');
    expect(inferTask(['1.5', '2', '3'])).toBe('regression');
  });
  test('unknown label column and a single class', () => {
    expect(() => targets(readTable(file), 'nope', undefined)).toThrow(/no column 'nope' for --label; its columns are: a, b, label/);
    const one = writeCsv(dir, 'one.csv', 'a,label\n1,k\n2,k\n');
    expect(() => targets(readTable(one), 'label', undefined)).toThrow(/single class \('k'\)/);
  });
  test('class names sort numerically when every label is a number', () => {
    const t = writeCsv(dir, 'num.csv', 'a,label\n1,10\n2,9\n3,10\n');
    expect(targets(readTable(t), 'label', undefined).classes).toEqual(['9', '10']);
  });
});

test('stratified split keeps every class in both parts and is seeded', () => {
  const classes = Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
  const a = splitRows(100, 0.25, 7, classes), b = splitRows(100, 0.25, 7, classes);
  expect(a).toEqual(b);
  expect(a.heldOut.filter((r) => classes[r] === 1)).toHaveLength(5);
  expect(a.heldOut.filter((r) => classes[r] === 0)).toHaveLength(20);
  expect(new Set([...a.train, ...a.heldOut]).size).toBe(100);
});
