/**
 * Turns the benny JSON under bench/results/ into bench/results/RESULTS.md (machine line, medians,
 * GFLOP/s = 2mnk/t, samples/s, the ratios, and every target as met / not met) and a compact
 * terminal table. `node bench/report.mjs [--quick]` (quick reads and writes bench/results/quick/).
 *
 * Ratios are speed ratios from medians (other runner's time / bnwasm's time; rates for fit). "bnwasm-wasm"
 * in a ratio means the build the 'wasm' backend runs on this engine: the relaxed (FMA) build when the
 * engine validates it, else the plain SIMD build; the plain build's ratio follows in parentheses.
 *
 * Threads: kernel ratios and the GEMM targets use the 1-thread runners (the targets ask for single-threaded
 * GEMM, and TF.js's wasm backend runs one thread here); the "-threads" GEMM column is the best build on
 * the default thread count, with its speed-up over 1 thread. fit and predict targets use bnwasm-wasm on
 * the default thread count (what a user gets), with bnwasm-wasm-1thread's ratio beside them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR } from './lib.mjs';
import { BNORM, FIT, MLP, PEAK, PREDICT, SUITES } from './shapes.mjs';
import { apiSection } from './report-api.mjs';

/** Forward flops per row of the MLP (2·in·out per Dense). */
const MLP_FLOPS = MLP.units.slice(1).reduce((s, out, i) => s + 2 * MLP.units[i] * out, 0);

const RUNNER_LABEL = { 'bnwasm-wasm': 'bnwasm-wasm', 'bnwasm-wasm-relaxed': 'bnwasm-wasm-relaxed', 'bnwasm-js': 'bnwasm-js', 'tfjs-wasm': 'TF.js wasm', 'tfjs-cpu': 'TF.js cpu' };
/** The kernel and model targets (single-threaded GEMM, BN, fit, predict). */
const TARGET = { gemmVsTf: 1.5, gemmPeak: 0.8, bnVsTf: 100, bnTorchMs: 3.5, fitVsTf: 15, predictVsTf: 5, wasmVsJs: 5 };
/** Array passes of BN fwd+bwd over rows×cols floats, counted in assembly/bnorm: forward reads x three
 * times (Σ, Σ², normalise) and writes y; backward reads dy and x twice and writes dx. */
const BN_PASSES = 9;
/** On a quiet machine, a GEMM of at least 2 MFLOP on the default threads runs this much faster than on one. */
const THREADED_GEMM = { minFlops: 2e6, speedup: 1.8 };

const read = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null);

function load(root) {
  const out = new Map();
  for (const s of SUITES) {
    const dir = path.join(root, s.group);
    const json = read(path.join(dir, `${s.file}.json`));
    const failed = read(path.join(dir, `${s.file}.failed.json`)) ?? {};
    const median = {}, fastest = {};
    for (const r of json?.results ?? []) { median[r.name] = r.details.median; fastest[r.name] = r.details.min; }
    out.set(s.suite, { ...s, median, fastest, failed, samples: Object.fromEntries((json?.results ?? []).map((r) => [r.name, r.samples])) });
  }
  return out;
}

const fmtTime = (t) => (t == null ? '–' : t >= 1 ? `${t.toFixed(2)} s` : t >= 1e-3 ? `${(t * 1e3).toPrecision(3)} ms` : `${(t * 1e6).toPrecision(3)} µs`);
const fmtX = (x) => (x == null || !Number.isFinite(x) ? '–' : x >= 100 ? `${x.toFixed(0)}×` : x >= 10 ? `${x.toFixed(1)}×` : `${x.toFixed(2)}×`);
const fmtInt = (x) => Math.round(x).toLocaleString('en-US');
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const met = (ok) => (ok == null ? 'n/a' : ok ? 'met' : '**not met**');

