/** Learning-rate schedules against Keras 3's formulas (float64), and yieldEvery's clock. */
import { expect, test } from 'vitest';
import * as bw from '../../src/index.js';
import { Yielder } from '../../src/training/yield.js';

test('exponentialDecay: lr0·rate^(step/decaySteps), floored exponent with staircase', () => {
  const smooth = bw.optimizers.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 });
  const stairs = bw.optimizers.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9, staircase: true });
  for (const step of [0, 1, 9, 10, 15, 100]) {
    expect(smooth.at(step)).toBeCloseTo(0.1 * 0.9 ** (step / 10), 14);
    expect(stairs.at(step)).toBeCloseTo(0.1 * 0.9 ** Math.floor(step / 10), 14);
  }
  expect(() => bw.optimizers.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.9 }))
    .toThrow(/schedules.exponentialDecay: decaySteps: expected an integer >= 1, got 0/);
});

test('cosineDecay: half a cosine from lr0 to alpha·lr0 over decaySteps, flat after; linear warmup to warmupTarget first', () => {
  const c = bw.optimizers.schedules.cosineDecay({ initialLearningRate: 0.2, decaySteps: 8, alpha: 0.25 });
  const cos = (s: number, from: number) => from * (0.75 * 0.5 * (1 + Math.cos(Math.PI * Math.min(s, 8) / 8)) + 0.25);
  for (const s of [0, 1, 4, 8, 20]) expect(c.at(s)).toBeCloseTo(cos(s, 0.2), 14);
  expect(c.at(4)).toBeCloseTo(0.2 * (0.75 * 0.5 + 0.25), 14);
  expect(c.at(100)).toBeCloseTo(0.05, 14);
  const w = bw.optimizers.schedules.cosineDecay({ initialLearningRate: 0, decaySteps: 8, alpha: 0.25, warmupTarget: 0.2, warmupSteps: 4 });
  expect([w.at(0), w.at(2), w.at(4)]).toEqual([0, 0.1, 0.2]);
  expect(w.at(8)).toBeCloseTo(cos(4, 0.2), 14);
});

test("yieldEvery 'auto' yields once 125 ms have passed since the last yield; a number is its own period", () => {
  let now = 0;
  const auto = new Yielder('auto', () => now);
  const hits = [10, 100, 130, 200, 260].map((t) => { now = t; const y = auto.afterBatch(); if (y) auto.yielded(); return y; });
  expect(hits).toEqual([false, false, true, false, true]);
  now = 0;
  const every50 = new Yielder(50, () => now);
  expect([20, 49, 50, 99, 100].map((t) => { now = t; const y = every50.afterBatch(); if (y) every50.yielded(); return y; })).toEqual([false, false, true, false, true]);
  expect(new Yielder('epoch').afterEpoch()).toBe(true);
  expect(new Yielder('never').afterBatch()).toBe(false);
});
