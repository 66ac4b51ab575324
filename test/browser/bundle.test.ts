// The built browser bundle (dist/bnwasm.browser.js, package.json's `browser` export) in real headless
// Chromium, imported by URL from a plain static page: no bundler, no import map, no configuration.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, nodeRun, ROOT, serveStatic, watchConsole, type Chromium, type StaticServer } from './harness.js';

let server: StaticServer;
let chromium: Chromium;

beforeAll(async () => {
  // `npm run build` builds it too; rebuilding here tests the current sources (atomic write, ~1 s)
  await nodeRun('scripts/build-browser.mjs');
  server = await serveStatic(ROOT);
  chromium = await launchChromium();
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

interface PageResult {
  ok: boolean;
  error?: string;
  backend?: string;
  wasmBuild?: string;
  checks?: { name: string; relDiff: number; ok: boolean }[];
  fit?: { loss: number[]; val_accuracy: number[]; batches: number; seconds: number };
  predictShape?: number[];
}

async function runPage(path: string): Promise<{ result: PageResult; console: string[] }> {
  const page = await chromium.browser.newPage();
  const console = watchConsole(page);
  try {
    await page.goto(`${server.url}${path}`);
    await page.waitForFunction(() => 'ok' in ((window as unknown as { __result?: object }).__result ?? {}), null, { timeout: 45_000 });
    const result = await page.evaluate(() => (window as unknown as { __result: PageResult }).__result);
    return { result, console };
  } finally {
    await page.close();
  }
}

test('package.json sends browsers and bundlers to the self-contained bundle', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const conditions = Object.keys(pkg.exports['.']);
  expect(pkg.exports['.'].browser).toBe('./dist/bnwasm.browser.js');
  expect(conditions.indexOf('browser')).toBeLessThan(conditions.indexOf('default'));
  const code = readFileSync(join(ROOT, 'dist/bnwasm.browser.js'), 'utf8');
  // no static imports at all, and no literal dynamic import of a package or node: builtin
  expect(code).not.toMatch(/^\s*import\s[^(]/m);
  expect(code).not.toMatch(/import\(\s*['"](?![./])/);
  expect(code).not.toMatch(/\brequire\(/);
});

test('a plain static page imports the bundle by URL: ready(), wasm/js parity of the ops, a short fit', async () => {
  const { result, console } = await runPage('/test/browser/fixtures/bundle.html');
  const failed = (result.checks ?? []).filter((c) => !c.ok).map((c) => `${c.name}: ${c.relDiff}`);
  expect(failed).toEqual([]);
  expect(result.error, console.join('\n')).toBeUndefined();
  expect(result.backend).toBe('wasm');
  expect(['simd', 'relaxed']).toContain(result.wasmBuild);
  expect(result.checks!.length).toBeGreaterThanOrEqual(40);
  expect(result.fit!.batches).toBe(3 * Math.ceil(1438 / 32));
  expect(result.fit!.val_accuracy.at(-1)).toBeGreaterThan(0.85);
  expect(result.predictShape).toEqual([5, 10]);
  expect(result.ok).toBe(true);
  expect(console.filter((l) => !l.startsWith('warning'))).toEqual([]);
}, 60_000);

test('without WebAssembly SIMD the bundle falls back to the JS backend and says so', async () => {
  const { result, console } = await runPage('/test/browser/fixtures/fallback.html');
  expect(result).toMatchObject({ ok: true, backend: 'js', wasmBuild: 'none' });
  expect(console.some((l) => l.startsWith('warning') && /SIMD/.test(l) && /JS backend/.test(l))).toBe(true);
}, 30_000);
