/**
 * Shared bench plumbing: one `suite()` that runs a list of cases either through benny (full run) or
 * once each (--quick, CI smoke), seeded data, a closeness check, and the TF.js backend switch.
 *
 * A case is { runner, setup, before?, prepare?, async? }: setup() does the untimed work (allocate, fill,
 * verify once) and returns the timed function (with async, both return promises); before() selects the
 * runner's backend. The setups run here, before benny sees the suite (benny would call each setup
 * several times and all of them before timing any), and before() is attached as benchmark.js's
 * `onStart` listener, which fires just before that case (and each of its samples) is timed.
 *
 * prepare() is for state that takes a promise to change, such as bnwasm's thread count. benchmark.js
 * runs synchronous cases without ever yielding to the event loop, so nothing awaited in `onStart`
 * could take effect; instead a suite is timed as consecutive benny runs, split wherever a case's
 * prepare differs from the one before it (by identity; cases without one join the current run), and
 * each run's prepare is awaited before it starts. The runs' results are saved as one file.
 */
import benny from 'benny';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const QUICK = process.argv.includes('--quick');
/** Full runs write bench/results/<group>/, quick runs bench/results/quick/<group>/. */
export const resultsDir = (group) => path.join(BENCH_DIR, 'results', ...(QUICK ? ['quick'] : []), group);

/** Timing per case: enough samples for a median, about a second each. */
const CASE_OPTIONS = { minSamples: 5, maxTime: 1 };
const FILTER = (() => {
  const i = process.argv.indexOf('--filter');
  return i >= 0 ? new RegExp(process.argv[i + 1]) : null;
})();
/** Whether `--filter` (if given) selects the suite or measurement called `name`. */
export const selected = (name) => !FILTER || FILTER.test(name);

const failures = [];

/**
 * benny probes the case function once, untimed, to learn whether it returns a promise; for an async
 * step that probe would start a second fit on the same model while the timed one runs, so the probe
 * gets a resolved promise instead (setups already ran the step once, as warm-up and check).
 */
const skipProbe = (fn) => {
  let probed = false;
  return () => {
    if (!probed) { probed = true; return Promise.resolve(); }
    return fn();
  };
};

const fmtTime = (s) => (s >= 1 ? `${s.toFixed(2)} s` : s >= 1e-3 ? `${(s * 1e3).toFixed(2)} ms` : `${(s * 1e6).toFixed(1)} µs`);

/**
 * Runs one suite. `cases`: [{ runner, setup, before?, prepare?, async? }]. Every setup runs first, one at
 * a time, after its case's prepare() and before() (an async one must not interleave with the next case's
 * before(), which switches the backend it builds on); a case whose setup or check throws is left out and
 * recorded in <file>.failed.json next to the benny JSON (saved with details, so the median is there), and
 * the process exits non-zero at the end.
 */
/** A runner whose set-up threw: kept for the report (failed) and for the exit code (failures). */
function caseFailed(failed, name, runner, e) {
  failed[runner] = String(e?.message ?? e);
  failures.push(`${name} / ${runner}: ${e?.stack ?? e}`);
  console.error(`FAILED "${name}" / ${runner}: ${e?.message ?? e}`);
}

export async function suite(group, name, file, cases) {
  if (!selected(name)) return;
  const folder = resultsDir(group);
  fs.mkdirSync(folder, { recursive: true });
  const failedFile = path.join(folder, `${file}.failed.json`);
  fs.rmSync(failedFile, { force: true });
  fs.rmSync(path.join(folder, `${file}.json`), { force: true }); // a stale result must not reach the report
  const ready = [], failed = {};
  for (const c of cases) {
    try {
      await c.prepare?.();
      c.before?.();
      const fn = await c.setup();
      ready.push({ ...c, raw: fn, fn: c.async ? skipProbe(fn) : fn });
    } catch (e) {
      caseFailed(failed, name, c.runner, e);
    }
  }
  if (Object.keys(failed).length) fs.writeFileSync(failedFile, JSON.stringify(failed, null, 2));
  if (!ready.length) return;
  try {
    if (QUICK) await runOnce(name, file, folder, ready);
    else {
      const results = [];
      for (const run of runsOf(ready)) {
        await run.prepare?.();
        const summary = await benny.suite(name,
          ...run.cases.map((c) => benny.add(c.runner, () => c.fn, { ...CASE_OPTIONS, ...(c.before ? { onStart: c.before } : {}) })),
          benny.cycle((r) => `  ${r.name.padEnd(28)} median ${fmtTime(r.details.median).padStart(10)}  (${r.samples} samples, ±${r.margin}%)`),
          benny.complete(),
        );
        results.push(...summary.results);
      }
      save(name, file, folder, results);
    }
  } catch (e) {
    failures.push(`${name}: ${e?.stack ?? e}`);
    console.error(`FAILED suite "${name}":`, e);
  }
}

