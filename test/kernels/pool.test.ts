/**
 * Max and average pooling on every kernel set against the float64 reference over an edge grid (odd sizes,
 * 'same' padding with its uneven split, overlapping and gapped windows, windows as large as the image,
 * channels 1/3/13 across the 4-lane tails, batch 1); backward against central finite differences; ties
 * and NaN; and the tie rule against TF.js's own max-pool gradient.
 */
import { describe, expect, test } from 'vitest';
import { window2d, type Padding, type Window2D } from '../../src/backend/window2d.js';
import { available, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import { setupTf, tf } from '../helpers/tfjs.js';
import * as ref from '../reference/pool.js';

type Case = [batch: number, inH: number, inW: number, kH: number, kW: number, sH: number, sW: number, padding: Padding];
const GEOMETRIES: Case[] = [
  [1, 4, 4, 2, 2, 2, 2, 'valid'],   // the usual 2×2/2
  [2, 5, 7, 2, 2, 2, 2, 'same'],    // odd sizes: a padded last row/column
  [1, 7, 7, 3, 3, 2, 2, 'valid'],   // overlapping windows
  [3, 6, 5, 3, 2, 1, 1, 'same'],    // stride 1, rectangular, padding split 1/1 and 0/1
  [1, 9, 8, 2, 2, 3, 3, 'valid'],   // stride > window: gaps
  [2, 5, 6, 5, 6, 1, 1, 'valid'],   // window = image (global pooling)
  [1, 5, 6, 5, 6, 2, 3, 'same'],
  [2, 1, 9, 1, 3, 1, 2, 'same'],
];
const CHANNELS = [1, 3, 4, 13];

const geometry = ([batch, inH, inW, kH, kW, sH, sW, padding]: Case, channels: number): Window2D =>
  window2d(batch, [inH, inW, channels], [kH, kW], [sH, sW], padding);
const name = (g: Window2D) =>
  `b${g.batch} ${g.inH}×${g.inW}×${g.channels} k${g.kH}×${g.kW} s${g.strideH}×${g.strideW} pad${g.padTop},${g.padLeft}`;
const xLength = (g: Window2D) => g.batch * g.inH * g.inW * g.channels;
const yLength = (g: Window2D) => g.batch * g.outH * g.outW * g.channels;

function run(set: (typeof KERNEL_SETS)[number], g: Window2D, x: ArrayLike<number>, dy: ArrayLike<number>) {
  return withHeap((h) => {
    const K = kernels(set), X = h.put(x), DY = h.put(dy);
    const MY = h.out(yLength(g)), AY = h.out(yLength(g)), MDX = h.out(xLength(g), 5), ADX = h.out(xLength(g), 5);
    K.maxPool(g, X, MY);
    K.avgPool(g, X, AY);
    K.maxPoolBackward(g, X, DY, MDX);
    K.avgPoolBackward(g, DY, ADX);
    return { max: h.read(MY), avg: h.read(AY), maxDx: h.read(MDX), avgDx: h.read(ADX) };
  });
}

describe.each(KERNEL_SETS)('pooling on %s', (set) => {
  test.skipIf(!available(set))('max and average, forward and backward, over the edge grid (seed pool:…)', () => {
    for (const c of GEOMETRIES) {
      for (const channels of CHANNELS) {
        const g = geometry(c, channels), rng = seeded(`pool:${name(g)}`);
        const x = rng.normal(xLength(g), 0.5, 2), dy = rng.uniform(yLength(g));
        const got = run(set, g, x, dy), k = g.kH * g.kW;
        expectClose(`max ${name(g)}`, got.max, ref.maxPool(g, x), { rtol: 0 });
        expectClose(`avg ${name(g)}`, got.avg, ref.avgPool(g, x), { rtol: 2 * k * EPS32, atol: 2 * k * EPS32 });
        expectClose(`max dx ${name(g)}`, got.maxDx, ref.maxPoolBackward(g, x, dy), { rtol: 2 * k * EPS32, atol: 2 * k * EPS32 });
        expectClose(`avg dx ${name(g)}`, got.avgDx, ref.avgPoolBackward(g, dy), { rtol: 2 * k * EPS32, atol: 2 * k * EPS32 });
      }
    }
  });

  test.skipIf(!available(set))('backward = central finite differences of L = Σ r·pool(x) (float64, seed poolFD)', () => {
    for (const c of [GEOMETRIES[1], GEOMETRIES[2], GEOMETRIES[3]]) {
      const g = geometry(c, 3), rng = seeded(`poolFD:${name(g)}`), hstep = 1e-4;
      // distinct values a step apart: no two within 2·hstep, so the max positions do not move
      const x = Float64Array.from(rng.uniform(xLength(g)), (_, i) => Math.fround(((i * 7919) % xLength(g)) * 0.01));
      const r = rng.uniform(yLength(g));
      const fd = (pool: (p: Float64Array) => Float64Array) => Float64Array.from(x, (_, i) => {
        const up = Float64Array.from(x), dn = Float64Array.from(x);
        up[i] += hstep; dn[i] -= hstep;
        const L = (p: Float64Array) => pool(p).reduce((s, v, j) => s + v * r[j], 0);
        return (L(up) - L(dn)) / (2 * hstep);
      });
      const got = run(set, g, x, r);
      expectClose(`max dx vs FD ${name(g)}`, got.maxDx, fd((p) => ref.maxPool(g, p)), { rtol: 1e-5, atol: 1e-5 });
      expectClose(`avg dx vs FD ${name(g)}`, got.avgDx, fd((p) => ref.avgPool(g, p)), { rtol: 1e-5, atol: 1e-5 });
    }
  });

  test.skipIf(!available(set))('ties: the first maximum in window order takes the gradient (seed poolTies)', () => {
    for (const c of GEOMETRIES) {
      const g = geometry(c, 5), rng = seeded(`poolTies:${name(g)}`);
      const x = Float64Array.from(rng.uniform(xLength(g)), (v) => Math.round(v)); // −1, 0, 1: ties everywhere
      const dy = rng.uniform(yLength(g));
      expectClose(`max dx with ties ${name(g)}`, run(set, g, x, dy).maxDx, ref.maxPoolBackward(g, x, dy), { rtol: 4 * EPS32, atol: 4 * EPS32 });
    }
  });

  test.skipIf(!available(set))('NaN: max and average of a window holding one are NaN; the max gradient goes to the first NaN', () => {
    const g = geometry([2, 5, 7, 3, 3, 2, 2, 'same'], 6), rng = seeded('poolNaN');
    const x = rng.normal(xLength(g)), dy = rng.uniform(yLength(g));
    x[((1 * g.inH + 2) * g.inW + 3) * 6 + 4] = NaN;
    x[((1 * g.inH + 2) * g.inW + 4) * 6 + 4] = NaN;
    const got = run(set, g, x, dy), wantMax = ref.maxPool(g, x);
    expect(wantMax.filter(Number.isNaN).length).toBeGreaterThan(0);
    expectClose('max', got.max, wantMax, { rtol: 0 });
    expectClose('avg', got.avg, ref.avgPool(g, x), { rtol: 2 * 9 * EPS32, atol: 2 * 9 * EPS32 });
    expectClose('max dx', got.maxDx, ref.maxPoolBackward(g, x, dy), { rtol: 4 * EPS32, atol: 4 * EPS32 });
  });
});

test.skipIf(!available('wasm'))('every WASM set agrees with the JS twin on the same bytes (NaN included, seed poolAgree)', () => {
  for (const c of GEOMETRIES) {
    const g = geometry(c, 13), rng = seeded(`poolAgree:${name(g)}`);
    const x = rng.normal(xLength(g)), dy = rng.uniform(yLength(g));
    x[3] = NaN;
    const js = run('js', g, x, dy), k = g.kH * g.kW;
    for (const set of KERNEL_SETS.filter((s) => s !== 'js' && available(s))) {
      const got = run(set, g, x, dy);
      expectClose(`max ${set} ${name(g)}`, got.max, js.max, { rtol: 0 });
      expectClose(`avg ${set} ${name(g)}`, got.avg, js.avg, { rtol: 2 * k * EPS32, atol: 2 * k * EPS32 });
      expectClose(`max dx ${set} ${name(g)}`, got.maxDx, js.maxDx, { rtol: 2 * k * EPS32, atol: 2 * k * EPS32 });
      expectClose(`avg dx ${set} ${name(g)}`, got.avgDx, js.avgDx, { rtol: 2 * k * EPS32, atol: 2 * k * EPS32 });
    }
  }
});

describe('pooling semantics against TF.js (cpu)', () => {
  test('max-pool forward and gradient on tie-heavy data match tf.maxPool and its gradient', async () => {
    await setupTf();
    for (const [i, c] of GEOMETRIES.entries()) {
      const g = geometry(c, 3), rng = seeded(`poolTf:${i}`);
      const x = Float64Array.from(rng.uniform(xLength(g)), (v) => Math.round(2 * v));
      const dy = rng.uniform(yLength(g));
      const pad = c[7];
      const { value, grads } = tf.tidy(() => {
        const xt = tf.tensor4d(Float32Array.from(x), [g.batch, g.inH, g.inW, 3]);
        const dyt = tf.tensor4d(Float32Array.from(dy), [g.batch, g.outH, g.outW, 3]);
        const f = (t: tf.Tensor4D) => tf.maxPool(t, [g.kH, g.kW], [g.strideH, g.strideW], pad);
        const vg = tf.valueAndGrad((t: tf.Tensor) => tf.sum(tf.mul(f(t as tf.Tensor4D), dyt)));
        const out = vg(xt);
        return { value: f(xt).dataSync(), grads: out.grad.dataSync() };
      });
      const got = run('wasm', g, x, dy);
      expectClose(`max ${name(g)}`, got.max, value, { rtol: 0 });
      expectClose(`max dx ${name(g)}`, got.maxDx, grads, { rtol: 4 * EPS32, atol: 4 * EPS32 });
    }
  });
});
