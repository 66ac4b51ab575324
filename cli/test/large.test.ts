import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { ensureBuilt, MAIN, ROOT, tempDir } from './helpers.js';
import { random } from './messy-csv.js';

beforeAll(() => ensureBuilt(), 120_000);

const dir = tempDir('large');
const ROWS = 300_000, WIDTH = 20;

/** ROWS rows of WIDTH features in [-5, 5) with 4 decimals and a label from the first two (about 46 MB). */
function writeLarge(file: string, rows: number): void {
  const r = random(3), fd = openSync(file, 'w');
  let text = [...Array.from({ length: WIDTH }, (_, j) => `f${j}`), 'label'].join(',') + '\n';
  for (let i = 0; i < rows; i++) {
    const v = Array.from({ length: WIDTH }, () => (r() * 10 - 5).toFixed(4));
    text += `${v.join(',')},${Number(v[0]) + Number(v[1]) > 0 ? 1 : 0}\n`;
    if (text.length > 1 << 20) { writeSync(fd, text); text = ''; }
  }
  writeSync(fd, text);
  closeSync(fd);
}

/** Runs the built CLI in a child process and returns its exit code, stderr and peak resident memory (bytes). */
function measured(args: string[]) {
  const wrapper = join(dir, 'measure.mjs');
  writeFileSync(wrapper, `process.on('exit', () => process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS * 1024 + '\\n'));\nawait import(${JSON.stringify(MAIN)});\n`);
  const r = spawnSync(process.execPath, [wrapper, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
  const rss = Number(/maxRSS (\d+)/.exec(r.stderr)?.[1]);
  console.log(`${args[0]} ${args[1].split('/').pop()}: peak RSS ${(rss / 1e6).toFixed(0)} MB`);
  return { status: r.status, stderr: r.stderr.replace(/maxRSS \d+\n/, ''), stdout: r.stdout, rss };
}

test('300,000 rows train and predict in bounded memory (the features take 24 MB as float32)', () => {
  const file = join(dir, 'large.csv'), small = join(dir, 'small.csv');
  writeLarge(file, ROWS);
  writeLarge(small, 200);
  const base = measured(['train', small, '--label', 'label', '--epochs', '1', '--hidden', '16', '--out', join(dir, 'small-model')]);
  expect(base.status).toBe(0);

  const t = measured(['train', file, '--label', 'label', '--epochs', '1', '--hidden', '16', '--out', join(dir, 'model')]);
  expect(t.stderr).toBe('');
  expect(t.status).toBe(0);
  expect(JSON.parse(readFileSync(join(dir, 'model', 'metrics.json'), 'utf8')).val_accuracy).toBeGreaterThan(0.95);
  const numeric = ROWS * WIDTH * 4;
  // about 126 MB here against a 68 MB baseline (2.5× the float32 features); it used to take 638 MB
  expect(t.rss - base.rss).toBeLessThan(4 * numeric);

  const p = measured(['predict', join(dir, 'model'), file, '--out', join(dir, 'p.csv')]);
  expect(p.status).toBe(0);
  expect(p.rss - base.rss).toBeLessThan(4 * numeric);
  const lines = readFileSync(join(dir, 'p.csv'), 'utf8').trimEnd().split('\n');
  expect(lines).toHaveLength(ROWS + 1);
  expect(lines[0]).toBe('prediction,p_0,p_1');
}, 300_000);
