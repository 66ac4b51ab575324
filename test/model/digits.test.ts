/**
 * The seed's example: Dense(64, relu) -> BatchNormalization -> Dense(10, softmax) on UCI digits
 * (data/digits.csv, pixels scaled by 1/16) reaches >= 95% accuracy on a held-out, seeded, stratified 20% split.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, bw, loadDigits, mulberry32, setupBoth } from '../helpers/tfjs.js';

let digits: Awaited<ReturnType<typeof loadDigits>>;
beforeAll(async () => {
  await setupBoth();
  digits = await loadDigits();
});

/** Seeded stratified split: 20% of each class (rounded) is held out. */
function stratifiedSplit(y: Int32Array, fraction: number, seed: number): { train: number[]; test: number[] } {
  const rand = mulberry32(seed), train: number[] = [], test: number[] = [];
  for (let c = 0; c < 10; c++) {
    const idx = [...y.keys()].filter((i) => y[i] === c);
    for (let i = idx.length - 1; i > 0; i--) { const j = Math.floor(rand() * (i + 1)); [idx[i], idx[j]] = [idx[j], idx[i]]; }
    const k = Math.round(idx.length * fraction);
    test.push(...idx.slice(0, k));
    train.push(...idx.slice(k));
  }
  return { train, test };
}

function take(rows: number[]) {
  const x = new Float32Array(rows.length * 64), y = new Float32Array(rows.length);
  rows.forEach((r, i) => { x.set(digits.x.subarray(r * 64, (r + 1) * 64), i * 64); y[i] = digits.y[r]; });
  return { x: bw.tensor(x, [rows.length, 64]), y: bw.tensor(y, [rows.length]) };
}

describe.each(BACKENDS)('UCI digits on the %s backend', (backend) => {
  test('Dense(64, relu) -> BN -> Dense(10, softmax), Adam 0.01: >= 95% held-out accuracy', async () => {
    bw.setBackend(backend);
    expect(digits.rows).toBe(1797);
    const { train, test: held } = stratifiedSplit(digits.y, 0.2, 2024);
    expect(held.length).toBeGreaterThan(350);
    expect(new Set([...train, ...held]).size).toBe(digits.rows); // disjoint and complete
    bw.setSeed(42);
    const m = bw.sequential({ layers: [
      bw.layers.dense({ units: 64, activation: 'relu', inputShape: [64] }),
      bw.layers.batchNormalization(),
      bw.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    m.compile({ optimizer: bw.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const tr = take(train), te = take(held);
    const h = await m.fit(tr.x, tr.y, { epochs: 15, batchSize: 32 });
    expect(h.history.accuracy[14]).toBeGreaterThan(0.97);
    const { accuracy, loss } = m.evaluate(te.x, te.y);
    expect(Number.isFinite(loss)).toBe(true);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    // predict agrees with evaluate's accuracy
    const p = m.predict(te.x).dataSync(), labels = te.y.dataSync();
    let correct = 0;
    for (let i = 0; i < labels.length; i++) {
      let best = 0;
      for (let j = 1; j < 10; j++) if (p[i * 10 + j] > p[i * 10 + best]) best = j;
      if (best === labels[i]) correct++;
    }
    expect(correct / labels.length).toBeCloseTo(accuracy!, 6);
  });
});
