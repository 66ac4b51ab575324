/**
 * The f32x4 multiply+add ceiling of all cores at once, measured rather than taken as N × one core's: the
 * vCPUs of a VM may be hyperthreads of one physical core, and then their FMA loops share its vector pipes.
 *
 * Each round runs the same chain function (one compiled module, one instance per thread) twice for about
 * PEAK.threads.seconds: on the main thread alone, then on the main thread and N − 1 workers released
 * together through a SharedArrayBuffer barrier, each thread timing itself. Both runs of a round see the
 * same load elsewhere, so "N threads ÷ 1 thread" compares like with like; the best round is the ceiling
 * (load only lowers it), the median says how often it is reached.
 *
 * Aggregate GF/s of a round = all threads' flops / the slowest thread's time: what a job split N ways gets
 * (it ends when its last part does). Summing each thread's own rate instead would credit a thread that
 * finished early with the time the others then ran alone, faster.
 *
 * This file is also the workers' script (the `!isMainThread` branch).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { QUICK, resultsDir, selected } from '../lib.mjs';
import { PEAK } from '../shapes.mjs';

/** Shared control words: workers ready for the next round, the round released, workers done, a worker failed. */
const READY = 0, GO = 1, DONE = 2, FAILED = 3;
const WORDS = 4;

const instantiate = (module) => new WebAssembly.Instance(module, { env: { abort() { throw new Error('abort'); } } });

/** Seconds that `calls` calls of the chain function take. */
function timeCalls(f, iters, calls) {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) f(iters, 0.9999, 1e-4);
  return (performance.now() - t0) / 1e3;
}

const bump = (ctl, i) => { Atomics.add(ctl, i, 1); Atomics.notify(ctl, i); };
/** Blocks until ctl[i] ≥ target; the main thread gives up when a worker has failed instead of waiting forever. */
function waitFor(ctl, i, target) {
  for (let v; (v = Atomics.load(ctl, i)) < target;) {
    if (Atomics.load(ctl, FAILED)) throw new Error('peak threads: a worker failed');
    Atomics.wait(ctl, i, v, 1000);
  }
}

if (!isMainThread) {
  const { module, chains, iters, calls, warm, rounds, sab, index } = workerData;
  const ctl = new Int32Array(sab, 0, WORDS), seconds = new Float64Array(sab, WORDS * 4);
  try {
    const f = instantiate(module).exports[`chains${chains}`];
    timeCalls(f, iters, warm);
    for (let round = 1; round <= rounds; round++) {
      bump(ctl, READY);
      waitFor(ctl, GO, round);
      seconds[index] = timeCalls(f, iters, calls);
      bump(ctl, DONE);
    }
  } catch (e) {
    Atomics.store(ctl, FAILED, 1);
    throw e;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Measures one thread and all cores (os.cpus().length threads, at least 2, at most PEAK.threads.max) in
 * alternating rounds and saves bench/results/[quick/]peak/peak-threads.json. `module`: the peak build to
 * run, `build`: its name, `chains`: the chain count. --quick: one round of one call per thread (smoke only).
 */
export async function allCores({ module, build, chains }) {
  const cfg = PEAK.threads;
  if (!selected(cfg.name)) return;
  const out = path.join(resultsDir('peak'), `${cfg.file}.json`);
  fs.rmSync(out, { force: true }); // a stale result must not reach the report
  const threads = Math.min(cfg.max, Math.max(2, os.cpus().length));
  const rounds = QUICK ? 1 : cfg.rounds, iters = PEAK.iters(chains);
  const f = instantiate(module).exports[`chains${chains}`];
  // calls per run: from the calls that fit in a quarter of a run (after one untimed call)
  timeCalls(f, iters, 1);
  let probe = 0, probeTime = 0;
  do { probeTime += timeCalls(f, iters, 1); probe++; } while (!QUICK && probeTime < cfg.seconds / 4);
  const perCall = probeTime / probe;
  const calls = QUICK ? 1 : Math.max(1, Math.round(cfg.seconds / perCall));
  const warm = QUICK ? 1 : Math.max(1, Math.round(0.1 / perCall));
  const gf = (callsDone, s) => (callsDone * PEAK.flopsPerCall) / s / 1e9;

  console.log(`Running "${cfg.name}" (${build} x${chains}, ${threads} threads, ${QUICK ? 'quick' : `${rounds} rounds of ${calls} calls`})...`);
  const sab = new SharedArrayBuffer(WORDS * 4 + threads * 8);
  const ctl = new Int32Array(sab, 0, WORDS), seconds = new Float64Array(sab, WORDS * 4);
  const workers = [], exited = [], errors = [];
  for (let index = 1; index < threads; index++) {
    const w = new Worker(new URL(import.meta.url), { workerData: { module, chains, iters, calls, warm, rounds, sab, index } });
    w.on('error', (e) => errors.push(e));
    exited.push(new Promise((resolve) => w.once('exit', resolve)));
    workers.push(w);
  }
  const perRound = [], loadavg = os.loadavg(); // the load elsewhere when it started, for the report
  try {
    for (let round = 1; round <= rounds; round++) {
      waitFor(ctl, READY, (threads - 1) * round); // the workers idle (warmed up, blocked) while one thread runs alone
      const one = gf(calls, timeCalls(f, iters, calls));
      Atomics.store(ctl, GO, round);
      Atomics.notify(ctl, GO);
      seconds[0] = timeCalls(f, iters, calls);
      waitFor(ctl, DONE, (threads - 1) * round);
      const own = [...seconds];
      const all = gf(threads * calls, Math.max(...own));
      perRound.push({ one, all, threads: own.map((s) => gf(calls, s)) });
      console.log(`  round ${round}: 1 thread ${one.toFixed(1)} GF/s, ${threads} threads ${all.toFixed(1)} GF/s (each ${own.map((s) => gf(calls, s).toFixed(1)).join(', ')})`);
    }
  } catch (e) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw errors[0] ?? e;
  }
  await Promise.all(exited);
  if (errors.length) throw errors[0];

  const best = { one: Math.max(...perRound.map((r) => r.one)), all: Math.max(...perRound.map((r) => r.all)) };
  const mid = { one: median(perRound.map((r) => r.one)), all: median(perRound.map((r) => r.all)) };
  const result = {
    name: cfg.name, date: new Date(), loadavg, build, chains, threads, rounds, callsPerRun: calls, flopsPerCall: PEAK.flopsPerCall,
    aggregate: "all threads' flops / the slowest thread's own time, GF/s",
    perRound, best, median: mid, ratio: { best: best.all / best.one, median: mid.all / mid.one },
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
  console.log(`  best ${best.all.toFixed(1)} GF/s on ${threads} threads = ${result.ratio.best.toFixed(2)}× 1 thread (${best.one.toFixed(1)}); ` +
    `median ${mid.all.toFixed(1)} = ${result.ratio.median.toFixed(2)}× ${mid.one.toFixed(1)}\nSaved to: ${out}`);
}
