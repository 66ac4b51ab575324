import { readFileSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { beforeAll, describe, expect, test } from 'vitest';
import { cli, DIGITS, ensureBuilt, MAIN, ROOT, tempDir, writeCsv } from './helpers.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

beforeAll(() => ensureBuilt(), 120_000);

describe('the bnwasm process', () => {
  test('--help at the top and for every command', () => {
    const top = cli(['--help']);
    expect(top.status).toBe(0);
    for (const c of ['train', 'predict', 'experiment']) expect(top.stdout).toContain(c);
    const options: Record<string, string[]> = {
      train: ['--label', '--epochs', '--batch-size', '--hidden', '--no-batchnorm', '--optimizer', '--learning-rate', '--validation-split', '--task', '--seed', '--out'],
      predict: ['<model-dir>', '<file.csv>', '--out'],
      experiment: ['--quick', '--out'],
    };
    for (const [command, names] of Object.entries(options)) {
      const r = cli([command, '--help']);
      expect(r.status).toBe(0);
      for (const n of names) expect(r.stdout).toContain(n);
    }
  });

  test('train then predict on the digits file', () => {
    const dir = tempDir('e2e');
    const model = join(dir, 'model');
    const t = cli(['train', DIGITS, '--label', 'label', '--epochs', '4', '--hidden', '32', '--learning-rate', '0.01', '--out', model]);
    expect(t.stderr).toBe('');
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/Epoch 4\/4 .*loss .*accuracy .*samples\/s/);
    expect(t.stdout).toMatch(/held-out accuracy: (9\d|100)\.\d+%/);
    expect(JSON.parse(readFileSync(join(model, 'metrics.json'), 'utf8')).val_accuracy).toBeGreaterThan(0.85);
    const out = join(dir, 'p.csv');
    const p = cli(['predict', model, DIGITS, '--out', out]);
    expect(p.status).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1798);
    expect(lines[0]).toBe(['prediction', ...Array.from({ length: 10 }, (_, i) => `p_${i}`)].join(','));
  });

  test.each([
    ['a missing file', ['train', 'no-such.csv', '--label', 'label'], /^bnwasm: cannot read no-such\.csv: no such file\n$/],
    ['an unknown label', ['train', DIGITS, '--label', 'digit'], /^bnwasm: .*has no column 'digit' for --label; its columns are: p0, p1/],
    ['a bad option value', ['train', DIGITS, '--label', 'label', '--epochs', 'ten'], /^bnwasm: option '--epochs <n>' argument 'ten' is invalid/],
    ['a missing --label', ['train', DIGITS], /^bnwasm: required option '--label <column>' not specified/],
    ['an unknown optimizer', ['train', DIGITS, '--label', 'label', '--optimizer', 'rmsprop'], /^bnwasm: option '--optimizer <name>' argument 'rmsprop' is invalid/],
    ['a directory that is not a model', ['predict', '.', DIGITS], /^bnwasm: \. is not a bnwasm\/TF\.js model directory: it has no model\.json\n$/],
  ])('%s: one line on stderr, exit 1, no stack trace', (_name, args, message) => {
    const r = cli(args as string[]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^bnwasm: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('BNWASM_THREADS: a valid count trains the same model; a bad one is one line naming the variable, exit 1', () => {
    const dir = tempDir('threads');
    const train = (threads: string, out: string) => spawnSync(process.execPath,
      [MAIN, 'train', DIGITS, '--label', 'label', '--epochs', '2', '--hidden', '16', '--out', join(dir, out)],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, BNWASM_THREADS: threads } });
    const one = train('1', 'one'), two = train('2', 'two');
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    // the thread count changes no number: the saved weights are byte for byte the same
    expect(readFileSync(join(dir, 'two', 'weights.bin'))).toEqual(readFileSync(join(dir, 'one', 'weights.bin')));
    for (const bad of ['0', '17', 'many', '1.5']) {
      const r = train(bad, `bad-${bad}`);
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(`bnwasm: BNWASM_THREADS: expected an integer from 1 to 16, got ${JSON.stringify(bad)}`);
    }
  });

  test('a messy file as users have them: CRLF header over LF rows, semicolons, decimal commas, quotes, a BOM', () => {
    const rows = Array.from({ length: 120 }, (_, i) => `${((i * 37) % 101) / 10};"${(((i * 53) % 97) / 10).toFixed(1).replace('.', ',')}";${i % 2 ? 'yes' : '"no"'}`);
    const file = writeCsv(tempDir('e2e-messy'), 'messy.csv', '\uFEFFa;b;answer\r\n' + rows.join('\n') + '\n\n');
    const r = cli(['train', file, '--label', 'answer', '--epochs', '2', '--batch-size', '16', '--out', join(tempDir('e2e-messy-out'), 'm')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Training on 96 rows, 24 held out · 2 features · 2 classes/);
  });

  test('BNWASM_BACKEND=gpu in a process run: one line naming the allowed values, exit 1', () => {
    const r = spawnSync(process.execPath, [MAIN, 'train', DIGITS, '--label', 'label', '--out', join(tempDir('gpu'), 'm')],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, BNWASM_BACKEND: 'gpu' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`bnwasm: BNWASM_BACKEND: expected 'wasm' or 'js', got "gpu"\n`);
  });

  test('a text cell in a number column at predict, in a process run, names row and column', () => {
    const dir = tempDir('e2e-bad');
    const good = writeCsv(dir, 'good.csv', ['a;b;label', ...Array.from({ length: 60 }, (_, i) => `${i % 7};${i % 5};${i % 2}`)].join('\n'));
    expect(cli(['train', good, '--label', 'label', '--epochs', '1', '--out', join(dir, 'm')]).status).toBe(0);
    const file = writeCsv(dir, 'bad.csv', 'a;b;label\n1;2;0\n3;"n/b";1\n');
    const r = cli(['predict', join(dir, 'm'), file, '--out', '-']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bnwasm: .*bad\.csv: line 3 \(data row 2\), column 'b': 'n\/b' is not a decimal number; the model was trained on numbers in this column\n$/);
  });
});

describe('bnwasm experiment --quick', () => {
  test('prints the table and writes report.md, SVG + PNG figures and results.json', () => {
    const out = join(tempDir('exp'), 'report');
    const started = Date.now();
    const r = cli(['experiment', '--quick', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(40_000); // 20 s on an idle 2-core machine; slack for a busy CI
    expect(r.stdout).toMatch(/Batch normalization claims on UCI digits/);
    expect(r.stdout).toMatch(/speeds up convergence +│ (held|did not hold|inconclusive)/);

    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/^# What batch normalization does on UCI digits/);
    expect(report).toMatch(/\d of 5 claims held on this data/);
    for (const claim of ['speeds up convergence', 'tolerates higher learning rates', 'reduces sensitivity to initialization', 'acts as a regularizer']) {
      expect(report).toContain(claim);
    }

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.claims).toHaveLength(5);
    expect(results.initialization).toHaveLength(3);
    expect(results.initialization[0].withBN.curve[0].percentiles).toHaveLength(3);
    // the probe sees a real distribution over the held-out rows, not one repeated value
    const [p15, , p85] = results.initialization[0].withBN.curve.at(-1).percentiles;
    expect(p85 - p15).toBeGreaterThan(0.5);
    expect(results.learningRates.length).toBeGreaterThanOrEqual(12);
    // BN in a CNN: a pair per learning rate, its figure and verdict in the report
    expect(results.cnn.length).toBeGreaterThanOrEqual(1);
    expect(results.cnn[0].withBN.curve.length).toBe(results.cnn[0].withoutBN.curve.length);
    expect(report).toMatch(/## 7\. BN in a convolutional network[\s\S]*cnn-accuracy\.svg[\s\S]*helps a convolutional network train[^|]*\| (held|did not hold|inconclusive)/);

    const files = readdirSync(out);
    const svgs = files.filter((f) => f.endsWith('.svg'));
    expect(svgs.length).toBeGreaterThanOrEqual(7);
    for (const svgName of svgs) {
      const svg = readFileSync(join(out, svgName), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
      expect(texts.some((t) => /[A-Za-z]{4}/.test(t))).toBe(true);
      expect(report).toContain(`${svgName}`);
      // the SVG parses: resvg builds its tree from it and renders a non-empty image
      const image = new Resvg(svg).render();
      expect(image.width).toBeGreaterThan(300);

      const png = readFileSync(join(out, svgName.replace(/\.svg$/, '.png')));
      expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      expect(statSync(join(out, svgName.replace(/\.svg$/, '.png'))).size).toBeGreaterThan(10_000);
    }
    const fig1 = readFileSync(join(out, 'fig1-accuracy.svg'), 'utf8');
    for (const text of ['Figure 1(a): held-out accuracy during training', 'training step', 'held-out accuracy', 'with BN', 'without BN']) {
      expect(fig1).toContain(text);
    }
  }, 90_000);
});
