/**
 * The experiment's section on BN in a CNN: both networks start from the same kernels, the section runs on a
 * small budget, and the verdict follows the numbers (held, did not hold, inconclusive).
 */
import { describe, expect, test } from 'vitest';
import * as bw from 'bnwasm';
import { collectOutput } from '../src/output.js';
import { cnnComparison, cnnNetwork, copyWeights, type CnnRun } from '../src/experiment/cnn.js';
import { cnnFigure, cnnSection, cnnTables, judgeCnn } from '../src/experiment/cnn-report.js';
import { loadDigits } from '../src/experiment/digits.js';
import type { RunResult } from '../src/experiment/runner.js';
import { markdownTable } from '../src/experiment/tables.js';

describe('BN in a CNN section', () => {
  test('the network without BN gets the same convolution and Dense weights, and computes conv → relu where the other has BN', async () => {
    await bw.ready();
    bw.setSeed(7);
    const bn = cnnNetwork(true), plain = cnnNetwork(false);
    expect(bn.layers.map((l) => l.constructor.name)).toEqual(['Conv2D', 'BatchNormalization', 'Activation', 'MaxPooling2D', 'Conv2D', 'BatchNormalization', 'Activation', 'Flatten', 'Dense']);
    const before = plain.layers[0].getWeights()[0].dataSync().slice();
    copyWeights(bn, plain);
    const kernels = (m: bw.Sequential) => m.layers.filter((l) => l instanceof bw.Conv2D || l instanceof bw.Dense).map((l) => Array.from(l.getWeights()[0].dataSync()));
    expect(kernels(plain)).toEqual(kernels(bn));
    expect(Array.from(before)).not.toEqual(kernels(bn)[0]);
    expect(() => copyWeights(bn, bw.sequential({ layers: [bw.layers.dense({ units: 2, inputShape: [3] })] }))).toThrow(/same weighted layers, got 3 and 1/);
  });

  test('runs: on the same batches at lr 1, the network with BN learns and the one without ends at chance', async () => {
    await bw.ready();
    const budget = { steps: 60, evalEvery: 20, rates: [1] };
    const runs = cnnComparison(loadDigits(1), budget, 1, collectOutput());
    expect(runs).toHaveLength(1);
    const [{ withBN, withoutBN }] = runs;
    expect(withBN.curve.map((p) => p.step)).toEqual([0, 20, 40, 60]);
    expect(withBN.curve[0].heldOutAccuracy).toBeLessThan(0.3);
    expect(withBN.final.heldOutAccuracy).toBeGreaterThan(0.6);
    expect(withoutBN.final.heldOutAccuracy).toBeLessThan(0.2);
    const claim = judgeCnn(runs);
    expect(claim.verdict).toBe('held');
    const [table, verdict] = cnnTables(runs, budget, claim).map(markdownTable);
    expect(table).toMatch(/\| 1 \| without BN \| stuck at \d+\.\d% \|/);
    const figure = cnnFigure(runs, budget);
    expect(figure.name).toBe('cnn-accuracy');
    expect((figure.spec as { data: { values: unknown[] } }).data.values).toHaveLength(8);
    expect(cnnSection(budget, [table, verdict], '![figure](cnn-accuracy.svg)')).toMatch(/## 7\. BN in a convolutional network[\s\S]*60 steps[\s\S]*cnn-accuracy\.svg[\s\S]*held/);
  });

  const result = (stepsTo95: number | null, accuracy: number, divergedAt: number | null = null): RunResult => ({
    curve: [{ step: 0, heldOutAccuracy: 0.1 }, { step: 100, heldOutAccuracy: accuracy }], stepsTo95, divergedAt, seconds: 1,
    final: { heldOutAccuracy: accuracy, heldOutLoss: 0.1, trainAccuracy: accuracy, trainLoss: 0.1 },
  });
  const pair = (learningRate: number, withBN: RunResult, withoutBN: RunResult): CnnRun => ({ learningRate, withBN, withoutBN });

  test.each([
    ['BN reaches 95% first', [pair(0.1, result(100, 0.97), result(200, 0.97))], 'held'],
    ['only BN reaches 95%', [pair(1, result(300, 0.95), result(null, 0.1))], 'held'],
    ['neither reaches 95%, BN ends higher', [pair(1, result(null, 0.8), result(null, 0.5))], 'held'],
    ['BN better at one rate, tied at the other', [pair(0.1, result(100, 0.97), result(100, 0.97)), pair(1, result(200, 0.96), result(null, 0.1))], 'held'],
    ['same step, same accuracy', [pair(0.1, result(100, 0.97), result(100, 0.968))], 'inconclusive'],
    ['better at one rate, worse at another', [pair(0.1, result(100, 0.97), result(200, 0.97)), pair(1, result(null, 0.9), result(300, 0.96))], 'inconclusive'],
    ['without BN reaches 95% first', [pair(0.1, result(200, 0.97), result(100, 0.97))], 'did not hold'],
    ['BN diverged, the other did not', [pair(2, result(null, 0.1, 5), result(null, 0.5))], 'did not hold'],
  ] as Array<[string, CnnRun[], string]>)('verdict when %s: %s', (_, runs, verdict) => {
    expect(judgeCnn(runs).verdict).toBe(verdict);
  });
});
