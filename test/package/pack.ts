// What `npm pack` puts in the library's tarball, read without running the build again (--ignore-scripts:
// the tests run on the dist/ that npm ci built), and a small reader for the tarball itself.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const ROOT = join(__dirname, '..', '..');

export interface PackedFile { path: string; size: number }
export interface Pack { filename: string; size: number; unpackedSize: number; files: PackedFile[] }

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] });

/** `npm pack --dry-run --json` of the repository root. */
export function dryRun(): Pack {
  return (JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT)) as Pack[])[0];
}

/** Packs the library into `dir` and returns the tarball's path. */
export function packInto(dir: string): string {
  const [pack] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT)) as Pack[];
  return join(dir, pack.filename);
}

/** Unpacks an npm tarball (gzip + ustar, every entry under `package/`) into `dir`, as npm install would. */
export function unpack(tarball: Buffer, dir: string): string[] {
  const tar = gunzipSync(tarball);
  const names: string[] = [];
  const text = (at: number, length: number) => tar.subarray(at, at + length).toString('utf8').replace(/\0.*$/s, '');
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
    const name = text(at + 345, 155) ? `${text(at + 345, 155)}/${text(at, 100)}` : text(at, 100);
    const size = parseInt(text(at + 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(tar[at + 156]);
    const body = at + 512;
    if (type === '0' || type === '\0') {
      const path = name.replace(/^package\//, '');
      if (path.split('/').includes('..')) throw new Error(`unpack: unsafe path ${name}`);
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), tar.subarray(body, body + size));
      names.push(path);
    }
    at = body + Math.ceil(size / 512) * 512;
  }
  return names;
}
