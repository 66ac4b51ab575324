// Builds dist/bnwasm.browser.js: the whole library as one self-contained ES module for browsers.
// No bare imports (the WASM binaries are already inlined as base64 by scripts/embed-wasm.mjs), so a
// plain <script type="module"> can import it by URL, and package.json's `browser` export condition
// points bundlers (Vite, webpack, esbuild) at it.
//
// The Node-only modules (node:fs/promises, node:path) are imported lazily by computed
// names inside `process.versions.node` guards; esbuild cannot follow a computed import(), so they stay
// out of the bundle. The check below fails the build if any static or literal import slips in.
// Minified, without source maps: the maps would point at sources the package does not ship.
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
  sourcemap: false,
  minify: true,
  legalComments: 'inline',
  metafile: true,
  logLevel: 'warning',
  banner: { js: '// bnwasm browser bundle: one ES module, WASM inlined. Built by scripts/build-browser.mjs.' },
});

const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
// esbuild lists every import the output still makes (static, dynamic with a literal name, require):
// the bundle must make none, so a plain page can load it by URL
const output = Object.values(result.metafile.outputs)[0];
const found = output.imports.map((i) => i.path);
if (found.length > 0) {
  console.error(`build-browser: ${outfile} still imports: ${[...new Set(found)].join(', ')}`);
  process.exit(1);
}
const inputs = Object.keys(result.metafile.inputs);
const nodeOnly = inputs.filter((f) => /node_modules\/@types\/node\//.test(f));
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
