import { describe, expect, test } from 'vitest';
import { CsvParser, detectDelimiter, readCsv } from '../src/csv.js';
import { parseNumber } from '../src/cells.js';
import { readDataset, targets, type Dataset } from '../src/dataset.js';
import { CliError } from '../src/errors.js';
import { permuteRows, splitRows } from '../src/split.js';
import { tempDir, writeCsv } from './helpers.js';

const dir = tempDir('csv');
let n = 0;
const csv = (text: string) => writeCsv(dir, `t${n++}.csv`, text);
const read = (text: string, label?: string) => readDataset(csv(text), { label });
const error = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);

/** Every record of `text` fed to the parser in pieces of `size` characters. */
function records(text: string, size = text.length): { cells: string[]; line: number }[] {
  const out: { cells: string[]; line: number }[] = [];
  const p = new CsvParser(detectDelimiter(text), (cells, line) => out.push({ cells: [...cells], line }), 'f');
  for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size));
  p.end();
  return out;
}

describe('the record parser', () => {
  test('comma, semicolon and tab; quoted fields with separators, doubled quotes and line breaks', () => {
    expect(detectDelimiter('a;b;"c,d"\n1;2;3')).toBe(';');
    expect(detectDelimiter('a,b,"c;d;e"\n1,2,3')).toBe(',');
    expect(detectDelimiter('a\tb\tc\n1\t2\t3')).toBe('\t');
    expect(records('x;"label, with comma";z\n1;"yes; really";3\n4;"say ""hi""\nthere";6\n')).toEqual([
      { cells: ['x', 'label, with comma', 'z'], line: 1 },
      { cells: ['1', 'yes; really', '3'], line: 2 },
      { cells: ['4', 'say "hi"\nthere', '6'], line: 3 },
    ]);
  });

  test('line endings as pandas reads them: a CRLF header over LF rows, CR only, blank lines skipped', () => {
    const want = [['a', 'b'], ['1', '2'], ['3', '4'], ['5', '6']];
    for (const text of ['a,b\r\n1,2\n3,4\n5,6\n', 'a,b\r1,2\r3,4\r5,6', 'a,b\r\n1,2\r\n3,4\n5,6\r\n\r\n\n', '\na,b\n\n1,2\n  \n3,4\n5,6\n\n']) {
      expect(records(text).map((r) => r.cells)).toEqual(want);
    }
    // line numbers count every physical line, blank ones included
    expect(records('a,b\r\n\r\n1,2\n"x\r\ny",4\n5,6').map((r) => r.line)).toEqual([1, 3, 4, 6]);
  });

  test('any chunking gives the same records (a CRLF, a doubled quote or a cell split across chunks)', () => {
    const text = 'h1,"h,2",h3\r\n1.5,"a ""q""",x\n\r\n2,"multi\r\nline",y\r3,,"z"\n';
    const whole = records(text);
    for (let size = 1; size <= text.length; size++) expect(records(text, size)).toEqual(whole);
  });

  test('a quote left open early in a large file is refused at 8 MB, naming its line', () => {
    const row = '1.2345,6.789,0\n';
    const text = 'a,b,label\n1,2,0\n"3,4,1\n' + row.repeat(1_500_000); // 22 MB after the open quote
    expect(() => records(text, 1 << 16)).toThrow(/line 3: a record runs over 8 MB; is a quote left open\?/);
    // a long legitimate record across many chunks still parses
    const wide = ['x', 'y'].join(',') + '\n"' + 'z'.repeat(3_000_000) + '",1\n';
    expect(records(wide, 1 << 16)[1].cells[0]).toHaveLength(3_000_000);
  });

  test('an unclosed quote and text after a closing quote name their line', () => {
    expect(() => records('a,b\n1,"2\n')).toThrow(/line 2: a quoted field is not closed/);
    expect(() => records('a,b\n1,2\n3,"4"x\n')).toThrow(/line 3: unexpected characters after a closing quote/);
  });
});

