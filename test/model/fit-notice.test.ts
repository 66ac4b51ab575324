/**
 * fit's notice about BatchNormalization layers whose moving statistics still hold more than 5 % of their
 * initial values (momentum^updates > 0.05): at the end of fit (when the program next yields to the event loop),
 * naming the layers and calibrateBatchNorm; once for fit calls in a row; nothing after enough steps, after
 * calibration (right after fit or from onTrainEnd), for frozen layers or with loaded statistics.
 */
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { BACKENDS, bw, randn, setupBoth } from '../helpers/tfjs.js';

beforeAll(setupBoth);
afterEach(() => vi.restoreAllMocks());

function model(momentum = 0.99, trainable = true) {
  bw.setSeed(1);
  const m = bw.sequential({ layers: [
    bw.layers.dense({ units: 4, inputShape: [3] }),
    bw.layers.batchNormalization({ momentum, name: 'bn_first' }),
    bw.layers.dense({ units: 4 }),
    bw.layers.batchNormalization({ momentum, trainable, name: 'bn_second' }),
    bw.layers.dense({ units: 1 }),
  ] });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return m;
}
const x = bw.tensor(randn(60, 1), [20, 3]), y = bw.tensor(randn(20, 2), [20, 1]);
/** Lets the notice fit scheduled run. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe.each(BACKENDS)('the end-of-fit notice on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test('after few steps: one console.warn naming each layer, its share and the remedy', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = model();
    await m.fit(x, y, { epochs: 10, batchSize: 5 }); // 40 updates: 0.99^40 = 67 %
    expect(warn).not.toHaveBeenCalled();
    await tick();
    expect(warn).toHaveBeenCalledTimes(1);
    const text = String(warn.mock.calls[0][0]);
    expect(text).toContain('bn_first (67 %)');
    expect(text).toContain('bn_second (67 %)');
    expect(text).toContain('calibrateBatchNorm');
    expect((m.layers[1] as bw.BatchNormalization).initialStatisticsShare).toBeCloseTo(0.99 ** 40, 12);
  });

  test('nothing when momentum^updates <= 0.05, and the share keeps counting across fit calls', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = model(0.9);
    await m.fit(x, y, { epochs: 7, batchSize: 5 }); // 0.9^28 = 5.2 %: still above
    await tick();
    expect(warn).toHaveBeenCalledTimes(1);
    await m.fit(x, y, { epochs: 1, batchSize: 5 }); // 0.9^32 = 3.4 %
    await tick();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  test('fit calls in a row: one notice; calibrateBatchNorm right after fit: none', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = model();
    for (let i = 0; i < 3; i++) await m.fit(x, y, { epochs: 1, batchSize: 5 });
    await tick();
    expect(warn).toHaveBeenCalledTimes(1);
    const n = model();
    await n.fit(x, y, { epochs: 1, batchSize: 5 });
    await n.calibrateBatchNorm(x);
    await tick();
    expect(warn).toHaveBeenCalledTimes(1);
  });

  test('nothing after calibrateBatchNorm, also when called from onTrainEnd; frozen layers are not named', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const m = model();
    await m.fit(x, y, { epochs: 2, batchSize: 5, callbacks: { onTrainEnd: () => m.calibrateBatchNorm(x) } });
    await tick();
    await m.fit(x, y, { epochs: 1, batchSize: 5 }); // calibrated statistics hold no initial values
    await tick();
    expect(warn).not.toHaveBeenCalled();
    const frozen = model(0.99, false);
    await frozen.fit(x, y, { epochs: 2, batchSize: 5 });
    await tick();
    expect(String(warn.mock.calls[0][0])).toContain('bn_first');
    expect(String(warn.mock.calls[0][0])).not.toContain('bn_second');
  });

  test('nothing for statistics that came from elsewhere (setWeights, a loaded model)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const trained = model();
    await trained.fit(x, y, { epochs: 40, batchSize: 5 }); // 160 updates: 20 %, so this one warns
    await tick();
    expect(warn).toHaveBeenCalledTimes(1);
    const copy = model();
    copy.setWeights(trained.getWeights());
    await copy.fit(x, y, { epochs: 1, batchSize: 5 });
    let saved: bw.ModelArtifacts | undefined;
    await trained.save({ save: async (a) => { saved = a; return {}; } });
    const loaded = await bw.loadModel({ load: async () => saved! });
    loaded.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await loaded.fit(x, y, { epochs: 1, batchSize: 5 });
    await tick();
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
