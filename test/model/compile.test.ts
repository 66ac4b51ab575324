/**
 * compile: what it accepts, and that a model cannot be recompiled while fit runs.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import * as bw from '../../src/index.js';

beforeAll(() => bw.ready());

describe.each(['wasm', 'js'] as const)('on %s', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('compile() from a callback during fit is refused, and fit goes on with what it started with', async () => {
    const model = bw.sequential({ layers: [bw.layers.dense({ units: 2, activation: 'softmax', inputShape: [3] })] });
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const errors: string[] = [];
    const x = bw.tensor([[1, 2, 3], [3, 2, 1], [0, 1, 0], [1, 0, 1]]), y = bw.tensor([0, 1, 0, 1]);
    const history = await model.fit(x, y, { epochs: 2, batchSize: 2, callbacks: {
      onBatchEnd: () => { try { model.compile({ optimizer: 'adam', loss: 'meanSquaredError' }); } catch (e) { errors.push((e as Error).message); } },
    } });
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/^compile: .* is training/);
    expect(model.loss).toBe('sparseCategoricalCrossentropy');
    expect(history.history.loss.every(Number.isFinite)).toBe(true);
  });
});

test("compile rejects metrics other than 'accuracy'", () => {
  const model = bw.sequential({ layers: [bw.layers.dense({ units: 2, inputShape: [3] })] });
  expect(() => model.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['acc'] })).toThrow(/^compile: metrics: expected \['accuracy'\] or \[\], got \["acc"\]/);
});
