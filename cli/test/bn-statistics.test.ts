/**
 * The experiment's section on BN statistics: the runs on a small budget (calibration lifts held-out accuracy
 * after short training on offset pixels; the models train on identical batches), and the verdicts computed
 * from the numbers, each of them reachable (held, did not hold, inconclusive).
 */
import { describe, expect, test } from 'vitest';
import * as bw from 'bnwasm';
import { collectOutput } from '../src/output.js';
import { bnStatistics, type BnStatisticsResults, type RenormRun } from '../src/experiment/bn-statistics.js';
import { judgeStatistics, statisticsSection, statisticsTables } from '../src/experiment/bn-statistics-report.js';
import { loadDigits } from '../src/experiment/digits.js';
import { markdownTable } from '../src/experiment/tables.js';

const budget = { statistics: { trainRows: [100, 300], epochs: 12, seeds: [1] }, renorm: { batchSizes: [2], steps: 150 } };

describe('BN statistics section', () => {
  test('runs: calibrated statistics beat the moving averages after short training on offset pixels', async () => {
    await bw.ready();
    const r = await bnStatistics(loadDigits(1), budget, 1, collectOutput());
    expect(r.pitfall.map((p) => [p.trainRows, p.steps])).toEqual([[100, 36], [300, 108]]);
    for (const p of r.pitfall) {
      expect(p.calibrated).toBeGreaterThan(p.moving + 0.3);
      expect(p.trainAccuracy).toBeGreaterThan(0.9); // training looks fine
    }
    expect(r.renorm.map((x) => [x.batchSize, x.renorm])).toEqual([[2, false], [2, true]]);
    const [claim] = judgeStatistics(r);
    expect(claim.verdict).toBe('held');
    const section = statisticsSection(budget, statisticsTables(r, budget, judgeStatistics(r)).map(markdownTable));
    expect(section).toMatch(/## 5\. Moving averages and exact statistics[\s\S]*## 6\. Batch Renormalization with small batches/);
    expect(section).toContain('| 100 | 36 |');
  });

  const run = (batchSize: number, renorm: boolean, trainingMode: number, inference: number): RenormRun =>
    ({ batchSize, renorm, trainingMode, inference, heldOut: inference });
  const results = (pitfall: Array<[number, number]>, renorm: RenormRun[]): BnStatisticsResults => ({
    pitfall: pitfall.map(([moving, calibrated], i) => ({ trainRows: 100 * (i + 1), seed: 1, steps: 10, trainAccuracy: 1, moving, calibrated })),
    renorm,
  });

  test.each([
    [[[0.2, 0.9], [0.3, 0.9]], 'held'],
    [[[0.2, 0.9], [0.9, 0.9]], 'inconclusive'],
    [[[0.2, 0.9], [0.95, 0.9]], 'did not hold'],
  ] as Array<[Array<[number, number]>, string]>)('pitfall verdict for %j: %s', (pitfall, verdict) => {
    expect(judgeStatistics(results(pitfall, [run(2, false, 0.8, 0.9), run(2, true, 0.9, 0.9)]))[0].verdict).toBe(verdict);
  });

  test.each([
    [[run(2, false, 0.8, 0.9), run(2, true, 0.9, 0.9), run(8, false, 0.9, 0.95), run(8, true, 0.95, 0.95)], 'held'],
    [[run(2, false, 0.8, 0.9), run(2, true, 0.85, 0.9)], 'held'],
    [[run(2, false, 0.9, 0.9), run(2, true, 0.9, 0.9)], 'inconclusive'],
    [[run(2, false, 0.8, 0.9), run(2, true, 0.9, 0.9), run(8, false, 0.9, 0.95), run(8, true, 0.9, 0.95)], 'inconclusive'],
    [[run(2, false, 0.9, 0.9), run(2, true, 0.8, 0.9)], 'did not hold'],
  ] as Array<[RenormRun[], string]>)('renorm verdict %#: %s', (renorm, verdict) => {
    expect(judgeStatistics(results([[0.2, 0.9]], renorm))[1].verdict).toBe(verdict);
  });
});
