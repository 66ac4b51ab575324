import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, test } from 'vitest';
import { CliError } from '../src/errors.js';
import { predict } from '../src/predict.js';
import { train, TRAIN_DEFAULTS, type TrainOptions } from '../src/train.js';
import { DIGITS, quiet, syntheticRows, tempDir, writeCsv } from './helpers.js';

const dir = tempDir('train');
const options = (over: Partial<TrainOptions>): TrainOptions => ({ ...TRAIN_DEFAULTS, hidden: [16], label: 'label', out: join(dir, 'model'), ...over });
const readCsv = (file: string) => parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];

describe('train and predict in-process', () => {
  test('digits: metrics.json, preprocessing.json, confusion matrix, and predict with p_<label> columns', async () => {
    const out = join(dir, 'digits');
    const log = quiet();
    const r = await train(DIGITS, options({ epochs: 4, hidden: [32], out }), log);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy']) expect(Number.isFinite(metrics[key])).toBe(true);
    expect(metrics.val_accuracy).toBeGreaterThan(0.85);
    expect(r.confusion!.flat().reduce((a, b) => a + b, 0)).toBe(359); // round(0.2 · count) per digit
    expect(log.lines.join('\n')).toMatch(/held-out accuracy: \d+\.\d+%[\s\S]*true \\ predicted/);
    const prep = JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8'));
    expect(prep).toMatchObject({ task: 'classification', label: 'label', featureScaling: null });
    expect(prep.featureColumns).toHaveLength(64);
    expect(existsSync(join(out, 'model.json')) && existsSync(join(out, 'weights.bin'))).toBe(true);

    const preds = join(dir, 'digits-predictions.csv');
    await predict(out, DIGITS, { out: preds }, quiet());
    const rows = readCsv(preds);
    expect(rows).toHaveLength(1797);
    expect(Object.keys(rows[0])).toEqual(['prediction', ...Array.from({ length: 10 }, (_, i) => `p_${i}`)]);
    const sum = Object.entries(rows[0]).filter(([k]) => k.startsWith('p_')).reduce((s, [, v]) => s + Number(v), 0);
    expect(sum).toBeCloseTo(1, 3);
    const labels = readCsv(DIGITS).map((r) => r.label);
    const correct = rows.filter((r, i) => r.prediction === labels[i]).length;
    expect(correct / rows.length).toBeGreaterThan(0.85);
  });

  test('string labels in a semicolon file with quotes; predict ignores extra columns and keeps the label text', async () => {
    const rows = syntheticRows(120, (a, b) => (a + b > 10 ? '"big, really"' : 'small'));
    const file = writeCsv(dir, 'strings.csv', ['a;b;kind', ...rows.map((r) => r.replace(/,/g, ';').replace('"big; really"', '"big, really"'))].join('\n'));
    const out = join(dir, 'strings');
    const r = await train(file, options({ label: 'kind', epochs: 60, batchSize: 16, out, optimizer: 'adam', learningRate: 0.03 }), quiet());
    expect(r.classes).toEqual(['big, really', 'small']);
    expect(r.metrics.val_accuracy).toBeGreaterThan(0.75);
    const records = await predict(out, file, { out: join(dir, 'strings-pred.csv') }, quiet());
    expect(records[0]).toEqual(['prediction', 'p_big, really', 'p_small']);
    expect(new Set(records.slice(1).map((x) => x[0]))).toEqual(new Set(['big, really', 'small']));
  });

  test('numeric class labels without batch normalization store the feature scaling', async () => {
    const file = writeCsv(dir, 'numeric.csv', ['x1,x2,y', ...syntheticRows(90, (a) => (a < 3.3 ? 3 : a < 6.6 ? 7 : 11))].join('\n'));
    const out = join(dir, 'numeric');
    const r = await train(file, options({ label: 'y', epochs: 40, batchSize: 16, batchNorm: false, out, learningRate: 0.02 }), quiet());
    expect(r.task).toBe('classification');
    expect(r.classes).toEqual(['3', '7', '11']);
    expect(r.metrics.val_accuracy).toBeGreaterThan(0.7);
    const prep = JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8'));
    expect(prep.featureScaling.mean).toHaveLength(2);
    const records = await predict(out, file, { out: join(dir, 'numeric-pred.csv') }, quiet());
    expect(records[0]).toEqual(['prediction', 'p_3', 'p_7', 'p_11']);
  });

  test('regression: inferred from fractional labels, RMSE in label units, predictions are numbers', async () => {
    const file = writeCsv(dir, 'reg.csv', ['a,b,price', ...syntheticRows(200, (a, b) => (100 + 30 * a - 12 * b + 0.5).toFixed(2))].join('\n'));
    const out = join(dir, 'reg');
    const log = quiet();
    const r = await train(file, options({ label: 'price', epochs: 60, batchSize: 16, out, learningRate: 0.01 }), log);
    expect(r.task).toBe('regression');
    expect(log.lines.join('\n')).toMatch(/held-out RMSE: /);
    const sd = 30 * 2.9; // the label's spread is ~ 90: a useful model does far better
    expect(r.metrics.val_rmse).toBeLessThan(sd / 3);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['loss', 'val_loss', 'val_rmse']));
    const records = await predict(out, file, { out: join(dir, 'reg-pred.csv') }, quiet());
    expect(records[0]).toEqual(['prediction']);
    expect(records.slice(1).every((x) => Number.isFinite(Number(x[0])))).toBe(true);
  });
});

