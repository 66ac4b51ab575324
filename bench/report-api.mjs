/**
 * The public-API tables of the report (bench/api.bench.mjs's results): quiet and busy machine, bnwasm on
 * the default threads and on 1 thread, the kernels alone, TF.js wasm, their ratios, and the targets with
 * the measured reason for each one missed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { API } from './shapes.mjs';

const read = (file) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null);
const fmtTime = (t) => (t == null ? '–' : t >= 1 ? `${t.toFixed(2)} s` : t >= 1e-3 ? `${(t * 1e3).toPrecision(3)} ms` : `${(t * 1e6).toPrecision(3)} µs`);
const fmtX = (x) => (x == null || !Number.isFinite(x) ? '–' : x >= 100 ? `${x.toFixed(0)}×` : x >= 10 ? `${x.toFixed(1)}×` : `${x.toFixed(2)}×`);
const fmtRate = (r) => (r == null ? '–' : `${Math.round(r).toLocaleString('en-US')}/s`);
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
/** Busy ratios against TF.js may sit this far under the quiet ones before the target counts as missed. */
const NOISE = 0.05;

/** Medians per runner per case, from `dir` (bench/results/[quick/][busy/]api). */
function load(dir) {
  return API.map((s) => {
    const json = read(path.join(dir, `${s.file}.json`)), failed = read(path.join(dir, `${s.file}.failed.json`)) ?? {};
    const t = Object.fromEntries((json?.results ?? []).map((r) => [r.name, r.details.median]));
    // fit: seconds per call → samples/s; everything else: seconds per call (lower is better)
    const speed = (r) => (t[r] == null ? null : 1 / t[r]);
    const rate = s.kind === 'fit' ? (r) => (t[r] == null ? null : (s.batch * s.batches) / t[r]) : null;
    return { ...s, t, failed, speed, rate, has: json != null };
  });
}

const vs = (c, a, b) => (c.speed(a) && c.speed(b) ? c.speed(a) / c.speed(b) : null);

function table(rows, threads, busy, quiet) {
  const head = ['case', `bnwasm, ${plural(threads, 'thread')}`, 'bnwasm, 1 thread', 'kernels only', 'TF.js wasm', '× TF.js wasm', '× TF.js, 1 thread', `${plural(threads, 'thread')} ÷ 1 thread`];
  if (busy) head.push('× TF.js, quiet run');
  const out = [`| ${head.join(' | ')} |`, `|---|${head.slice(1).map(() => '---:').join('|')}|`];
  for (const c of rows) {
    if (!c.has) continue;
    const cell = (r) => (c.t[r] == null ? (c.failed[r] ? 'check failed' : '–') : c.rate ? fmtRate(c.rate(r)) : fmtTime(c.t[r]));
    const row = [c.label, cell('bnwasm'), cell('bnwasm-1thread'), cell('bnwasm-kernels'), cell('tfjs-wasm'),
      fmtX(vs(c, 'bnwasm', 'tfjs-wasm')), fmtX(vs(c, 'bnwasm-1thread', 'tfjs-wasm')), fmtX(vs(c, 'bnwasm', 'bnwasm-1thread'))];
    if (busy) row.push(fmtX(vs(quiet.find((q) => q.file === c.file) ?? c, 'bnwasm', 'tfjs-wasm')));
    out.push(`| ${row.join(' | ')} |`);
  }
  return out;
}

/** What holds a case back, from this run's numbers: where its time goes, the other thread count, TF.js's time. */
function why(c, needSeconds) {
  const parts = [`needs ≤ ${fmtTime(needSeconds)} per call, runs ${fmtTime(c.t.bnwasm)}`];
  if (c.t['bnwasm-kernels'] != null) {
    const k = c.t['bnwasm-kernels'];
    parts.push(`the kernels alone take ${fmtTime(k)} (${fmtX(c.t['tfjs-wasm'] / k)} TF.js), the public path (tensor checks, copies in and out, reading the results) ${fmtTime(c.t.bnwasm - k)}`);
  }
  if (c.t['bnwasm-1thread'] != null) parts.push(`1 thread: ${fmtTime(c.t['bnwasm-1thread'])}`);
  parts.push(`TF.js wasm: ${fmtTime(c.t['tfjs-wasm'])}`);
  return parts.join('; ');
}

/**
 * Markdown lines for the API section and the targets it judges: { lines, targets }. `root`: the results
 * folder (quick or full); `threads`: bnwasm's default thread count.
 */
