// Soak test: 100,000 small training steps, asserting that WASM memory stays flat after warm-up.
//
//   npm run soak                        # 100,000 trainOnBatch steps on the default ('wasm') backend
//   npm run soak -- --steps 20000 --backend js --every 5000
//   npm run soak -- --dist              # the built package (dist/) instead of the TypeScript sources
//
// By default the sources (src/index.ts) are bundled in memory with esbuild first, so the soak checks
// the code as it is now, with no build step. Every `--every` steps it also runs fit (with a validation
// split), predict and evaluate, then prints memoryStats() and the JS heap; the run fails (exit code 1)
// if memoryStats() differs from the figures taken after the warm-up, or if a loss is not finite.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : args[i + 1];
};
const steps = Number(option('steps', 100_000));
const every = Number(option('every', 10_000));
const warmup = Number(option('warmup', 1_000));
const backend = option('backend', 'wasm');
const useDist = args.includes('--dist');
const root = fileURLToPath(new URL('..', import.meta.url));

async function loadLibrary() {
  if (useDist) return import(pathToFileURL(join(root, 'dist/index.js')).href);
  const result = await build({
    entryPoints: [join(root, 'src/index.ts')], bundle: true, write: false, format: 'esm', platform: 'node',
    target: 'node20', packages: 'external', logLevel: 'warning',
  });
  const dir = mkdtempSync(join(tmpdir(), 'bnwasm-soak-'));
  const file = join(dir, 'bnwasm.mjs');
  // resolve the bundle's bare imports (@assemblyscript/loader) from the project, not from the temporary directory
  writeFileSync(file, result.outputFiles[0].text.replace(/from "([^".][^"]*)"/g, (m, spec) =>
    spec.startsWith('node:') ? m : `from ${JSON.stringify(import.meta.resolve(spec))}`));
  try { return await import(pathToFileURL(file).href); } finally { rmSync(dir, { recursive: true, force: true }); }
}

const bw = await loadLibrary();
await bw.ready();
bw.setBackend(backend);
bw.setSeed(2024);

// Dense(32, relu) → BN → Dropout → Dense(10, softmax) on 16 features, batch 32, Adam
const model = bw.sequential({ layers: [
  bw.layers.dense({ units: 32, activation: 'relu', inputShape: [16] }),
  bw.layers.batchNormalization(),
  bw.layers.dropout({ rate: 0.1 }),
  bw.layers.dense({ units: 10, activation: 'softmax' }),
] });
model.compile({ optimizer: bw.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

let seed = 7;
const rand = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32 * 2 - 1; };
const rows = 32;
const xs = new Float32Array(rows * 16).map(rand), ys = new Float32Array(rows * 10);
for (let i = 0; i < rows; i++) ys[i * 10 + (i % 10)] = 1;
const x = bw.tensor(xs, [rows, 16]), y = bw.tensor(ys, [rows, 10]);
const big = bw.tensor(new Float32Array(256 * 16).map(rand), [256, 16]);
const bigY = bw.tensor(new Float32Array(256 * 10).map((_, i) => (i % 10 === (i / 10 | 0) % 10 ? 1 : 0)), [256, 10]);

/** One round of the other entry points: fit (with validation), predict in chunks, evaluate. */
async function otherPaths() {
  await model.fit(big, bigY, { epochs: 1, batchSize: 32, validationSplit: 0.25 });
  model.predict(big, { batchSize: 64 });
  model.evaluate(big, bigY);
}

const mb = (b) => (b / 2 ** 20).toFixed(2);
const report = (label, s, ms) => console.log(
  `${label.padEnd(14)} wasmBytes ${String(s.wasmBytes).padStart(10)} (${mb(s.wasmBytes)} MiB)  allocatedBytes ${String(s.allocatedBytes).padStart(9)}` +
  `  JS heap ${mb(process.memoryUsage().heapUsed).padStart(7)} MiB  rss ${mb(process.memoryUsage().rss).padStart(7)} MiB${ms === undefined ? '' : `  ${ms.toFixed(0)} ms`}`);

console.log(`bnwasm soak: ${steps} trainOnBatch steps, backend ${bw.getBackend()} (WASM build ${bw.wasmBuild()}), ${useDist ? 'dist/' : 'sources'}; checks every ${every} steps`);
report('start', bw.memoryStats());
for (let i = 0; i < warmup; i++) model.trainOnBatch(x, y);
await otherPaths();
const warm = bw.memoryStats();
report('after warm-up', warm);

let failures = 0, last = NaN, t0 = performance.now();
for (let step = 1; step <= steps; step++) {
  last = model.trainOnBatch(x, y);
  if (!Number.isFinite(last)) { console.error(`step ${step}: loss ${last}`); failures++; break; }
  if (step % every === 0 || step === steps) {
    await otherPaths();
    const s = bw.memoryStats();
    report(`step ${step}`, s, performance.now() - t0);
    t0 = performance.now();
    if (s.wasmBytes !== warm.wasmBytes || s.allocatedBytes !== warm.allocatedBytes) {
      console.error(`  memory moved since the warm-up: wasmBytes ${warm.wasmBytes} -> ${s.wasmBytes}, allocatedBytes ${warm.allocatedBytes} -> ${s.allocatedBytes}`);
      failures++;
    }
  }
}
console.log(`last loss ${last.toFixed(5)}; ${failures ? `FAILED (${failures} check${failures > 1 ? 's' : ''})` : 'memoryStats() flat after warm-up: OK'}`);
process.exit(failures ? 1 : 0);