describe('bad input is a one-line CliError', () => {
  const good = writeCsv(dir, 'good.csv', ['a,b,label', ...syntheticRows(60, (a) => (a > 5 ? 1 : 0))].join('\n'));
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ['missing file', () => train(join(dir, 'missing.csv'), options({}), quiet()), /cannot read .*missing\.csv: no such file/],
    ['empty file', () => train(writeCsv(dir, 'empty.csv', ''), options({}), quiet()), /empty\.csv is empty/],
    ['unknown label column', () => train(good, options({ label: 'target' }), quiet()), /no column 'target' for --label; its columns are: a, b, label/],
    ['no usable feature column', () => train(writeCsv(dir, 'words.csv', 'name,label\nann,0\nbob,1\ncid,0\n'), options({ batchSize: 1 }), quiet()),
      /words\.csv has no usable feature columns \(name\): none holds numbers or categories/],
    ['every label missing', () => train(writeCsv(dir, 'nolabel.csv', 'a,label\n1,\n2,NA\n'), options({}), quiet()),
      /every row's label in column 'label' is empty or a missing-value marker/],
    ['single class', () => train(writeCsv(dir, 'single.csv', 'a,label\n1,x\n2,x\n3,x\n'), options({}), quiet()), /single class \('x'\)/],
    ['fewer rows than a batch', () => train(good, options({ batchSize: 64 }), quiet()), /48 training rows after holding out 12 .*fewer than one batch of 64/],
    ['model directory that does not exist', () => predict(join(dir, 'nowhere'), good, { out: '-' }, quiet()), /model directory .*nowhere does not exist/],
    ['directory without model.json', () => { mkdirSync(join(dir, 'plain'), { recursive: true }); return predict(join(dir, 'plain'), good, { out: '-' }, quiet()); },
      /is not a bnwasm\/TF\.js model directory: it has no model\.json/],
    ['TF.js files without preprocessing.json', () => {
      mkdirSync(join(dir, 'tfjs'), { recursive: true });
      writeFileSync(join(dir, 'tfjs/model.json'), '{}');
      return predict(join(dir, 'tfjs'), good, { out: '-' }, quiet());
    }, /no preprocessing\.json/],
    ['broken model.json', () => {
      mkdirSync(join(dir, 'broken'), { recursive: true });
      writeFileSync(join(dir, 'broken/model.json'), '{ not json');
      writeFileSync(join(dir, 'broken/preprocessing.json'), JSON.stringify({ format: 'bnwasm-preprocessing', version: 1, task: 'classification', label: 'label', featureColumns: ['a', 'b'], classes: ['0', '1'], featureScaling: null, targetScaling: null }));
      return predict(join(dir, 'broken'), good, { out: '-' }, quiet());
    }, /is not a loadable bnwasm\/TF\.js model/],
  ];
  test.each(cases)('%s', async (_name, run, message) => {
    const error = await run().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  test('predict on a file missing a feature column', async () => {
    const out = join(dir, 'small');
    await train(good, options({ epochs: 1, batchSize: 8, out }), quiet());
    const other = writeCsv(dir, 'other.csv', 'a,label\n1,0\n');
    await expect(predict(out, other, { out: '-' }, quiet())).rejects.toThrow(/has no column 'b', which the model was trained on \(it needs: a, b\)/);
  });
});

describe('files as pandas and R write them', () => {
  test("a pandas index column and --ignore'd text columns: trained without them, predicted on the same file", async () => {
    const rows = syntheticRows(80, (a, b) => (a + b > 10 ? 'big' : 'small')).map((r, i) => `${i},${r},name ${i},2024-01-${1 + (i % 28)}`);
    const file = writeCsv(dir, 'pandas.csv', `,a,b,label,name,date\n${rows.join('\n')}\n`);
    const log = quiet(), out = join(dir, 'pandas-model');
    await train(file, options({ epochs: 2, batchSize: 16, out, ignore: ['name', 'date'] }), log);
    expect(log.lines.join('\n')).toMatch(/the first column has no name: read as row labels/);
    expect(JSON.parse(readFileSync(join(out, 'preprocessing.json'), 'utf8')).featureColumns).toEqual(['a', 'b']);
    const predictions = join(dir, 'pandas-predictions.csv');
    await predict(out, file, { out: predictions }, quiet());
    expect(readCsv(predictions)).toHaveLength(80);
  });
});

describe('labels, task and split on small or odd tables', () => {
  test('a class with a single row: trained on, not held out, and the user is told', async () => {
    const rows = syntheticRows(60, (a) => (a > 5 ? 'big' : 'small'));
    rows.push('1,1,rare');
    const file = writeCsv(dir, 'rare.csv', ['a,b,kind', ...rows].join('\n'));
    const log = quiet();
    const r = await train(file, options({ label: 'kind', epochs: 1, batchSize: 8, out: join(dir, 'rare') }), log);
    expect(r.classes).toEqual(['big', 'rare', 'small']);
    expect(log.warnings).toEqual([expect.stringMatching(/class 'rare' of 'kind' has a single row, kept for training: the held-out rows do not include it/)]);
  });

  test('a validation split that holds out nothing says so, and the summary is on the training rows', async () => {
    const file = writeCsv(dir, 'few.csv', ['a,b,y', ...syntheticRows(40, (a, b) => (a * 3 + b + 0.5).toFixed(2))].join('\n'));
    const log = quiet();
    const r = await train(file, options({ label: 'y', epochs: 1, batchSize: 8, validationSplit: 0.01, out: join(dir, 'few') }), log);
    expect(log.warnings).toEqual([expect.stringMatching(/--validation-split 0\.01 holds out no rows of 40; the summary is on the training rows/)]);
    expect(r.metrics.rmse).toBeGreaterThan(0);
    expect(log.lines.join('\n')).toMatch(/training RMSE/);
  });

  test('an integer price column trains as regression and says why; labels 1 and 1.0 train as one class', async () => {
    const prices = writeCsv(dir, 'prices.csv', ['a,b,price', ...syntheticRows(600, (_a, _b, i) => 100 + ((i * 7919) % 300))].join('\n'));
    const log = quiet();
    const r = await train(prices, options({ label: 'price', epochs: 1, out: join(dir, 'prices') }), log);
    expect(r.task).toBe('regression');
    expect(log.lines[0]).toMatch(/^task: regression: 300 distinct integer labels with 2\.0 rows each on average are a quantity, not classes; --task classification to override$/);
    const mixed = writeCsv(dir, 'mixed-spelling.csv', ['a,b,label', ...syntheticRows(60, (a, _b, i) => (a > 5 ? (i % 2 ? '1' : '1.0') : '0'))].join('\n'));
    expect((await train(mixed, options({ epochs: 1, batchSize: 8, out: join(dir, 'mixed') }), quiet())).classes).toEqual(['0', '1.0']); // named as first written
  });

  test('rows with a NA label are left out with a warning that counts them', async () => {
    const rows = syntheticRows(300, (a, b) => (a * 2.5 + b).toFixed(2));
    rows[150] = '1,2,NA';
    rows[200] = '1,2,';
    const log = quiet();
    await train(writeCsv(dir, 'na-label.csv', ['a,b,y', ...rows].join('\n')), options({ label: 'y', epochs: 1, out: join(dir, 'na') }), log);
    expect(log.warnings).toEqual([`2 rows have no label (an empty cell or a missing-value marker in 'y', first on line 152): left out`]);
    expect(log.lines.join('\n')).toMatch(/Training on 238 rows, 60 held out/);
  });
});