/** Consecutive cases sharing a prepare (or without one), each group timed as one benny run. */
function runsOf(cases) {
  const runs = [];
  for (const c of cases) {
    const last = runs.at(-1);
    if (last && (!c.prepare || !last.prepare || c.prepare === last.prepare)) {
      last.prepare ??= c.prepare;
      last.cases.push(c);
    } else runs.push({ prepare: c.prepare, cases: [c] });
  }
  return runs;
}

/** benny's saved JSON (summary with details), for results gathered over one or more benny runs. */
function save(name, file, folder, results) {
  const ops = results.map((r) => r.ops), top = Math.max(...ops), low = Math.min(...ops);
  const merged = results.map((r) => ({ ...r, percentSlower: r.ops === top ? 0 : Number(((1 - r.ops / top) * 100).toFixed(2)) }));
  const at = (x) => ({ name: results[ops.indexOf(x)].name, index: ops.indexOf(x) });
  const out = path.join(folder, `${file}.json`);
  fs.writeFileSync(out, JSON.stringify({ name, date: new Date(), version: null, results: merged, fastest: at(top), slowest: at(low) }, null, 2));
  console.log(`Saved to: ${out}`);
}

/** --quick: each case once, timed, in benny's summary format so report.mjs reads it the same way. */
async function runOnce(name, file, folder, cases) {
  console.log(`Running "${name}" once (quick)...`);
  const results = [];
  for (const c of cases) {
    await c.prepare?.();
    c.before?.();
    const t0 = performance.now();
    await c.raw();
    const t = (performance.now() - t0) / 1e3;
    console.log(`  ${c.runner.padEnd(28)} ${fmtTime(t).padStart(10)}`);
    results.push({ name: c.runner, ops: 1 / t, margin: 0, percentSlower: 0, samples: 1, promise: !!c.async,
      details: { min: t, max: t, mean: t, median: t, sampleResults: [t] }, completed: true });
  }
  fs.writeFileSync(path.join(folder, `${file}.json`), JSON.stringify({ name, date: new Date(), version: null, results }, null, 2));
}

/** Facts about the engine a bench ran on (kernel sets, builds, TF.js), for the report's machine line. */
export function writeEnv(group, env) {
  fs.mkdirSync(resultsDir(group), { recursive: true });
  fs.writeFileSync(path.join(resultsDir(group), 'env.json'), JSON.stringify(env, null, 2));
}

export function finish() {
  if (failures.length) {
    console.error(`\n${failures.length} suite(s) failed:\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}

/** mulberry32: a small seeded generator, so every run benchmarks the same data. */
/**
 * The starting weights every library's model of a suite gets: a seeded bnwasm model's, layer by layer (Keras
 * order; TF.js's model.setWeights would take trainable weights first). `stack(layers)` builds the layer list
 * from a factory namespace (bw.layers or tf.layers); the returned function sets a model's weights, making its
 * tensors with `tensor`.
 */
export function sharedStart(bw, stack) {
  let initial;
  const weights = () => {
    if (!initial) {
      bw.setSeed(1);
      initial = bw.sequential({ layers: stack(bw.layers) }).layers.map((l) => l.getWeights().map((w) => ({ values: w.dataSync(), shape: w.shape })));
    }
    return initial;
  };
  return (model, tensor) => model.layers.forEach((l, i) => l.setWeights(weights()[i].map((w) => tensor(w.values, w.shape))));
}

export function seeded(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uniform(n, seed, lo = -1, hi = 1) {
  const r = seeded(seed), out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

/** One-hot rows with a seeded class per row. */
export function oneHot(rows, cols, seed) {
  const r = seeded(seed), out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) out[i * cols + Math.floor(r() * cols)] = 1;
  return out;
}

/** Throws with the first bad index unless |got − want| ≤ tol·(1 + |want|) everywhere. */
export function expectClose(what, got, want, tol) {
  if (got.length !== want.length) throw new Error(`${what}: length ${got.length}, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (!(Math.abs(g - w) <= tol * (1 + Math.abs(w)))) {
      throw new Error(`${what}: mismatch at index ${i}: got ${g}, expected ${w} (tol ${tol})`);
    }
  }
}

let tfPromise;
/**
 * TF.js with both the 'wasm' (XNNPACK, SIMD, one thread under Node) and 'cpu' backends initialised, so
 * tfUse() can switch between them synchronously: once a backend is registered, engine.setBackend
 * finishes before its first await.
 */
export function loadTf() {
  tfPromise ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // production mode, as a deployment would run: no debug checks, no "install tfjs-node" banner
    // (IS_TEST would also silence it, but adds a leak check to every kernel call)
    tf.enableProdMode();
    for (const b of ['cpu', 'wasm']) if (!(await tf.setBackend(b))) throw new Error(`TF.js backend '${b}' failed to start`);
    const info = { version: tf.version.tfjs, wasmThreads: wasm.getThreadsCount(), wasmSimd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') };
    const use = (name) => {
      void tf.setBackend(name);
      if (tf.getBackend() !== name) throw new Error(`tfUse: TF.js did not switch to '${name}' synchronously`);
    };
    return { tf, use, info };
  })();
  return tfPromise;
}

