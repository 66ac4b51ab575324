// The published package: what users need (the built library, its types, the browser bundle, the
// README, LICENSE, CHANGELOG) and nothing else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { dryRun, ROOT, type Pack } from './pack.js';

let pack: Pack;
let paths: string[];
beforeAll(() => {
  pack = dryRun();
  paths = pack.files.map((f) => f.path);
}, 60_000);

describe('npm pack of the library', () => {
  it('ships the built JS, its declarations, the browser bundle and the package documents, nothing else', () => {
    for (const path of paths) {
      expect(path, 'an unexpected file in the tarball').toMatch(/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|docs\/[^/]+\.md|dist\/.+\.(js|d\.ts))$/);
    }
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'dist/bnwasm.browser.js']) {
      expect(paths).toContain(needed);
    }
    // no source maps, sources, WASM files (the binaries are inlined), CLI, data or tests
    expect(paths.filter((p) => /\.map$|^src\/|^build\/|\.wasm$|^cli\/|^data\/|^test\//.test(p))).toEqual([]);
  });

  it('every relative import of a shipped module is shipped too, and no module points at a source map', () => {
    const shipped = new Set(paths);
    const missing: string[] = [];
    for (const path of paths.filter((p) => p.endsWith('.js') || p.endsWith('.d.ts'))) {
      const text = readFileSync(join(ROOT, path), 'utf8');
      expect(text, path).not.toMatch(/sourceMappingURL/);
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = join(path, '..', m[1]).replace(/\\/g, '/');
        const candidates = path.endsWith('.d.ts') ? [target, target.replace(/\.js$/, '.d.ts')] : [target];
        if (!candidates.some((c) => shipped.has(c))) missing.push(`${path} -> ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the declarations carry no inlined binary; the browser bundle is minified', () => {
    const size = (p: string) => pack.files.find((f) => f.path === p)!.size;
    expect(size('dist/backend/wasm/binary.d.ts')).toBeLessThan(200);
    for (const f of pack.files.filter((f) => f.path.endsWith('.d.ts'))) expect(f.size, f.path).toBeLessThan(40_000);
    const bundle = readFileSync(join(ROOT, 'dist/bnwasm.browser.js'), 'utf8');
    // minified: few, long lines (the base64 binaries aside, an unminified bundle has thousands of lines)
    expect(bundle.split('\n').length).toBeLessThan(100);
    // two WASM builds of ~130 KB each, inlined as base64, are most of it
    expect(size('dist/bnwasm.browser.js')).toBeLessThan(560 * 1024);
  });

  it('the README states the bundle\'s real size (within 10%)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const m = readme.match(/\((\d+) KiB minified, (\d+) KiB gzipped\)/);
    expect(m, 'README: "(N KiB minified, M KiB gzipped)"').not.toBeNull();
    const bundle = readFileSync(join(ROOT, 'dist/bnwasm.browser.js'));
    const kib = (n: number) => n / 1024;
    expect(Math.abs(kib(bundle.length) / Number(m![1]) - 1)).toBeLessThan(0.1);
    expect(Math.abs(kib(gzipSync(bundle, { level: 9 }).length) / Number(m![2]) - 1)).toBeLessThan(0.1);
  });

  it('package.json: ESM, side-effect free, Node >= 20, one runtime dependency, no bin', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.type).toBe('module');
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.engines).toEqual({ node: '>=20' });
    expect(pkg.license).toBe('MIT');
    expect(Object.keys(pkg.dependencies)).toEqual(['@assemblyscript/loader']);
    expect(pkg.bin).toBeUndefined();
    expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', browser: './dist/bnwasm.browser.js', default: './dist/index.js' });
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });
});
