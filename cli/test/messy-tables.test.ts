import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as bw from 'bnwasm';
import { describe, expect, test } from 'vitest';
import { readDataset } from '../src/dataset.js';
import { applyEncoding, fitEncoding, type ColumnEncoding } from '../src/encoding.js';
import { predict } from '../src/predict.js';
import type { Preprocessing } from '../src/preprocessing.js';
import { train, TRAIN_DEFAULTS, type TrainOptions } from '../src/train.js';
import { cli, ensureBuilt, quiet, runCli, tempDir, writeCsv } from './helpers.js';
import { titanicLike } from './titanic-like.js';

const dir = tempDir('messy-tables');
let n = 0;
const csv = (text: string) => writeCsv(dir, `t${n++}.csv`, text);
const options = (over: Partial<TrainOptions>): TrainOptions => ({ ...TRAIN_DEFAULTS, label: 'label', out: join(dir, `m${n++}`), ...over });
const prep = (out: string): Preprocessing => JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8'));

/** Every spelling of a missing cell the reader knows (`""` is a quoted empty cell). */
const MARKERS = ['', 'NA', 'N/A', 'n/a', 'NaN', 'nan', 'null', 'NULL', 'None', '?', '#N/A', '""'];

/**
 * A table as pandas writes one read and saved twice (a nameless index, then `Unnamed: 0`), with LF and CRLF
 * line ends mixed, a quoted comma in a category, a yes/no column in mixed case, and missing cells of every
 * spelling: `size` on rows 3, 13, 23…, `city` on rows 7, 22, 37…, `member` on rows 5, 45, 85, the label on rows 20, 70, 95.
 */
function messyTable(rows = 120): string {
  const lines = [',Unnamed: 0,city,size,member,label'];
  for (let i = 0; i < rows; i++) {
    const city = ['"New York, NY"', 'Paris', 'Oslo'][i % 3], size = (i * 7) % 10;
    const label = city === 'Paris' || size >= 6 ? 'up' : 'down';
    lines.push([
      i, i,
      i % 15 === 7 ? MARKERS[(i >> 1) % MARKERS.length] : city,
      i % 10 === 3 ? MARKERS[Math.floor(i / 10)] : size,
      i % 40 === 5 ? 'NA' : ['yes', 'No', 'YES', 'no'][i % 4],
      ({ 20: 'NA', 70: '', 95: '?' } as Record<number, string>)[i] ?? label,
    ].join(','));
  }
  return lines.map((l, i) => l + (i % 2 ? '\n' : '\r\n')).join('');
}

