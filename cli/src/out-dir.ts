import { accessSync, constants, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fail } from './errors.js';

/** The files `bnwasm train` writes; a directory holding only these (or nothing) may be replaced. */
export const MODEL_FILES = ['model.json', 'weights.bin', 'preprocessing.json', 'metrics.json'];

/** The parent of `path` must be an existing, writable directory. */
function checkParent(path: string, flag: string): void {
  const parent = dirname(resolve(path));
  if (!existsSync(parent)) fail(`${flag} ${path}: the directory ${parent} does not exist; create it first`);
  if (!statSync(parent).isDirectory()) fail(`${flag} ${path}: ${parent} is not a directory`);
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    fail(`${flag} ${path}: cannot write in ${parent} (permission denied)`);
  }
}

/**
 * Before any work: `out` must be a place a directory of results can go: absent (then its parent must
 * exist and be writable) or an existing directory. With `only`, an existing directory must hold nothing
 * but those files (a model directory is replaced, never a folder that happens to be there).
 */
export function checkOutDir(out: string, flag: string, only?: string[]): void {
  if (out.trim() === '') fail(`${flag}: expected a directory name, got an empty string`);
  if (!existsSync(out)) return checkParent(out, flag);
  if (!statSync(out).isDirectory()) fail(`${flag} ${out} is a file; give a directory name (it is created if missing)`);
  try {
    accessSync(out, constants.W_OK);
  } catch {
    fail(`${flag} ${out}: cannot write there (permission denied)`);
  }
  if (only) {
    const others = readdirSync(out).filter((f) => !only.includes(f));
    if (others.length) {
      fail(`${flag} ${out} is a directory that is not a bnwasm model (it holds ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''}); choose a new or empty directory`);
    }
  }
  checkParent(out, flag);
}

/** Before any work: `out` must be a file we can create or replace (not a directory, in an existing directory). */
export function checkOutFile(out: string, flag: string): void {
  if (existsSync(out) && statSync(out).isDirectory()) fail(`${flag} ${out} is a directory; give a file name`);
  checkParent(out, flag);
}

/**
 * Writes a directory as a unit: `write` fills a fresh temporary directory beside `out`, which then
 * takes `out`'s place by rename (the old one is moved aside first and removed last). If `write` fails,
 * `out` is untouched and the temporary directory is removed.
 */
export async function replaceDir(out: string, write: (dir: string) => Promise<void>): Promise<void> {
  const target = resolve(out);
  const tag = `.${basename(target)}.${process.pid}.${Date.now().toString(36)}`;
  const temp = join(dirname(target), `${tag}.new`), old = join(dirname(target), `${tag}.old`);
  mkdirSync(temp);
  try {
    await write(temp);
  } catch (e) {
    rmSync(temp, { recursive: true, force: true });
    throw e;
  }
  const had = existsSync(target);
  if (had) renameSync(target, old);
  try {
    renameSync(temp, target);
  } catch (e) {
    if (had) renameSync(old, target);
    rmSync(temp, { recursive: true, force: true });
    throw e;
  }
  if (had) rmSync(old, { recursive: true, force: true });
}
