/**
 * Measure and adapt (src/backend/threads/adapt.ts) on made-up timings: a new kind of job times both ways
 * before it picks one, one outlier cannot decide, a losing split is tried ever more rarely, a change of
 * the machine is noticed; and the pool's polling rule (pool.ts): workers stop polling when they report
 * being descheduled twice in quick succession, and try again later.
 */
import { beforeAll, expect, test } from 'vitest';
import * as bw from '../../src/index.js';
import { threadPool } from '../../src/backend/runtime.js';
import { SplitPolicy } from '../../src/backend/threads/adapt.js';

/** Runs kind `key` `n` times; each run takes `split` or `whole` per unit; returns the decisions (true = split). */
function runs(policy: SplitPolicy, n: number, split: (i: number) => number, whole: (i: number) => number, key = 'k'): boolean[] {
  const decisions: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const kind = policy.decide(key);
    decisions.push(kind.splitNow);
    policy.record(kind, kind.splitNow ? split(i) : whole(i));
  }
  return decisions;
}
const count = (d: boolean[]) => d.filter(Boolean).length;

test('a new kind times each way three times, alternating, before it picks one', () => {
  const d = runs(new SplitPolicy(), 6, () => 1, () => 2);
  expect(d).toEqual([true, false, true, false, true, false]);
});

test('one slow first split (a sleeping worker) does not decide: the median does', () => {
  const p = new SplitPolicy();
  runs(p, 6, (i) => (i === 0 ? 100 : 1), () => 2);
  expect(count(runs(p, 20, () => 1, () => 2))).toBe(20);
});

test('splitting that loses stays whole, and is tried ever more rarely (period doubling to 1024)', () => {
  const p = new SplitPolicy();
  runs(p, 6, () => 3, () => 2);
  const d = runs(p, 4000, () => 3, () => 2);
  const tries = d.flatMap((s, i) => (s ? [i + 7] : []));
  // tries at runs 32, 64 (then every 64th... doubling): far fewer than one in 32
  expect(tries[0]).toBe(32);
  expect(tries.length).toBeGreaterThanOrEqual(4);
  expect(tries.length).toBeLessThan(4000 / 128);
  const gaps = tries.slice(1).map((t, i) => t - tries[i]);
  expect(Math.max(...gaps)).toBeLessThanOrEqual(1024);
  expect(gaps.every((g, i) => i === 0 || g >= gaps[i - 1])).toBe(true);
});

test('when splitting starts to pay (the other process stopped), the kind goes back to splitting', () => {
  const p = new SplitPolicy();
  runs(p, 6, () => 3, () => 2);
  runs(p, 100, () => 3, () => 2);
  const d = runs(p, 400, () => 1, () => 2);
  // a few explorations replace the slow split times, then it splits, trying whole every 32nd run
  expect(count(d.slice(-100))).toBeGreaterThanOrEqual(96);
});

test('kinds are independent', () => {
  const p = new SplitPolicy();
  const a = runs(p, 40, () => 1, () => 2, 'a'), b = runs(p, 40, () => 3, () => 2, 'b');
  expect(count(a)).toBeGreaterThan(35);
  expect(count(b)).toBeLessThan(6);
});

test.skipIf(typeof SharedArrayBuffer === 'undefined')('workers stop polling after two reports of being descheduled close together, and poll again a second later', async () => {
  await bw.ready();
  await bw.setThreads(2);
  const pool = threadPool()!;
  const internals = pool as unknown as { ctrl: Int32Array; mayPoll(now: number): boolean };
  const PREEMPTED = 11;
  const report = () => Atomics.add(internals.ctrl, PREEMPTED, 1);
  expect(internals.mayPoll(0)).toBe(true);
  report();
  expect(internals.mayPoll(10_000)).toBe(true); // one gap: a quiet virtual machine shows about one a second
  report();
  expect(internals.mayPoll(12_000)).toBe(true); // another, two seconds later: still quiet
  report();
  expect(internals.mayPoll(12_050)).toBe(false); // and one 50 ms after it: a core is taken
  expect(internals.mayPoll(12_900)).toBe(false);
  expect(internals.mayPoll(13_100)).toBe(true);
  await bw.setThreads(2);
});

test.skipIf(typeof SharedArrayBuffer === 'undefined')('workers poll after a split job and are stopped before a whole one (its time is one thread alone)', async () => {
  await bw.ready();
  await bw.setThreads(2);
  const pool = threadPool()!;
  pool.relearn(); // a new kind alternates: split, whole, split, ...
  const spin = () => (pool as unknown as { ctrl: Int32Array }).ctrl[10];
  const a = bw.tensor(new Float32Array(300 * 500).fill(0.5), [300, 500]), b = bw.tensor(new Float32Array(500 * 260).fill(0.25), [500, 260]);
  const splitBefore = pool.parallelCalls;
  bw.ops.matMul(a, b).dataSync();
  expect(pool.parallelCalls).toBe(splitBefore + 1);
  expect(spin()).toBeGreaterThan(0);
  bw.ops.matMul(a, b).dataSync();
  expect(pool.parallelCalls).toBe(splitBefore + 1); // ran whole
  expect(spin()).toBe(0);
});

beforeAll(() => bw.ready());
