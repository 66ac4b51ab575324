/**
 * The f32x4 multiply+add ceiling of this machine, measured rather than quoted: compiles peak.ts with
 * asc at bench time (plain SIMD, and relaxed-SIMD FMA when the engine validates it), then times each
 * chain count in one benny suite. report.mjs takes the fastest chain count per build as the peak and
 * states GEMM 512³ as a percentage of it.
 */
import asc from 'assemblyscript/asc';
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, finish, suite } from '../lib.mjs';
import { PEAK } from '../shapes.mjs';

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
for (const b of BUILDS) {
  const bytes = await compile(b);
  if (!WebAssembly.validate(bytes)) {
    console.log(`peak: this engine cannot run the ${b.name} build (relaxed SIMD needs --experimental-wasm-relaxed-simd on Node 20)`);
    continue;
  }
  const { instance } = await WebAssembly.instantiate(bytes, { env: { abort() { throw new Error('abort'); } } });
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
finish();
