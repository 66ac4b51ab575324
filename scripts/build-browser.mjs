// Builds dist/bnwasm.browser.js: the whole library as one self-contained ES module for browsers.
// No bare imports (the WASM binaries are already inlined as base64 by scripts/embed-wasm.mjs), so a
// plain <script type="module"> can import it by URL, and package.json's `browser` export condition
// points bundlers (Vite, webpack, esbuild) at it.
//
// The Node-only modules (node:fs/promises, node:path) are imported lazily by computed
// names inside `process.versions.node` guards; esbuild cannot follow a computed import(), so they stay
// out of the bundle. The check below fails the build if any static or literal import slips in.
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = `${root}dist/bnwasm.browser.js`;

const result = await build({
  write: false, // written below, atomically: tests and builds may read the file while this runs
  entryPoints: [`${root}src/index.ts`],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome111', 'firefox111', 'safari16.4'],
  sourcemap: true,
  minify: false,
  legalComments: 'inline',
  metafile: true,
  logLevel: 'warning',
  banner: { js: '// bnwasm browser bundle: one ES module, WASM inlined. Built by scripts/build-browser.mjs.' },
});

const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
const code = js.text;
// a static `import ... from 'x'`, `export ... from 'x'` or a literal import('x') with a bare or node: name
const bare = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](?![./])([^'"]+)['"]|import\(\s*['"](?![./])([^'"]+)['"]\s*\)/gm;
const found = [...code.matchAll(bare)].map((m) => m[1] ?? m[2]);
if (found.length > 0) {
  console.error(`build-browser: ${outfile} has bare imports: ${[...new Set(found)].join(', ')}`);
  process.exit(1);
}
const inputs = Object.keys(result.metafile.inputs);
const nodeOnly = inputs.filter((f) => /node_modules\/(cli-progress|@types\/node)\//.test(f));
if (nodeOnly.length > 0) {
  console.error(`build-browser: Node-only modules were bundled: ${nodeOnly.join(', ')}`);
  process.exit(1);
}
mkdirSync(`${root}dist`, { recursive: true });
for (const f of result.outputFiles) {
  const tmp = `${f.path}.${process.pid}.tmp`;
  writeFileSync(tmp, f.contents);
  renameSync(tmp, f.path);
}
console.log(`build-browser: dist/bnwasm.browser.js (${(js.contents.length / 1024).toFixed(0)} KiB, ${inputs.length} inputs)`);
