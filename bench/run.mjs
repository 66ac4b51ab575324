/**
 * `npm run bench`: the f32x4 peak, the kernel suites and the model suites, each in its own Node process
 * (with --experimental-wasm-relaxed-simd, so Node 20 also runs the relaxed FMA builds), then
 * bench/results/RESULTS.md and a compact table. Runs on the built package: `npm run build` first.
 *
 *   node bench/run.mjs              full run, a few minutes; results in bench/results/
 *   node bench/run.mjs --quick      each case once (CI smoke; asserts nothing about speed), bench/results/quick/
 *   node bench/run.mjs --filter RE  only suites whose name matches RE (the report keeps older results)
 *   node bench/run.mjs --no-busy    skip the busy-machine pass
 *
 * The busy-machine pass: after the quiet suites, run.mjs starts a process that keeps one core busy (a
 * spinning loop), runs the public-API suite again with --busy (results under bench/results/busy/), and
 * stops it, so the report can show what a user gets on a machine doing other work.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, QUICK } from './lib.mjs';
import { report } from './report.mjs';

const ROOT = path.dirname(BENCH_DIR);
const FLAGS = ['--experimental-wasm-relaxed-simd'];
const BUSY_PASS = !process.argv.includes('--no-busy');
const passThrough = process.argv.slice(2).filter((a) => a !== '--no-busy');

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
if (!passThrough.includes('--filter')) for (const g of ['peak', 'kernels', 'model', 'api', 'busy', 'cnn']) fs.rmSync(path.join(results, g), { recursive: true, force: true });
fs.mkdirSync(results, { recursive: true });
const cpus = os.cpus();
fs.writeFileSync(path.join(results, 'machine.json'), JSON.stringify({
  cpu: cpus[0]?.model.trim(), cores: cpus.length, node: process.version, flags: FLAGS.join(' '),
  date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', loadavg: os.loadavg(),
}, null, 2));

let failed = 0;
const runScript = (script, extra = []) => {
  console.log(`\n== ${script} ${extra.join(' ')}`);
  const r = spawnSync(process.execPath, [...FLAGS, path.join(BENCH_DIR, script), ...passThrough, ...extra], { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0) { failed++; console.error(`bench: ${script} exited with ${r.status ?? r.signal}`); }
};
for (const script of ['peak/peak.bench.mjs', 'kernels.bench.mjs', 'model.bench.mjs', 'api.bench.mjs', 'cnn.bench.mjs']) runScript(script);

if (BUSY_PASS) {
  // one core kept busy by another process for the whole pass, stopped however the pass ends
  const spinner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const stop = () => spinner.kill('SIGKILL');
  process.once('exit', stop);
  try {
    fs.writeFileSync(path.join(results, 'busy-machine.json'), JSON.stringify({ loadavgBefore: os.loadavg() }, null, 2));
    runScript('api.bench.mjs', ['--busy']);
  } finally {
    stop();
  }
}

const { terminal, file } = report({ quick: QUICK });
console.log(`\n${terminal}\n\nWrote ${path.relative(ROOT, file)}${failed ? `\n${failed} bench script(s) reported failures (see above)` : ''}`);
process.exitCode = failed ? 1 : 0;
