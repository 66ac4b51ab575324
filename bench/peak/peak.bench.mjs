/**
 * The f32x4 multiply+add ceiling of this machine, measured rather than quoted: compiles peak.ts with
 * asc at bench time (plain SIMD, and relaxed-SIMD FMA when the engine validates it), then times each
 * chain count in one benny suite. report.mjs takes the fastest chain count per build as the peak and
 * states GEMM 512³ as a percentage of it. Then peak-threads.mjs runs the fastest chain count of the FMA
 * build on all cores at once, beside one thread in the same rounds: the measured multi-thread ceiling.
 */
import asc from 'assemblyscript/asc';
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, finish, resultsDir, suite } from '../lib.mjs';
import { PEAK } from '../shapes.mjs';
import { allCores } from './peak-threads.mjs';

const dir = path.join(BENCH_DIR, 'peak');
const BUILDS = [
  { name: 'simd', out: 'peak.wasm', enable: 'simd' },
  { name: 'relaxed', out: 'peak.relaxed.wasm', enable: 'simd,relaxed-simd' },
];

async function compile(b) {
  const out = path.join(dir, b.out);
  const { error, stderr } = await asc.main([
    path.join(dir, 'peak.ts'), '--config', path.join(dir, 'asconfig.json'), '--enable', b.enable, '-O3', '-o', out,
  ]);
  if (error) throw new Error(`asc ${b.out}: ${error.message}\n${stderr.toString()}`);
  return fs.readFileSync(out);
}

const cases = [];
let threaded; // the build the all-cores run uses: the last one that validates (relaxed FMA, else plain SIMD)
for (const b of BUILDS) {
  const bytes = await compile(b);
  if (!WebAssembly.validate(bytes)) {
    console.log(`peak: this engine cannot run the ${b.name} build (relaxed SIMD needs --experimental-wasm-relaxed-simd on Node 20)`);
    continue;
  }
  const { module, instance } = await WebAssembly.instantiate(bytes, { env: { abort() { throw new Error('abort'); } } });
  threaded = { module, build: b.name };
  for (const n of PEAK.chains) {
    const f = instance.exports[`chains${n}`], iters = PEAK.iters(n);
    cases.push({
      runner: `${b.name} x${n}`,
      setup: () => {
        const r = f(iters, 0.9999, 1e-4); // every chain tends to c/(1 − m) = 1, so the sum is about n
        if (!(Math.abs(r - n) < 0.5 * n)) throw new Error(`peak ${b.name} x${n}: unexpected result ${r}`);
        return () => f(iters, 0.9999, 1e-4);
      },
    });
  }
}
await suite('peak', PEAK.suite, PEAK.file, cases);

/** The fastest chain count of `build` in the suite's saved results (12 when there are none, e.g. filtered out). */
function fastestChains(build) {
  const file = path.join(resultsDir('peak'), `${PEAK.file}.json`);
  const results = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).results.filter((r) => r.name.startsWith(`${build} x`)) : [];
  if (!results.length) return 12;
  return Number(results.reduce((a, r) => (r.details.min < a.details.min ? r : a)).name.split(' x')[1]);
}
if (threaded) {
  try {
    await allCores({ ...threaded, chains: fastestChains(threaded.build) });
  } catch (e) {
    console.error('FAILED peak on all cores:', e);
    process.exitCode = 1;
  }
}
finish();