describe('a messy table trains and predicts without hand editing', () => {
  const file = csv(messyTable());

  test('the notices: row labels and a saved index left out, unlabelled rows counted, text encoded, missing cells filled', async () => {
    const log = quiet(), out = join(dir, 'messy');
    const r = await train(file, options({ batchSize: 16, out }), log);
    const lines = log.lines.join('\n');
    expect(lines).toContain('the first column has no name: read as row labels (a pandas index or R row names), not a feature');
    expect(lines).toContain(`column 'Unnamed: 0' holds the row numbers (an index pandas saved): not a feature`);
    expect(log.warnings).toEqual([`3 rows have no label (an empty cell or a missing-value marker in 'label', first on line 22): left out`]);
    expect(log.lines).toContain('text columns encoded: city → 4 columns (New York, NY, Oslo, Paris, (missing)) · member → 0/1 (no/yes)');
    expect(lines).toMatch(/^missing cells filled: city 8 \(as the category '\(missing\)'\) · size 12 \(with the training median \d(\.5)?, flagged in 'size \(missing\)'\) · member 3 \(with the training median [01](\.5)?\)$/m);
    expect(lines).toMatch(/Training on 94 rows, 23 held out · 3 features as 7 inputs · 2 classes/);
    expect(r.metrics.val_accuracy).toBeGreaterThan(0.8);

    const p = prep(out);
    expect(p.version).toBe(2);
    expect(p.featureColumns).toEqual(['city', 'size', 'member']);
    expect(p.inputs).toEqual(['city=New York, NY', 'city=Oslo', 'city=Paris', 'city (missing)', 'size', 'size (missing)', 'member']);
    expect(p.encoding![0]).toEqual({ column: 'city', kind: 'category', categories: ['New York, NY', 'Oslo', 'Paris'], missing: true });
    expect(p.encoding![2]).toMatchObject({ column: 'member', kind: 'boolean', words: ['no', 'yes'] });

    const records = await predict(out, file, { out: join(dir, 'messy-predictions.csv') }, quiet());
    expect(records).toHaveLength(121); // every row, the unlabelled ones too
    for (const [prediction, ...probabilities] of records.slice(1)) {
      expect(['down', 'up']).toContain(prediction);
      expect(probabilities.every((v) => Number.isFinite(Number(v)))).toBe(true);
    }
  });

  test('predict applies the saved encoding: columns by name, unseen values, every missing spelling', async () => {
    const out = join(dir, 'round-trip');
    await train(file, options({ batchSize: 16, epochs: 3, out }), quiet());
    const rows = [['7', 'Oslo', 'YES'], ['NA', 'Tokyo', 'maybe'], ['?', '', ''], ['""', 'paris', 'n/a']];
    const other = csv(`member,size,city,extra\r\n${rows.map(([size, city, member]) => `${member},${size},${city},x`).join('\n')}\n`);
    const log = quiet();
    const records = await predict(out, other, { out: join(dir, 'round-trip.csv') }, log);
    expect(log.lines).toContain('values no training row had (no category\'s input is set; a yes/no column gets its fill value): city 2 · member 1');
    expect(log.lines.join('\n')).toMatch(/^missing cells filled: city 1 \(as the category '\(missing\)'\) · size 3 \(.*\) · member 2 \(.*\)$/m);

    // the inputs by hand from preprocessing.json, through the saved model
    const p = prep(out), enc = (column: string) => p.encoding!.find((e) => e.column === column)! as ColumnEncoding & { fill: number };
    const sizeFill = enc('size').fill, memberFill = enc('member').fill;
    const expected: Record<string, number>[] = [
      { 'city=Oslo': 1, size: 7, member: 1 },
      { size: sizeFill, 'size (missing)': 1, member: memberFill }, // Tokyo: no category; maybe: unseen
      { 'city (missing)': 1, size: sizeFill, 'size (missing)': 1, member: memberFill },
      { size: sizeFill, 'size (missing)': 1, member: memberFill }, // categories are case-sensitive: 'paris' is unseen
    ];
    const x = Float32Array.from(expected.flatMap((row) => p.inputs!.map((name) => row[name] ?? 0)));
    const model = await bw.loadModel(join(out, 'model.json'));
    const y = model.predict(new bw.Tensor(x, [rows.length, p.inputs!.length])).dataSync();
    records.slice(1).forEach((record, i) => {
      expect(Number(record[1])).toBeCloseTo(y[2 * i], 5);
      expect(Number(record[2])).toBeCloseTo(y[2 * i + 1], 5);
    });
  });

  test('the command line: with --out - the notes go to stderr and stdout holds only the predictions; errors are one line', async () => {
    ensureBuilt();
    const out = join(dir, 'cli-model');
    expect((await runCli(['train', file, '--label', 'label', '--epochs', '1', '--batch-size', '16', '--out', out])).code).toBe(0);
    const p = cli(['predict', out, csv('city,size,member\nLima,,yes\nOslo,3,no\n'), '--out', '-']);
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/^prediction,p_down,p_up\n(?:(?:up|down),\d\.\d{6},\d\.\d{6}\n){2}$/);
    expect(p.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^bnwasm: warning: missing cells filled: size 1 /),
      expect.stringMatching(/^bnwasm: warning: values no training row had .*: city 1$/),
    ]);
    const bad = cli(['predict', out, csv('city,size,member\nOslo,big,no\n'), '--out', '-']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^bnwasm: .*: line 2 \(data row 1\), column 'size': 'big' is not a decimal number; the model was trained on numbers in this column\n$/);
    const unlabelled = await runCli(['train', csv('a,label\n1,\n2,NA\n3,?\n'), '--label', 'label', '--out', join(dir, 'none')]);
    expect(unlabelled.code).toBe(1);
    expect(unlabelled.errors).toEqual([expect.stringMatching(/^bnwasm: .*: every row's label in column 'label' is empty or a missing-value marker; there is nothing to learn from$/)]);
  });
});

test('a model saved before encodings (preprocessing.json version 1) still predicts; a missing cell there is a one-line error', async () => {
  const rows = Array.from({ length: 60 }, (_, i) => `${i % 7},${(i * 3) % 11},${i % 2}`);
  const out = join(dir, 'v1');
  await train(csv(`a,b,label\n${rows.join('\n')}\n`), options({ epochs: 1, batchSize: 8, out }), quiet());
  const { encoding: _e, inputs: _i, ...v1 } = { ...prep(out), version: 1 };
  writeFileSync(join(out, 'preprocessing.json'), JSON.stringify(v1));
  expect(await predict(out, csv('a,b\n1,2\n'), { out: join(dir, 'v1.csv') }, quiet())).toHaveLength(2);
  const e = await predict(out, csv('a,b\n1,2\n3,NA\n'), { out: join(dir, 'v1.csv') }, quiet()).then(() => null, (err: Error) => err);
  expect(e!.message).toBe(`column 'b' has missing cells (data row 2), which this model, saved by an earlier bnwasm, cannot fill; fill them or train the model again`);
});

