/**
 * `npm run bench`: the f32x4 peak, the kernel suites and the model suites, each in its own Node process
 * (with --experimental-wasm-relaxed-simd, so Node 20 also runs the relaxed FMA builds), then
 * bench/results/RESULTS.md and a compact table. Runs on the built package: `npm run build` first.
 *
 *   node bench/run.mjs              full run, a few minutes; results in bench/results/
 *   node bench/run.mjs --quick      each case once (CI smoke; asserts nothing about speed), bench/results/quick/
 *   node bench/run.mjs --filter RE  only suites whose name matches RE (the report keeps older results)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, QUICK } from './lib.mjs';
import { report } from './report.mjs';

const ROOT = path.dirname(BENCH_DIR);
const FLAGS = ['--experimental-wasm-relaxed-simd'];
const passThrough = process.argv.slice(2);

if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const newest = (dir) => {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) t = Math.max(t, fs.statSync(path.join(e.parentPath ?? e.path, e.name)).mtimeMs);
  }
  return t;
};
if (Math.max(newest(path.join(ROOT, 'src')), newest(path.join(ROOT, 'assembly'))) > fs.statSync(path.join(ROOT, 'dist', 'index.js')).mtimeMs) {
  console.warn('bench: src/ or assembly/ is newer than dist/; these numbers are for the last build (`npm run build` to refresh)');
}

const results = path.join(BENCH_DIR, 'results', ...(QUICK ? ['quick'] : []));
// a full run starts clean, so the report can never mix in a suite left over from an earlier run
if (!passThrough.includes('--filter')) for (const g of ['peak', 'kernels', 'model', 'cnn']) fs.rmSync(path.join(results, g), { recursive: true, force: true });
fs.mkdirSync(results, { recursive: true });
const cpus = os.cpus();
fs.writeFileSync(path.join(results, 'machine.json'), JSON.stringify({
  cpu: cpus[0]?.model.trim(), cores: cpus.length, node: process.version, flags: FLAGS.join(' '),
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', loadavg: os.loadavg(),
}, null, 2));

let failed = 0;
for (const script of ['peak/peak.bench.mjs', 'kernels.bench.mjs', 'model.bench.mjs', 'cnn.bench.mjs']) {
  console.log(`\n== ${script}`);
  const r = spawnSync(process.execPath, [...FLAGS, path.join(BENCH_DIR, script), ...passThrough], { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0) { failed++; console.error(`bench: ${script} exited with ${r.status ?? r.signal}`); }
}

const { terminal, file } = report({ quick: QUICK });
console.log(`\n${terminal}\n\nWrote ${path.relative(ROOT, file)}${failed ? `\n${failed} bench script(s) reported failures (see above)` : ''}`);
process.exitCode = failed ? 1 : 0;