describe('readCsv and readDataset', () => {
  test('BOM, trailing blank lines, a CRLF header over LF rows', async () => {
    const d = await read('\uFEFFa,b,label\r\n1,2,0\n3,4,1\n\n\n', 'label');
    expect(d.columns).toEqual(['a', 'b', 'label']);
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4]);
    expect(d.rows).toBe(2);
  });

  test.each([
    ['an empty file', '', /is empty/],
    ['blank lines only', '\n\r\n\n', /is empty/],
    ['a header without rows', 'a,b\n', /header row but no data rows/],
    ['a ragged row', 'a,b\n1,2\n3\n', /line 3 has 1 field but the header has 2/],
    ['a duplicate column', 'a,a\n1,2\n', /names column 'a' twice/],
    ['an empty column name', 'a,,c\n1,2,3\n', /empty column name \(column 2\)/],
    ['a binary file', '\u007fELF\u0002\u0001\u0001\u0000\u0000,label\n1,2\n', /is not a text CSV file \(it holds NUL bytes/],
  ])('%s is a one-line CliError', async (_name, text, message) => {
    const e = await error(read(text));
    expect(e).toBeInstanceOf(CliError);
    expect(e!.message).toMatch(message);
    expect(e!.message).not.toContain('\n');
  });

  test('a nameless first column holds row labels (a pandas index, R row names): neither feature nor label', async () => {
    const pandas = await read(',a,label\n0,1,x\n1,2,y\n', 'label');
    expect(pandas.featureColumns).toEqual(['a']);
    expect(pandas.rowLabels).toBe(true);
    expect(Array.from(pandas.x)).toEqual([1, 2]);
    const r = await read('"","mpg","cyl"\n"Mazda RX4",21,6\n"Datsun 710",22.8,4\n', 'cyl'); // R's write.csv(mtcars)
    expect(r.featureColumns).toEqual(['mpg']);
    expect((await read('a,b\n1,2\n')).rowLabels).toBe(false);
    // a model trained on such a file predicts on it
    expect((await readDataset(csv(',a,b\nr1,1,2\n'), { features: ['b', 'a'] })).x).toEqual(new Float32Array([2, 1]));
  });

  test('ignore leaves columns out; an unknown column or the label is refused', async () => {
    const d = await readDataset(csv('id,name,a,label\n7,x,1,0\n8,y,2,1\n'), { label: 'label', ignore: ['id', 'name'] });
    expect(d.featureColumns).toEqual(['a']);
    expect(Array.from(d.x)).toEqual([1, 2]);
    expect((await error(readDataset(csv('a,label\n1,0\n'), { label: 'label', ignore: ['nope'] })))!.message).toMatch(/has no column 'nope' for --ignore; its columns are: a, label/);
    expect((await error(readDataset(csv('a,b,label\n1,2,0\n'), { label: 'label', ignore: ['label'] })))!.message).toMatch(/--ignore label: that column is the --label/);
    expect((await error(readDataset(csv('a,label\n1,0\n'), { label: 'label', ignore: ['a'] })))!.message).toMatch(/no feature columns besides the label/);
  });

  test('reading for training: a missing cell is NaN, a word turns its column into codes, earlier numbers included', async () => {
    const d = await read('a,b,label\n1,2,0\n,NA,1\n?,red,0\n3,2.0,1\n', 'label');
    expect(Array.from(d.x)).toEqual([1, 0, NaN, NaN, NaN, 1, 3, 0]);
    expect(d.read.map((c) => [c.text, c.missing, c.numbers])).toEqual([[false, 2, 0], [true, 1, 2]]);
    expect(d.read[1].names).toEqual(['2', 'red']); // `2` and `2.0` are one value
    expect(d.read[1].firstText).toEqual({ line: 4, cell: 'red' });
  });

  test('the missing-value markers, and what is not one', async () => {
    for (const cell of ['', 'NA', 'N/A', 'n/a', 'NaN', 'nan', 'null', 'NULL', 'None', '?', '#N/A', '""']) {
      const d = await read(`a,label\n1,0\n${cell},1\n`, 'label');
      expect(Number.isNaN(d.x[1]) && !d.read[0].text, cell).toBe(true);
    }
    for (const cell of ['-', 'none', 'missing', '.']) expect((await read(`a,label\n1,0\n${cell},1\n`, 'label')).read[0].text, cell).toBe(true);
  });

  test.each([
    ['Torgersen', /'Torgersen' is not a decimal number; the model was trained on numbers in this column$/],
    ['0x1F', /'0x1F' is not a decimal number/],
    ['0b11', /'0b11' is not a decimal number/],
    ['1e', /'1e' is not a decimal number/],
    ['Infinity', /'Infinity' is not a decimal number/],
    ['-Infinity', /'-Infinity' is not a decimal number/],
    ['1_000', /'1_000' is not a decimal number/],
    ['1e999', /'1e999' is out of range/],
  ])('predict: text %j in a number column is an error naming line and column', async (cell, message) => {
    const e = await error(readDataset(csv(`a,b,label\n1,2,0\n3,${cell},1\n`), { features: ['a', 'b'], lookups: [null, null] }));
    expect(e).toBeInstanceOf(CliError);
    expect(e!.message).toMatch(/line 3 \(data row 2\), column 'b': /);
    expect(e!.message).toMatch(message);
  });

  test('training: a number beyond float32 is an error, not text', async () => {
    expect((await error(read('a,label\n1,0\n1e999,1\n', 'label')))!.message).toMatch(/line 3 \(data row 2\), column 'a': '1e999' is out of range/);
  });

  test('a missing file and a directory', async () => {
    expect((await error(readDataset(`${dir}/nope.csv`, {})))!.message).toMatch(/cannot read .*nope\.csv: no such file/);
    expect((await error(readDataset(dir, {})))!.message).toMatch(/is a directory, not a CSV file/);
  });

  test('numbers: plain decimal notation only', () => {
    for (const [cell, v] of [['12', 12], ['-0.5', -0.5], ['.5', 0.5], ['3.', 3], ['1e-3', 1e-3], ['+2.5E+4', 25000]] as const) expect(parseNumber(cell)).toBe(v);
    for (const cell of ['0x1F', '0o7', '0b11', '1e', 'e5', 'Infinity', '1,5', '1 000', '--1', '.']) expect(parseNumber(cell)).toBeNull();
    expect(parseNumber('1,5', true)).toBe(1.5);
    expect(parseNumber('1.234,5', true)).toBeNull();
  });

  test('numbers: the same double as Number() on 20,000 random decimal strings', () => {
    let seed = 7;
    const random = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
    for (let k = 0; k < 20_000; k++) {
      const v = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      const forms = [String(v), v.toFixed(Math.floor(random() * 12)), v.toPrecision(1 + Math.floor(random() * 20)), v.toExponential(Math.floor(random() * 18)), `${Math.floor(random() * 1e6)}.${'0'.repeat(Math.floor(random() * 4))}${Math.floor(random() * 1e9)}`];
      for (const cell of forms) {
        if (Math.abs(Number(cell)) > 3.4028234663852886e38) continue;
        expect(Object.is(parseNumber(cell), Number(cell)), cell).toBe(true);
      }
    }
  });

  test("';'-separated with decimal commas", async () => {
    const d = await read('a;b;label\n1,5;-0,25;0\n2;3,75;1\n', 'label');
    expect(Array.from(d.x)).toEqual([1.5, -0.25, 2, 3.75]);
  });

  test('tab-separated works; another separator gets a hint', async () => {
    const d = await read('a\tb\tlabel\n1\t2\t0\n3\t4\t1\n', 'label');
    expect(Array.from(d.x)).toEqual([1, 2, 3, 4]);
    const e = await error(read('a|b|label\n1|2|0\n3|4|1\n', 'label'));
    expect(e!.message).toMatch(/no column 'label' for --label; its columns are: a\|b\|label \(the header was read as one column: fields must be separated by ',', ';' or tabs\)/);
  });

  test('grows its storage to the file and keeps the values exact', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},${i * 0.5},${i % 3}`);
    const d = await read(['a,b,label', ...rows].join('\n'), 'label');
    expect(d.rows).toBe(5000);
    expect(d.x.length).toBe(10_000);
    expect(d.x[2 * 4999]).toBe(4999);
    expect(d.x[2 * 4999 + 1]).toBe(2499.5);
  });
});

describe('labels and the task', () => {
  const label = async (values: (string | number)[], task?: 'classification' | 'regression') => {
    const d: Dataset = await read(['a,label', ...values.map((v, i) => `${i},${v}`)].join('\n'), 'label');
    return targets(d, task);
  };
  const err = async (values: (string | number)[], task?: 'classification' | 'regression') => label(values, task).then(() => null, (e: Error) => e);

  test('text or few integer labels classify; fractions regress', async () => {
    expect((await label(['cat', 'dog', 'cat'])).task).toBe('classification');
    expect((await label([1, 2, 3, 1])).task).toBe('classification');
    expect((await label([1.5, 2, 3])).task).toBe('regression');
  });

  test('1 and 1.0 are one class (named as first written)', async () => {
    const t = await label(['1', '0', '1.0', '0.0', '1e0']);
    expect(t.task).toBe('classification');
    expect(t.classes).toEqual(['0', '1']);
    expect(Array.from(t.values)).toEqual([1, 0, 1, 0, 1]);
  });

  test('class names sort numerically when every label is a number', async () => {
    expect((await label([10, 9, 10])).classes).toEqual(['9', '10']);
  });

  test('rows whose label is missing (empty, NA, NaN, ?…) are left out and counted; none left is an error', async () => {
    const d = await read('a,label\n1,x\n2,\n3,NA\n4,y\n5,?\n6,None\n', 'label');
    expect(Array.from(d.x)).toEqual([1, 4]);
    expect([d.rows, d.label!.missing, d.label!.firstMissing]).toEqual([2, 4, 3]);
    expect(targets(d, undefined).classes).toEqual(['x', 'y']);
    const values = Array.from({ length: 300 }, (_, i) => (i * 1.37).toFixed(2));
    values[150] = 'NaN';
    expect((await label(values)).values).toHaveLength(299);
    expect((await err(['', 'NA']))!.message).toMatch(/every row's label in column 'label' is empty or a missing-value marker/);
  });

  test('an integer label with many values and few rows per value is regression, and says so', async () => {
    const price = Array.from({ length: 1000 }, (_, i) => 100 + ((i * 7919) % 300));
    const t = await label(price);
    expect(t.task).toBe('regression');
    expect(t.reason).toMatch(/300 distinct integer labels with 3\.3 rows each.*--task classification to override/);
    const medical = Array.from({ length: 442 }, (_, i) => 25 + ((i * 31) % 193));
    expect((await label(medical)).task).toBe('regression');
    // digits-like: 10 classes, any number of rows; 30 classes with 40 rows each
    expect((await label(Array.from({ length: 50 }, (_, i) => i % 10))).task).toBe('classification');
    expect((await label(Array.from({ length: 1200 }, (_, i) => i % 30))).task).toBe('classification');
    // --task classification still works, --task regression refuses text
    expect((await label(price, 'classification')).classes).toHaveLength(300);
    expect((await err(['a', 'b'], 'regression'))!.message).toMatch(/line 2, label column 'label': 'a' is not a decimal number, and regression needs numeric labels/);
  });

  test('a stray text label among many numbers, or text labels with a handful of rows each, are refused with the remedy', async () => {
    const price = Array.from({ length: 1000 }, (_, i) => String(100 + ((i * 7919) % 300)));
    price[500] = '0x1F';
    expect((await err(price))!.message).toMatch(/line 502, label column 'label': '0x1F' is not a decimal number, while 99\.9 % of the labels are numbers; fix or drop that row \(or use --task classification/);
    const names = Array.from({ length: 200 }, (_, i) => `person ${i % 80}`);
    expect((await err(names))!.message).toMatch(/the label column 'label' has 80 distinct values, 2\.5 rows per value on average: too few to learn each as a class; use --task classification to train anyway/);
    expect((await label(names, 'classification')).classes).toHaveLength(80);
  });

  test('a single class is refused', async () => {
    expect((await err(['k', 'k']))!.message).toMatch(/single class \('k'\)/);
  });
});

describe('split', () => {
  test('stratified, seeded, every class in both parts where it can be', () => {
    const classes = Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
    const a = splitRows(100, 0.25, 7, classes), b = splitRows(100, 0.25, 7, classes);
    expect(a).toEqual(b);
    expect(a.heldOut.filter((r) => classes[r] === 1)).toHaveLength(5);
    expect(a.heldOut.filter((r) => classes[r] === 0)).toHaveLength(20);
    expect(new Set([...a.train, ...a.heldOut]).size).toBe(100);
    // a class of 2 rows still gets one held out; a class of 1 stays in training and is reported
    const small = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2];
    const s = splitRows(small.length, 0.1, 1, small);
    expect(Array.from(s.heldOut, (r) => small[r]).sort()).toEqual([0, 1]);
    expect(s.classesNotHeldOut).toEqual([2]);
  });

  test('300,000 rows split without a stack overflow', () => {
    const s = splitRows(300_000, 0.2, 1, new Float32Array(300_000).map((_, i) => i % 2));
    expect(s.heldOut.length).toBe(60_000);
    expect(splitRows(300_000, 0.2, 1).train.length).toBe(240_000); // regression: one group of 300,000
  });

  test('permuteRows reorders rows in place', () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => i);
    permuteRows(x, 2, Uint32Array.from([3, 0, 5, 1, 2, 4]));
    expect(Array.from(x)).toEqual([6, 7, 0, 1, 10, 11, 2, 3, 4, 5, 8, 9]);
  });
});

test('readCsv calls back once for the header and once per row', async () => {
  const headers: string[][] = [];
  let rows = 0;
  await readCsv(csv('a,b\n1,2\n3,4\n'), (h) => headers.push(h.columns), () => rows++);
  expect(headers).toEqual([['a', 'b']]);
  expect(rows).toBe(2);
});