describe('encoding rules', () => {
  test('categories come from the training rows only; a value or a missing cell first seen later sets no input', async () => {
    const d = await readDataset(csv('c,n,label\nred,1,0\nblue,,1\nred,3,0\nblue,5,1\nred,NA,0\nblue,2,1\ngreen,4,0\nNA,6,1\n'), { label: 'label' });
    const f = fitEncoding(d, 6); // the first six rows train
    expect(f.encodings).toEqual([
      { column: 'c', kind: 'category', categories: ['blue', 'red'], missing: false },
      { column: 'n', kind: 'number', fill: 2.5, indicator: true }, // the median of 1, 3, 5, 2 (not 3.5 with the held-out 4 and 6)
    ]);
    const e = applyEncoding(d.x, d.rows, d.width, f.encodings, f.sources);
    expect(Array.from(e.x)).toEqual([0, 1, 1, 0, 1, 0, 2.5, 1, 0, 1, 3, 0, 1, 0, 5, 0, 0, 1, 2.5, 1, 1, 0, 2, 0, 0, 0, 4, 0, 0, 0, 6, 0]);
    expect([e.width, e.filled, e.unseen]).toEqual([4, [1, 2], [1, 0]]);
  });

  test('yes/no-like words are 0/1; numbers among categories sort first; ids, free text and empty columns are left out', async () => {
    const rows = Array.from({ length: 80 }, (_, i) => [['True', 'FALSE', 'true'][i % 3], ['1', '2', 'x'][i % 3], `user${i}`, i % 9 === 0 ? 'oops' : i, 'NA', i % 2].join(','));
    const d = await readDataset(csv(`flag,mixed,id,amount,blank,label\n${rows.join('\n')}\n`), { label: 'label' });
    const f = fitEncoding(d, 64);
    expect(f.encodings.map((e) => [e.column, e.kind])).toEqual([['flag', 'boolean'], ['mixed', 'category']]);
    expect(f.encodings[0]).toMatchObject({ words: ['false', 'true'] });
    expect(f.encodings[1]).toMatchObject({ categories: ['1', '2', 'x'] });
    expect(f.warnings).toEqual([
      `column 'id' left out: more than 50 distinct values in 80 cells, an id or free text rather than a category`,
      `column 'amount' left out: more than 50 distinct values in 80 cells, an id or free text rather than a category; it is mostly numbers, but line 2 has 'oops' (write missing numbers as empty or NA to keep it numeric)`,
      `column 'blank' has no values in the training rows: left out`,
    ]);
    // more than half the cells distinct is not a category either, whatever the count
    const few = await readDataset(csv('word,label\na,0\nb,1\nc,0\na,1\n'), { label: 'label' });
    expect(fitEncoding(few, 4).warnings).toEqual([`column 'word' left out: 3 distinct values in 4 cells, an id or free text rather than a category`]);
  });

  test("a pandas 'Unnamed: <n>' column is left out only when it holds the row numbers from 0 or 1, in order", async () => {
    const table = (index: (i: number) => number) => csv(`a,Unnamed: 3,label
${Array.from({ length: 30 }, (_, i) => `${i % 7},${index(i)},${i % 2}`).join('\n')}
`);
    for (const [index, left] of [[(i: number) => i, true], [(i: number) => i + 1, true], [(i: number) => i + 2, false], [(i: number) => (i * 7) % 30, false]] as const) {
      const f = fitEncoding(await readDataset(table(index), { label: 'label' }), 24);
      expect(f.encodings.map((e) => e.column)).toEqual(left ? ['a'] : ['a', 'Unnamed: 3']);
      expect(f.notes).toEqual(left ? [`column 'Unnamed: 3' holds the row numbers (an index pandas saved): not a feature`] : []);
    }
    // a column named otherwise keeps its values (a time step 1…n can be a real feature)
    const t = await readDataset(csv(`step,label
${Array.from({ length: 30 }, (_, i) => `${i + 1},${i % 2}`).join('\n')}
`), { label: 'label' });
    expect(fitEncoding(t, 24).encodings.map((e) => e.column)).toEqual(['step']);
  });
});

test('a Titanic-like table with default settings beats the majority class by a wide margin', async () => {
  const { text, majority } = titanicLike(891, 7);
  const log = quiet();
  const r = await train(csv(text), options({ label: 'Survived' }), log);
  expect(log.warnings.map((w) => w.split(':')[0])).toEqual([`column 'Name' left out`, `column 'Ticket' left out`, `column 'Cabin' left out`]);
  expect(log.lines).toContain('text columns encoded: Sex → 2 columns (female, male) · Embarked → 4 columns (C, Q, S, (missing)) · Alone → 0/1 (no/yes)');
  expect(majority).toBeGreaterThan(0.55);
  expect(r.metrics.val_accuracy).toBeGreaterThan(majority + 0.2);
}, 60_000);
