import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as bw from 'bnwasm';
import { runCli, syntheticRows, tempDir, writeCsv } from './helpers.js';

const dir = tempDir('run');
const good = writeCsv(dir, 'good.csv', ['a,b,label', ...syntheticRows(80, (a) => (a > 5 ? 1 : 0))].join('\n'));
const file = writeCsv(dir, 'a-file.txt', 'not a directory');
mkdirSync(join(dir, 'a-dir'));
const train = ['train', good, '--label', 'label', '--epochs', '1', '--batch-size', '8'];

describe('ordinary mistakes are one line on stderr and exit code 1', () => {
  test.each([
    ['out of memory from --hidden 20000,20000', [...train, '--hidden', '20000,20000', '--out', join(dir, 'm1')], {}, /^bnwasm: not enough memory for this model: --hidden 20000,20000 has 400,120,002 weights, .* over the 2 GiB WASM memory; use smaller layers$/],
    ['train --out a file', [...train, '--out', file], {}, /^bnwasm: --out .*a-file\.txt is a file; give a directory name/],
    ['train --out in a missing directory', [...train, '--out', join(dir, 'nowhere', 'm')], {}, /^bnwasm: --out .*: the directory .*nowhere does not exist; create it first$/],
    ['experiment --out a file', ['experiment', '--quick', '--out', file], {}, /^bnwasm: --out .*a-file\.txt is a file; give a directory name/],
    ['predict --out a directory', ['predict', join(dir, 'm2'), good, '--out', join(dir, 'a-dir')], {}, /^bnwasm: --out .*a-dir is a directory; give a file name$/],
    ['predict --out in a missing directory', ['predict', join(dir, 'm2'), good, '--out', join(dir, 'nowhere', 'p.csv')], {}, /^bnwasm: --out .*p\.csv: the directory .*nowhere does not exist; create it first$/],
    ['BNWASM_BACKEND=gpu', [...train, '--out', join(dir, 'm3')], { BNWASM_BACKEND: 'gpu' }, /^bnwasm: BNWASM_BACKEND: expected 'wasm' or 'js', got "gpu"$/],
    ['a bad BNWASM_THREADS', [...train, '--out', join(dir, 'm4')], { BNWASM_THREADS: 'lots' }, /^bnwasm: BNWASM_THREADS: expected an integer from 1 to 16, got "lots"$/],
    ['a usage error', ['train', good], {}, /^bnwasm: required option '--label <column>' not specified \(see --help\)$/],
  ])('%s', async (_name, argv, env, message) => {
    if (String(argv[0]) === 'predict') expect((await runCli([...train, '--out', join(dir, 'm2')])).code).toBe(0);
    const r = await runCli(argv as string[], env as Record<string, string>);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(message as RegExp);
    expect(r.errors[0]).not.toMatch(/unexpected error/);
    bw.setBackend('wasm');
  }, 60_000);

  test('help exits 0 in-process', async () => {
    const r = await runCli(['train', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--label');
  });
});