/** Busy-machine mode (`--busy`): results go to bench/results/[quick/]busy/<group>/; run.mjs keeps a core busy meanwhile. */
export const BUSY = process.argv.includes('--busy');
/** Where an alternating suite saves: busy runs beside the quiet ones, under busy/. */
export const altDir = (group) => (BUSY ? path.join(BENCH_DIR, 'results', ...(QUICK ? ['quick'] : []), 'busy', group) : resultsDir(group));

/**
 * An A/B suite for a shared, noisy machine: instead of timing each runner's samples back to back (benny),
 * it takes one sample of every runner per round, round after round, so a burst of load elsewhere falls on
 * all runners alike, and saves the medians in benny's JSON format (report.mjs reads both the same way).
 * A sample is `calls` calls timed together (sized from the setup's warm-up to about SAMPLE_MS), after one
 * untimed call (a restarted thread pool's first job may still run in the engine's baseline tier).
 * Cases: { runner, setup, prepare?, before?, async? } as for suite(). --quick: one round of one call.
 */
const ALT = { rounds: 9, sampleMs: 150 };
export async function alternating(group, name, file, cases) {
  if (!selected(name)) return;
  const folder = altDir(group);
  fs.mkdirSync(folder, { recursive: true });
  const failedFile = path.join(folder, `${file}.failed.json`);
  fs.rmSync(failedFile, { force: true });
  fs.rmSync(path.join(folder, `${file}.json`), { force: true });
  const ready = [], failed = {};
  for (const c of cases) {
    try {
      await c.prepare?.();
      c.before?.();
      const fn = await c.setup();
      // calls per sample: from the calls that fit in a third of a sample (one call is too noisy a guide)
      let calls = 0;
      const t0 = performance.now();
      do { await fn(); calls++; } while (!QUICK && performance.now() - t0 < ALT.sampleMs / 3);
      const once = (performance.now() - t0) / calls;
      ready.push({ ...c, fn, calls: QUICK ? 1 : Math.max(1, Math.round(ALT.sampleMs / Math.max(once, 1e-3))), samples: [] });
    } catch (e) {
      caseFailed(failed, name, c.runner, e);
    }
  }
  if (Object.keys(failed).length) fs.writeFileSync(failedFile, JSON.stringify(failed, null, 2));
  if (!ready.length) return;
  console.log(`Running "${name}" (${QUICK ? 'quick' : `${ALT.rounds} alternating rounds`}${BUSY ? ', one core kept busy' : ''})...`);
  try {
    for (let round = 0; round < (QUICK ? 1 : ALT.rounds); round++) {
      for (const c of ready) {
        await c.prepare?.();
        c.before?.();
        await c.fn();
        const t0 = performance.now();
        for (let i = 0; i < c.calls; i++) await c.fn();
        c.samples.push((performance.now() - t0) / 1e3 / c.calls);
      }
    }
  } catch (e) {
    failures.push(`${name}: ${e?.stack ?? e}`);
    console.error(`FAILED suite "${name}":`, e);
    return;
  }
  const results = ready.map((c) => {
    const sorted = [...c.samples].sort((a, b) => a - b), median = sorted[sorted.length >> 1];
    const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
    console.log(`  ${c.runner.padEnd(28)} median ${fmtTime(median).padStart(10)}  (${sorted.length} samples of ${c.calls} calls)`);
    return { name: c.runner, ops: 1 / median, margin: 0, samples: sorted.length, promise: !!c.async,
      details: { min: sorted[0], max: sorted.at(-1), mean, median, sampleResults: c.samples }, completed: true };
  });
  const top = Math.max(...results.map((r) => r.ops));
  for (const r of results) r.percentSlower = r.ops === top ? 0 : Number(((1 - r.ops / top) * 100).toFixed(2));
  fs.writeFileSync(path.join(folder, `${file}.json`), JSON.stringify({ name, date: new Date(), version: null, results }, null, 2));
}
