import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CliError } from '../src/errors.js';
import { replaceDir } from '../src/out-dir.js';
import { train, TRAIN_DEFAULTS, type TrainOptions } from '../src/train.js';
import { quiet, syntheticRows, tempDir, writeCsv } from './helpers.js';

const dir = tempDir('out');
const good = writeCsv(dir, 'good.csv', ['a,b,label', ...syntheticRows(80, (a) => (a > 5 ? 1 : 0))].join('\n'));
const options = (out: string, over: Partial<TrainOptions> = {}): TrainOptions => ({ ...TRAIN_DEFAULTS, hidden: [8], epochs: 2, batchSize: 8, label: 'label', out, ...over });

/** Runs train and returns its CliError and whether any epoch started. */
async function refused(out: string) {
  const log = quiet();
  const e = await train(good, options(out), log).then(() => null, (err: Error) => err);
  return { e, trained: log.lines.some((l) => /^Epoch|^Training on/.test(l)) };
}

describe('train checks --out before reading or training', () => {
  test('an existing file there', async () => {
    const file = writeCsv(dir, 'taken.txt', 'precious');
    const { e, trained } = await refused(file);
    expect(e).toBeInstanceOf(CliError);
    expect(e!.message).toMatch(/--out .*taken\.txt is a file; give a directory name/);
    expect(trained).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('precious');
  });

  test('a directory that is not a bnwasm model', async () => {
    const other = join(dir, 'photos');
    mkdirSync(other);
    writeFileSync(join(other, 'cat.jpg'), 'meow');
    const { e, trained } = await refused(other);
    expect(e!.message).toMatch(/--out .*photos is a directory that is not a bnwasm model \(it holds cat\.jpg\); choose a new or empty directory/);
    expect(trained).toBe(false);
  });

  test('a missing parent directory', async () => {
    const { e, trained } = await refused(join(dir, 'no', 'such', 'model'));
    expect(e!.message).toMatch(/--out .*model: the directory .*such does not exist; create it first/);
    expect(trained).toBe(false);
  });

  test('an existing model directory is replaced; a new one is created', async () => {
    const out = join(dir, 'model');
    await train(good, options(out), quiet());
    const first = readFileSync(join(out, 'weights.bin'));
    await train(good, options(out, { seed: 9 }), quiet());
    expect(readFileSync(join(out, 'weights.bin'))).not.toEqual(first);
    expect(readdirSync(out).sort()).toEqual(['metrics.json', 'model.json', 'preprocessing.json', 'weights.bin']);
    expect(readdirSync(dir).filter((f) => f.startsWith('.model.'))).toEqual([]);
  });
});

describe('replaceDir writes a directory as a unit', () => {
  test('a failure while writing leaves the old directory as it was, and no temporary directory', async () => {
    const out = join(dir, 'unit');
    mkdirSync(out);
    writeFileSync(join(out, 'model.json'), 'old model');
    writeFileSync(join(out, 'preprocessing.json'), 'old classes');
    const failing = replaceDir(out, async (d) => {
      writeFileSync(join(d, 'model.json'), 'new model');
      throw new Error('disk full while writing preprocessing.json');
    });
    await expect(failing).rejects.toThrow(/disk full/);
    expect(readFileSync(join(out, 'model.json'), 'utf8')).toBe('old model');
    expect(readFileSync(join(out, 'preprocessing.json'), 'utf8')).toBe('old classes');
    expect(readdirSync(dir).filter((f) => f.startsWith('.unit.'))).toEqual([]);
  });

  test('a success swaps in the new files and removes the old ones', async () => {
    const out = join(dir, 'swap');
    mkdirSync(out);
    writeFileSync(join(out, 'metrics.json'), 'stale');
    await replaceDir(out, async (d) => writeFileSync(join(d, 'model.json'), 'new'));
    expect(readdirSync(out)).toEqual(['model.json']);
    expect(existsSync(join(out, 'metrics.json'))).toBe(false);
  });
});
