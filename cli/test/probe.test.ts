import { describe, expect, test } from 'vitest';
import * as bw from 'bnwasm';
import { figure1Network, gaussianInit } from '../src/experiment/models.js';
import { sigmoidInputProbe } from '../src/experiment/probe.js';
import { percentile } from '../src/experiment/runner.js';

const rows = 50, width = 64;
const batch = { x: Float32Array.from({ length: rows * width }, (_, i) => ((i * 7919) % 17) / 16), y: new Float32Array(rows), rows, width };

describe('sigmoidInputProbe', () => {
  test('without BN it is the last hidden Dense pre-activation x·W + b', async () => {
    await bw.ready();
    const model = figure1Network(false);
    gaussianInit(model, 0.1, 3);
    const probe = sigmoidInputProbe(batch, 2)(model);
    // reference: the first two hidden layers with sigmoid, then the third Dense without it
    const x = bw.tensor(batch.x, [rows, width]);
    let a = x;
    for (let i = 0; i < model.layers.length - 2; i++) a = model.layers[i].apply(a);
    const v = a.dataSync();
    for (let r = 0; r < rows; r++) expect(probe[r]).toBeCloseTo(v[r * 100 + 2], 5);
  });

  test('with BN it normalizes with the batch statistics and leaves the moving statistics untouched', async () => {
    await bw.ready();
    const model = figure1Network(true);
    gaussianInit(model, 0.1, 3);
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const values = sigmoidInputProbe(batch, 0)(model);
    const after = model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(after).toEqual(before);
    // batch-normalized with gamma 1, beta 0: mean ≈ 0, variance ≈ 1 (up to epsilon)
    const mean = values.reduce((s, v) => s + v, 0) / rows;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / rows;
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(variance).toBeGreaterThan(0.9);
    expect(variance).toBeLessThanOrEqual(1.0001);
  });

  test('percentiles interpolate like numpy', () => {
    const sorted = Float32Array.from([1, 2, 3, 4, 5]);
    expect(percentile(sorted, 0.5)).toBe(3);
    expect(percentile(sorted, 0.15)).toBeCloseTo(1.6, 6);
  });
});