export function apiSection(root, threads, loadavg) {
  const quiet = load(path.join(root, 'api')), busy = load(path.join(root, 'busy', 'api'));
  threads = read(path.join(root, 'api', 'env.json'))?.threads?.default ?? read(path.join(root, 'busy', 'api', 'env.json'))?.threads?.default ?? threads;
  const busyInfo = read(path.join(root, 'busy-machine.json'));
  const lines = [], targets = [];
  if (!quiet.some((c) => c.has) && !busy.some((c) => c.has)) return { lines, targets };
  lines.push('## Public API (user tensors in, results read with dataSync)', '');
  lines.push(`Medians of alternating rounds (one sample of each runner per round, so load elsewhere falls on all alike): bnwasm on the default ${plural(threads, 'thread')} and on 1 thread, ` +
    '"kernels only" = the same kernels on arrays already in WASM memory (default threads), TF.js wasm on tensors created beforehand. fit is in samples/s.', '');
  if (quiet.some((c) => c.has)) {
    lines.push('### Quiet pass (nothing started beside the bench)', '');
    if (loadavg) lines.push(`Load average when the bench started: ${loadavg.map((x) => x.toFixed(1)).join(', ')}.`, '');
    lines.push(...table(quiet, threads, false), '');
  }
  if (busy.some((c) => c.has)) {
    lines.push('### Busy pass (the bench keeps one core busy with another process for the whole pass)', '');
    if (busyInfo?.loadavgBefore) lines.push(`Load average when it started: ${busyInfo.loadavgBefore.map((x) => x.toFixed(1)).join(', ')}.`, '');
    lines.push(...table(busy, threads, true, quiet), '');
  }

  for (const c of quiet) {
    if (!c.has) continue;
    if (c.vsTf) {
      const x = vs(c, 'bnwasm', 'tfjs-wasm'), ok = x == null ? null : x >= c.vsTf;
      targets.push({ name: `≥ ${c.vsTf}× TF.js wasm (quiet)`, case: c.label, value: fmtX(x), ok, why: ok === false ? why(c, c.t['tfjs-wasm'] / c.vsTf) : '' });
    }
    if (c.samplesPerSec) {
      const r = c.rate('bnwasm'), ok = r == null ? null : r >= c.samplesPerSec;
      const perBatch = (rate) => fmtTime(c.batch / rate);
      targets.push({ name: `≥ ${c.samplesPerSec.toLocaleString('en-US')} samples/s (quiet)`, case: c.label, value: fmtRate(r), ok,
        why: ok === false ? `needs ${perBatch(c.samplesPerSec)} per batch, runs ${perBatch(r)}; 1 thread: ${fmtRate(c.rate('bnwasm-1thread'))} (${perBatch(c.rate('bnwasm-1thread'))} per batch); TF.js wasm ${fmtRate(c.rate('tfjs-wasm'))}` : '' });
    }
  }
  for (const c of busy) {
    if (!c.has) continue;
    const x = vs(c, 'bnwasm', 'bnwasm-1thread'), ok = x == null ? null : x >= 0.95;
    targets.push({ name: 'busy: default threads ≥ 0.95× 1 thread', case: c.label, value: fmtX(x), ok,
      why: ok === false ? `default threads ${c.rate ? fmtRate(c.rate('bnwasm')) : fmtTime(c.t.bnwasm)}, 1 thread ${c.rate ? fmtRate(c.rate('bnwasm-1thread')) : fmtTime(c.t['bnwasm-1thread'])} with one core taken` : '' });
    const q = quiet.find((d) => d.file === c.file);
    const bx = vs(c, 'bnwasm', 'tfjs-wasm'), qx = q?.has ? vs(q, 'bnwasm', 'tfjs-wasm') : null;
    if (bx != null && qx != null) {
      const ok2 = bx >= (1 - NOISE) * qx;
      targets.push({ name: `busy: × TF.js wasm no lower than quiet (${NOISE * 100}% noise allowed)`, case: c.label, value: `${fmtX(bx)} (quiet ${fmtX(qx)})`, ok: ok2,
        why: ok2 ? '' : `busy: bnwasm ${fmtTime(c.t.bnwasm)} (quiet ${fmtTime(q.t.bnwasm)}, ${fmtX(c.t.bnwasm / q.t.bnwasm)} slower), TF.js wasm ${fmtTime(c.t['tfjs-wasm'])} (quiet ${fmtTime(q.t['tfjs-wasm'])}, ${fmtX(c.t['tfjs-wasm'] / q.t['tfjs-wasm'])} slower)` +
          // TF.js runs one thread either way; the quiet ratio includes what the second core gave bnwasm
          (vs(q, 'bnwasm', 'bnwasm-1thread') > 1 ? `; the quiet ratio includes ${fmtX(vs(q, 'bnwasm', 'bnwasm-1thread'))} from bnwasm's ${plural(threads, 'thread')} over 1, a core the busy pass gives to the other process (busy 1 thread: ${fmtX(vs(c, 'bnwasm-1thread', 'tfjs-wasm'))} TF.js, quiet 1 thread: ${fmtX(vs(q, 'bnwasm-1thread', 'tfjs-wasm'))})` : '') });
    }
  }
  return { lines, targets };
}