export function report({ quick = false } = {}) {
  const root = path.join(BENCH_DIR, 'results', ...(quick ? ['quick'] : []));
  const R = load(root);
  const machine = read(path.join(root, 'machine.json')) ?? {};
  const kenv = read(path.join(root, 'kernels', 'env.json')) ?? {};
  const menv = read(path.join(root, 'model', 'env.json')) ?? {};
  const best = (kenv.kernelSets ?? []).includes('wasm-relaxed') ? 'bnwasm-wasm-relaxed' : 'bnwasm-wasm';
  // bnwasm's default kernel threads (what ready() started), its GEMM threading threshold, TF.js wasm's threads
  const nThreads = kenv.threads?.default ?? menv.threads?.default ?? 1;
  const minParallel = kenv.threads?.minParallelFlops;
  const tfThreads = kenv.tfjs?.wasmThreads ?? menv.tfjs?.wasmThreads;
  const threaded = `${best}-threads`;
  const LABEL = { ...RUNNER_LABEL, [threaded]: `${RUNNER_LABEL[best]}, ${plural(nThreads, 'thread')}`, 'bnwasm-wasm-1thread': 'bnwasm-wasm, 1 thread' };

  // peak: a ceiling, so the fastest sample of the fastest chain count per build (interference on a shared
  // machine only ever lowers it; every other figure is a median)
  const peakSuite = R.get(PEAK.suite);
  const peak = {};
  for (const [name, t] of Object.entries(peakSuite?.fastest ?? {})) {
    const build = name.split(' ')[0], gf = PEAK.flopsPerCall / t / 1e9;
    if (!(peak[build]?.gf >= gf)) peak[build] = { gf, chains: name.split(' ')[1] };
  }
  const top = Math.max(...Object.values(peak).map((p) => p.gf));
  // the same loop on all cores at once (bench/peak/peak-threads.mjs), beside one thread in the same rounds
  const allCores = read(path.join(root, 'peak', `${PEAK.threads.file}.json`));
  const coresBusy = (n) => (n === machine.cores ? (n === 2 ? 'both cores' : `all ${n} cores`) : `${n} cores`);
  /**
   * The f32x4 ceiling of `threads` threads, the one place the report takes it from: one thread's peak; for
   * more, the all-cores aggregate when bench/peak measured that many threads at once (a VM's vCPUs may
   * share one core's vector pipes, so it can be far below N × one thread), else threads × one thread's peak.
   */
  const ceilingOf = (threads) => {
    if (threads === 1) return { gf: top, where: `the single-core f32x4 peak (${top.toFixed(1)})` };
    if (allCores?.threads === threads) {
      return { gf: allCores.best.all, measured: true,
        where: `the ${threads}-thread f32x4 ceiling measured with ${coresBusy(threads)} busy (${allCores.best.all.toFixed(1)} GF/s = ${fmtX(allCores.ratio.best)} one thread)` };
    }
    return { gf: threads * top, where: `the ${threads}-thread f32x4 ceiling (${threads} × ${top.toFixed(1)} = ${(threads * top).toFixed(1)})` };
  };
  /**
   * Why a GEMM-bound target is out of reach, from this run's numbers: the rate it needs against the
   * f32x4 ceiling of the threads that ran (ceilingOf). `limit`: what holds it back when the rate is within
   * that ceiling; `extra`: further measured facts (the other thread count's).
   */
  const peakReason = (flops, neededSeconds, mySeconds, threads, limit, extra = []) => {
    if (!neededSeconds || !mySeconds || !Number.isFinite(top)) return '';
    const need = flops / neededSeconds / 1e9, now = flops / mySeconds / 1e9, { gf: ceiling, where, measured } = ceilingOf(threads);
    const head = `ran on ${plural(threads, 'thread')}: needs ${need.toFixed(1)} GF/s = ${((need / ceiling) * 100).toFixed(0)}% of ${where}; runs at ${now.toFixed(1)} GF/s (${((now / ceiling) * 100).toFixed(0)}%)`;
    const perThread = ceiling / threads; // what each thread delivers with the others busy
    const needed = Math.ceil(need / (0.95 * perThread)); // threads, each at 95% of that
    const each = measured ? `95% of the ${perThread.toFixed(1)} GF/s per thread measured with ${coresBusy(threads)} busy` : '95% of the peak';
    const tail = need <= 0.95 * ceiling ? `within reach of ${plural(threads, 'thread')}; ${limit}`
      : `more than ${plural(threads, 'thread')} can do: it takes at least ${plural(needed, 'thread')} at ${each} each (this machine has ${plural(machine.cores ?? '?', 'core')})`;
    return [`${head}: ${tail}`, ...extra].join('; ');
  };

  const lines = [];
  const targets = [];
  const cell = (s, runner) => {
    const t = s.median[runner];
    if (t == null) return s.failed[runner] ? 'check failed' : '–';
    if (s.kind !== 'gemm') return fmtTime(t);
    const speedup = runner === threaded && s.median[best] ? ` · ${fmtX(s.median[best] / t)}` : '';
    return `${fmtTime(t)} · ${(s.flops / t / 1e9).toFixed(1)} GF/s${speedup}`;
  };
  const ratio = (s, other, mine) => (s.median[other] && s.median[mine] ? s.median[other] / s.median[mine] : null);
  const ratioCell = (s, other) => {
    const a = ratio(s, other, best), b = best !== 'bnwasm-wasm' ? ratio(s, other, 'bnwasm-wasm') : null;
    return b == null ? fmtX(a) : `${fmtX(a)} (${fmtX(b)})`;
  };

  lines.push(`# bnwasm benchmark results${quick ? ' (quick smoke run: one call per case, not a measurement)' : ''}`, '');
  const machineLine = `Machine: ${machine.cpu ?? '?'}, ${machine.cores ?? '?'} cores, Node ${machine.node ?? '?'}, ${machine.date ?? '?'}, load average at start ${machine.loadavg ? machine.loadavg.map((x) => x.toFixed(1)).join(', ') : '?'}; ` +
    `bnwasm ${menv.wasmBuild ?? '?'} build, ${plural(nThreads, 'thread')} by default; TF.js ${kenv.tfjs?.version ?? '?'} wasm (XNNPACK, ${tfThreads == null ? '?' : plural(tfThreads, 'thread')}).`;
  lines.push(`Machine: ${machine.cpu ?? '?'}, ${machine.cores ?? '?'} cores, Node ${machine.node ?? '?'}${machine.flags ? ` (${machine.flags})` : ''}, ${machine.date ?? '?'}. ` +
    `bnwasm kernel sets: ${(kenv.kernelSets ?? []).join(', ') || '?'}; the 'wasm' backend runs the ${menv.wasmBuild ?? '?'} build. ` +
    `Load average at start: ${machine.loadavg ? machine.loadavg.map((x) => x.toFixed(1)).join(', ') : '?'} (a shared machine: compare only within one run). ` +
    `bnwasm threads: ${nThreads} by default here (ready() starts min(cores, 4))${minParallel ? `; a GEMM of at least 2^${Math.log2(minParallel)} flops is split over them, smaller ones stay on one` : ''}. ` +
    `TF.js ${kenv.tfjs?.version ?? '?'}: wasm backend (XNNPACK, SIMD ${kenv.tfjs?.wasmSimd ? 'on' : 'off'}, ${tfThreads == null ? '?' : plural(tfThreads, 'thread')}), cpu backend; production mode.`, '');
  lines.push((quick ? 'One call per case, after one untimed call (`npm run bench:quick`). ' : 'Medians of benny samples (minSamples 5, maxTime 1 s per case), all from one `npm run bench`. ') +
    `Ratios are speed-ups of ${LABEL[best]} (the build the 'wasm' backend runs)${best !== 'bnwasm-wasm' ? '; the plain SIMD build\'s in parentheses' : ''}. ` +
    'GEMM shapes are m×k×n; GF/s = 2mnk/t. ' +
    `Threads: the kernel columns run bnwasm on 1 thread (the GEMM targets are single-threaded, as TF.js wasm is here), except "${LABEL[threaded]}", whose last figure is its speed-up over ${LABEL[best]} on 1 thread; ` +
    `fit and predict run bnwasm-wasm on the default ${plural(nThreads, 'thread')} (what a user gets, and what their targets are judged on) and on 1 thread beside it.`, '');

  // f32x4 peak
  if (peakSuite) {
    lines.push('## f32x4 multiply+add peak (bench/peak/peak.ts, registers only)', '');
    lines.push('Median (fastest sample) per chain count; the peak is the fastest sample, since load only lowers a ceiling.', '');
    lines.push('| build | ' + PEAK.chains.map((c) => `${c} chains`).join(' | ') + ' | peak |');
    lines.push('|---|' + PEAK.chains.map(() => '---:').join('|') + '|---:|');
    for (const build of Object.keys(peak)) {
      lines.push(`| ${build === 'simd' ? 'simd (mul, add)' : 'relaxed (fma)'} | ` +
        PEAK.chains.map((c) => {
          const t = peakSuite.median[`${build} x${c}`], f = peakSuite.fastest[`${build} x${c}`];
          return t ? `${(PEAK.flopsPerCall / t / 1e9).toFixed(1)} (${(PEAK.flopsPerCall / f / 1e9).toFixed(1)}) GF/s` : '–';
        }).join(' | ') +
        ` | **${peak[build].gf.toFixed(1)} GF/s** |`);
    }
    lines.push('');
  }
  if (allCores) {
    const a = allCores, n = a.threads;
    lines.push(`${n === machine.cores ? `All ${n}` : n} cores at once (${a.build} x${a.chains}, ${plural(a.rounds, 'round')} of ${plural(a.callsPerRun, 'call')} per thread; GF/s = all threads' flops / the slowest thread's time): ` +
      `**${a.best.all.toFixed(1)} GF/s** best (${a.median.all.toFixed(1)} median) = ${fmtX(a.ratio.best)} one thread (${fmtX(a.ratio.median)} median) measured in the same rounds ` +
      `(one thread alone: ${a.best.one.toFixed(1)} best, ${a.median.one.toFixed(1)} median${a.loadavg ? `; load average ${a.loadavg[0].toFixed(1)} when it started` : ''}). ` +
      `The multi-thread targets' reasons use this best figure as the ${n}-thread ceiling.`, '');
  }

  // kernels
  const kernelRows = [...R.values()].filter((s) => s.group === 'kernels');
  const RUNNERS = ['bnwasm-wasm', 'bnwasm-wasm-relaxed', threaded, 'bnwasm-js', 'tfjs-wasm', 'tfjs-cpu']
    .filter((r) => r !== threaded || kernelRows.some((s) => s.median[r] || s.failed[r]));
  lines.push('## Kernels', '');
  lines.push(`| case | ${RUNNERS.map((r) => LABEL[r]).join(' | ')} | × TF.js wasm | × bnwasm-js | targets |`);
  lines.push(`|---|${RUNNERS.map(() => '---:').join('|')}|---:|---:|---|`);
  for (const s of kernelRows) {
    const vsTf = ratio(s, 'tfjs-wasm', best), vsJs = ratio(s, 'bnwasm-js', best);
    const notes = [];
    const add = (name, value, ok, why) => { targets.push({ name, case: s.suite, value, ok, why }); notes.push(`${name}: ${met(ok)}`); };
    if (s.kind === 'gemm') {
      const ok = vsTf == null ? null : vsTf >= TARGET.gemmVsTf;
      const tt = s.median[threaded];
      const withThreads = !tt ? [] : [`on the default ${plural(nThreads, 'thread')} it runs at ${(s.flops / tt / 1e9).toFixed(1)} GF/s = ${fmtX(s.median['tfjs-wasm'] / tt)} TF.js wasm` +
        (minParallel && s.flops < minParallel ? ` (under 2^${Math.log2(minParallel)} flops it stays on one thread)` : '') + ', but the target is single-threaded'];
      add(`≥ ${TARGET.gemmVsTf}× TF.js wasm`, fmtX(vsTf), ok, ok === false ? peakReason(s.flops, s.median['tfjs-wasm'] / TARGET.gemmVsTf, s.median[best], 1, "this shape's tile efficiency is the limit", withThreads) : '');
    }
    if (s.kind === 'gemm' && s.flops >= THREADED_GEMM.minFlops && s.median[threaded] && s.median[best]) {
      const x = s.median[best] / s.median[threaded], ok = x >= THREADED_GEMM.speedup;
      add(`≥ ${THREADED_GEMM.speedup}× 1 thread on ${plural(nThreads, 'thread')}`, fmtX(x), ok,
        ok ? '' : `${plural(nThreads, 'thread')}: ${(s.flops / s.median[threaded] / 1e9).toFixed(1)} GF/s, 1 thread: ${(s.flops / s.median[best] / 1e9).toFixed(1)} GF/s (${fmtTime(s.median[threaded])} vs ${fmtTime(s.median[best])})`);
    }
    if (s.kind === 'gemm' && s.m === 512 && s.k === 512 && s.n === 512) {
      for (const [runner, build] of [[best, best === 'bnwasm-wasm' ? 'simd' : 'relaxed'], ...(best !== 'bnwasm-wasm' ? [['bnwasm-wasm', 'simd']] : [])]) {
        const t = s.median[runner], p = peak[build]?.gf;
        const frac = t && p ? s.flops / t / 1e9 / p : null;
        add(`≥ ${TARGET.gemmPeak * 100}% of f32x4 peak (${build})`, frac == null ? '–' : `${(frac * 100).toFixed(0)}% (${(s.flops / t / 1e9).toFixed(1)} of ${p.toFixed(1)} GF/s)`,
          frac == null ? null : frac >= TARGET.gemmPeak,
          frac != null && frac < TARGET.gemmPeak ? `ran on 1 thread: needs ${(TARGET.gemmPeak * p).toFixed(1)} GF/s, runs at ${(s.flops / t / 1e9).toFixed(1)} GF/s (${LABEL[runner]})` : '');
      }
    }
    if (s.kind === 'bnorm') {
      add(`≥ ${TARGET.bnVsTf}× TF.js wasm`, fmtX(vsTf), vsTf == null ? null : vsTf >= TARGET.bnVsTf);
      const t = s.median[best];
      if (s.rows === 1024 && s.cols === 1024) add(`< ${TARGET.bnTorchMs} ms (PyTorch)`, fmtTime(t), t == null ? null : t * 1e3 < TARGET.bnTorchMs);
      if (t) notes.push(`${((BN_PASSES * s.rows * s.cols * 4) / t / 1e9).toFixed(1)} GB/s over ${BN_PASSES} passes`);
    }
    add(`≥ ${TARGET.wasmVsJs}× bnwasm-js`, fmtX(vsJs), vsJs == null ? null : vsJs >= TARGET.wasmVsJs);
    lines.push(`| ${s.suite}${s.name ? ` (${s.name})` : ''} | ${RUNNERS.map((r) => cell(s, r)).join(' | ')} | ${ratioCell(s, 'tfjs-wasm')} | ${ratioCell(s, 'bnwasm-js')} | ${notes.join('; ')} |`);
  }
  lines.push('');

  // model
  const fit = R.get(FIT.suite);
  const MODEL_RUNNERS = ['bnwasm-wasm', 'bnwasm-wasm-1thread', 'bnwasm-js', 'tfjs-wasm', 'tfjs-cpu'];
  const modelLabel = (r) => (r === 'bnwasm-wasm' ? `bnwasm-wasm, ${plural(nThreads, 'thread')}` : LABEL[r]);
  lines.push('## Model (MLP 784-256-BN-relu-256-BN-relu-10 softmax)', '');
  lines.push(`bnwasm-wasm runs on the default ${plural(nThreads, 'thread')} (so does the folded model); its ratios are the targets' measure. "× TF.js wasm, 1 thread" is bnwasm-wasm on 1 thread against TF.js wasm.`, '');
  lines.push(`| case | ${MODEL_RUNNERS.map(modelLabel).join(' | ')} | bnwasm-wasm folded | × TF.js wasm | × TF.js wasm, 1 thread | × bnwasm-js | targets |`);
  lines.push(`|---|${MODEL_RUNNERS.map(() => '---:').join('|')}|---:|---:|---:|---:|---|`);
  if (fit) {
    const rows = (r) => (quick ? FIT.quickBatches : FIT.batches[r]) * FIT.batch;
    const rate = (r) => (fit.median[r] ? rows(r) / fit.median[r] : null);
    const fcell = (r) => (rate(r) ? `${fmtInt(rate(r))} samples/s (${fmtTime(fit.median[r] / (rows(r) / FIT.batch))}/batch)` : fit.failed[r] ? 'check failed' : '–');
    const vs = (mine, other) => (rate(mine) && rate(other) ? rate(mine) / rate(other) : null);
    const vsTf = vs('bnwasm-wasm', 'tfjs-wasm'), vsTf1 = vs('bnwasm-wasm-1thread', 'tfjs-wasm'), vsJs = vs('bnwasm-wasm', 'bnwasm-js');
    const ok = vsTf == null ? null : vsTf >= TARGET.fitVsTf;
    // fit is a mix of GEMMs (threaded when large) and one-thread work, so its reason is in samples/s
    const why = ok === false && rate('tfjs-wasm')
      ? `ran on ${plural(nThreads, 'thread')}: ${fmtInt(rate('bnwasm-wasm'))} samples/s (${fmtTime(fit.median['bnwasm-wasm'] / (rows('bnwasm-wasm') / FIT.batch))}/batch); ` +
        `needs ${fmtInt(TARGET.fitVsTf * rate('tfjs-wasm'))} samples/s (${fmtTime(FIT.batch / (TARGET.fitVsTf * rate('tfjs-wasm')))}/batch)` +
        (rate('bnwasm-wasm-1thread') ? `; 1 thread: ${fmtInt(rate('bnwasm-wasm-1thread'))} samples/s` : '')
      : '';
    targets.push({ name: `fit ≥ ${TARGET.fitVsTf}× TF.js wasm`, case: fit.suite, value: `${fmtX(vsTf)} on ${plural(nThreads, 'thread')}; 1 thread ${fmtX(vsTf1)}`, ok, why });
    lines.push(`| fit, SGD, batch 128 (rows per call: ${MODEL_RUNNERS.map((r) => rows(r)).join(' / ')}) | ${MODEL_RUNNERS.map(fcell).join(' | ')} | – | ${fmtX(vsTf)} | ${fmtX(vsTf1)} | ${fmtX(vsJs)} | ≥ ${TARGET.fitVsTf}× TF.js wasm: ${met(ok)} |`);
  }
  for (const shape of PREDICT) {
    const pred = R.get(shape.suite);
    if (!pred) continue;
    const pcell = (r) => (pred.median[r] ? fmtTime(pred.median[r]) : pred.failed[r] ? 'check failed' : '–');
    const mine = pred.median['bnwasm-wasm'] ? 'bnwasm-wasm' : 'bnwasm-wasm-folded';
    const vsTf = ratio(pred, 'tfjs-wasm', mine), vsJs = ratio(pred, 'bnwasm-js', mine);
    const vsTf1 = ratio(pred, 'tfjs-wasm', 'bnwasm-wasm-1thread');
    const foldedVsTf = ratio(pred, 'tfjs-wasm', 'bnwasm-wasm-folded');
    const note = mine === 'bnwasm-wasm' ? '' : ' (bnwasm-wasm failed its check; ratio of the folded model)';
    const ok = vsTf == null ? null : vsTf >= TARGET.predictVsTf;
    const flops = MLP_FLOPS * shape.rows;
    if (shape.target) {
      const t1 = pred.median['bnwasm-wasm-1thread'];
      const extra = t1 ? [`1 thread runs at ${(flops / t1 / 1e9).toFixed(1)} GF/s (${fmtX(vsTf1)} TF.js wasm)`] : [];
      targets.push({ name: `predict ≥ ${TARGET.predictVsTf}× TF.js wasm`, case: pred.suite, value: `${fmtX(vsTf)}${note} on ${plural(nThreads, 'thread')}; 1 thread ${fmtX(vsTf1)}; folded ${fmtX(foldedVsTf)}`, ok,
        why: ok === false ? peakReason(flops, pred.median['tfjs-wasm'] / TARGET.predictVsTf, pred.median[mine], nThreads, `the model's efficiency at batchSize ${shape.batchSize} is the limit`, extra) : '' });
    }
    const verdict = shape.target ? `≥ ${TARGET.predictVsTf}× TF.js wasm: ${met(ok)}${note}` : `${(flops / pred.median[mine] / 1e9).toFixed(1)} GF/s (not the target case)`;
    lines.push(`| ${shape.label} | ${MODEL_RUNNERS.map(pcell).join(' | ')} | ${pcell('bnwasm-wasm-folded')} | ${fmtX(vsTf)} | ${fmtX(vsTf1)} | ${fmtX(vsJs)} | ${verdict} |`);
  }
  lines.push('');

  // the public API, quiet and busy
  const api = apiSection(root, nThreads, machine.loadavg);
  lines.push(...api.lines);
  const kernelTargets = targets.length;
  targets.push(...api.targets);

  // failures
  const failed = [...R.values()].flatMap((s) => Object.entries(s.failed).map(([r, m]) => `- ${s.suite} / ${r}: ${m}`));
  const missing = [...R.values()].filter((s) => !Object.keys(s.median).length && !Object.keys(s.failed).length).map((s) => s.suite);
  if (failed.length || missing.length) {
    lines.push('## Not measured', '');
    lines.push('Cases left out because their result disagreed with bnwasm-js (or their setup threw), and suites without results:', '');
    lines.push(...failed, ...missing.map((m) => `- ${m}: no results`), '');
  }

  // targets
  lines.push('## Targets', '');
  lines.push('| target | case | measured | status | measured reason when not met |', '|---|---|---|---|---|');
  for (const t of targets) lines.push(`| ${t.name} | ${t.case} | ${t.value} | ${met(t.ok)} | ${t.why ?? ''} |`);
  const nMet = targets.filter((t) => t.ok).length, nNot = targets.filter((t) => t.ok === false).length;
  lines.push('', `${nMet} met, ${nNot} not met, ${targets.length - nMet - nNot} not measured.`, '');

  const md = lines.join('\n');
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, 'RESULTS.md'), md);
  if (!quick) showInSpeedPage(readmeBody({ machineLine, api, targets, kernelTargets }));

  // compact terminal table: kernels on 1 thread (ratios too) with the threaded GEMM beside them; fit and
  // predict on the default threads (ratios too) with 1 thread beside them, as the targets are judged
  const nth = `${nThreads} thr`;
  const term = [['case', 'bnwasm 1 thr', `bnwasm ${nth}`, 'bnwasm-js', 'TF.js wasm', 'TF.js cpu', '×TF wasm', '×js']];
  for (const s of kernelRows) {
    term.push([s.suite, fmtTime(s.median[best]), fmtTime(s.median[threaded]), fmtTime(s.median['bnwasm-js']), fmtTime(s.median['tfjs-wasm']), fmtTime(s.median['tfjs-cpu']),
      fmtX(ratio(s, 'tfjs-wasm', best)), fmtX(ratio(s, 'bnwasm-js', best))]);
  }
  if (fit) {
    const rows = (r) => (quick ? FIT.quickBatches : FIT.batches[r]) * FIT.batch;
    const rate = (r) => (fit.median[r] ? `${fmtInt(rows(r) / fit.median[r])}/s` : '–');
    const x = (a, b) => (fit.median[a] && fit.median[b] ? fmtX((rows(a) / fit.median[a]) / (rows(b) / fit.median[b])) : '–');
    term.push(['fit (samples/s)', rate('bnwasm-wasm-1thread'), rate('bnwasm-wasm'), rate('bnwasm-js'), rate('tfjs-wasm'), rate('tfjs-cpu'), x('bnwasm-wasm', 'tfjs-wasm'), x('bnwasm-wasm', 'bnwasm-js')]);
  }
  for (const shape of PREDICT) {
    const pred = R.get(shape.suite);
    if (!pred) continue;
    term.push([`predict 1024 b${shape.batchSize}`, fmtTime(pred.median['bnwasm-wasm-1thread']), fmtTime(pred.median['bnwasm-wasm']), fmtTime(pred.median['bnwasm-js']), fmtTime(pred.median['tfjs-wasm']), fmtTime(pred.median['tfjs-cpu']),
      fmtX(ratio(pred, 'tfjs-wasm', 'bnwasm-wasm')), fmtX(ratio(pred, 'bnwasm-js', 'bnwasm-wasm'))]);
  }
  const widths = term[0].map((_, i) => Math.max(...term.map((r) => r[i].length)));
  const table = term.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
  const peakLine = Object.entries(peak).map(([b, p]) => `${b} ${p.gf.toFixed(1)} GF/s (${p.chains})`).join(', ') +
    (allCores ? `; ${allCores.threads} cores at once ${allCores.best.all.toFixed(1)} GF/s (${fmtX(allCores.ratio.best)} one thread)` : '');
  return { md, file: path.join(root, 'RESULTS.md'), terminal: `${table}\n\nRatios: kernels on 1 thread (${LABEL[best]}); fit and predict on ${plural(nThreads, 'thread')} (bnwasm-wasm). f32x4 peak: ${peakLine || '–'}\nTargets: ${nMet} met, ${nNot} not met, ${targets.length - nMet - nNot} not measured.` };
}

