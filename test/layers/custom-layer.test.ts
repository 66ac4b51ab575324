/**
 * A layer written as docs/ARCHITECTURE.md says (the Gain example): it trains inside a model with the
 * gradient finite differences give, its option is checked and saved like a built-in layer's, and the doc
 * shows exactly the code tested here.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';
import { seeded } from '../helpers/rng.js';
import { Gain } from './gain-layer.js';

beforeAll(() => bw.ready());

test('docs/ARCHITECTURE.md shows the tested example', () => {
  const file = readFileSync(new URL('./gain-layer.ts', import.meta.url), 'utf8');
  const example = file.slice(file.indexOf('// example:begin\n') + 17, file.indexOf('// example:end'));
  const doc = readFileSync(new URL('../../docs/ARCHITECTURE.md', import.meta.url), 'utf8');
  expect(example.length).toBeGreaterThan(500);
  expect(doc).toContain(example);
});

describe.each(['wasm', 'js'] as const)('on %s', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test("the gain's gradient matches finite differences of the loss", () => {
    bw.setSeed(4);
    const model = bw.sequential({ layers: [bw.layers.dense({ units: 3, inputShape: [4] }), new Gain({ gainInitializer: 'glorotUniform' }),
      bw.layers.dense({ units: 2, activation: 'softmax' })] });
    model.compile({ optimizer: bw.optimizers.sgd({ learningRate: 1 }), loss: 'categoricalCrossentropy' });
    const r = seeded('gain layer');
    const x = bw.tensor(Float32Array.from(r.normal(6 * 4)), [6, 4]);
    const y = bw.tensor(Array.from({ length: 6 }, (_, i) => (i % 2 ? [0, 1] : [1, 0])));
    const w = model.getWeights(), gain = Array.from(w[2].dataSync()), h = 1e-2;
    const fd = gain.map((_, j) => {
      const at = (d: number) => {
        model.setWeights(w.map((t, i) => (i === 2 ? bw.tensor(gain.map((g, k) => (k === j ? g + d : g)), [3]) : t)));
        return model.evaluate(x, y, { batchSize: 6 }).loss;
      };
      return (at(h) - at(-h)) / (2 * h);
    });
    model.setWeights(w);
    model.trainOnBatch(x, y); // SGD with learning rate 1: the step is −gradient
    const step = Array.from(model.getWeights()[2].dataSync(), (g, j) => gain[j] - g);
    for (let j = 0; j < 3; j++) expect(step[j]).toBeCloseTo(fd[j], 3);
    expect(step.some((s) => Math.abs(s) > 1e-3)).toBe(true);
  });

  test('its option is checked, configured and cloned like a built-in layer', () => {
    expect(() => new Gain({ gainInitializer: 'twos' as never })).toThrow(/^gain: gainInitializer: expected one of/);
    const g = new Gain({ gainInitializer: 'zeros', inputShape: [5] });
    expect(g.gainInitializer).toBe('zeros');
    expect(g.className).toBe('Gain');
    expect(g.getConfig().gainInitializer).toEqual({ class_name: 'Zeros', config: {} });
    expect(g.clone([5]).getConfig()).toEqual(g.getConfig());
    expect(g.weightCountFor([2, 5])).toBe(5);
  });
});