/**
 * What docs/speed.md shows of a full run (the rest stays in bench/results/RESULTS.md): the machine, the
 * public-API tables (quiet and busy), how many targets were met, and the measured reason for each missed.
 */
function readmeBody({ machineLine, api, targets, kernelTargets }) {
  const missed = targets.filter((t) => t.ok === false);
  const nMet = targets.filter((t) => t.ok).length;
  return [
    '# bench', '', machineLine, '', ...api.lines,
    `Targets: ${nMet} of ${targets.length} met (${kernelTargets} kernel and model targets, ${targets.length - kernelTargets} public-API ones). Full results, the kernel rows and every target: [bench/results/RESULTS.md](../bench/results/RESULTS.md).`, '',
    ...(missed.length ? ['Missed, with the measured reason:', '', ...missed.map((t) => `- ${t.case}, ${t.name}: ${t.value}. ${t.why || ''}`), ''] : []),
  ].join('\n');
}

/** docs/speed.md shows a full run's summary between its bench markers (headings demoted one level). */
function showInSpeedPage(md) {
  const page = path.join(path.dirname(BENCH_DIR), 'docs', 'speed.md');
  if (!fs.existsSync(page)) return;
  const text = fs.readFileSync(page, 'utf8');
  const start = '<!-- bench:start -->', end = '<!-- bench:end -->';
  const a = text.indexOf(start), b = text.indexOf(end);
  if (a < 0 || b < a) return;
  const body = md.replace(/^# .*\n+/, '').replace(/^(#+) /gm, '$1## ');
  fs.writeFileSync(page, `${text.slice(0, a + start.length)}\n${body}\n${text.slice(b)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) { // not when imported (node -e has no argv[1])
  const { file, terminal } = report({ quick: process.argv.includes('--quick') });
  console.log(`${terminal}\n\nWrote ${path.relative(process.cwd(), file)}`);
}
