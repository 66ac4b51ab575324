/**
 * Mean absolute error, Huber and log-cosh on every kernel set: loss and gradient against the float64
 * reference on edge shapes, the gradient against central finite differences of the float64 loss, NaN
 * propagation, and against TensorFlow.js's meanAbsoluteError, huberLoss and logcosh.
 */
import { describe, expect, test } from 'vitest';
import type { RegressionLoss } from '../../src/backend/kernels.js';
import { available, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose, expectCloseScalar } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import { setupTf, tf } from '../helpers/tfjs.js';
import * as ref from '../reference/regression-losses.js';

const LOSSES: RegressionLoss[] = ['meanAbsoluteError', 'huber', 'logCosh'];
const SHAPES = [[1, 1], [3, 5], [13, 3], [257, 1], [4, 13], [64, 7]] as const;

describe.each(KERNEL_SETS)('regression losses on %s', (name) => {
  test.skipIf(!available(name)).each(LOSSES)('%s: loss and gradient vs float64 on edge shapes, δ = 1 and 0.37', (loss) => {
    const K = kernels(name);
    for (const [rows, cols] of SHAPES) {
      for (const delta of [1, Math.fround(0.37)]) {
        const rng = seeded(`regression:${loss}:${rows}:${cols}:${delta}`);
        const p = rng.uniform(rows * cols, -3, 3), t = rng.uniform(rows * cols, -3, 3);
        withHeap((h) => {
          const DP = h.out(rows * cols);
          const got = K.regressionLoss(rows, cols, h.put(p), h.put(t), DP, delta, loss);
          const want = ref.regressionLoss(loss, rows, cols, p, t, delta);
          const label = `${loss} ${rows}x${cols} δ=${delta}`;
          // f32 sums of ≤ 1024 terms; log-cosh's element is |e| + log1p(·) − log 2, absolute error ~ulp(1) each
          expectCloseScalar(label, got, want.loss, 64 * EPS32, 8 * EPS32 * rows);
          expectClose(`${label} dp`, h.read(DP), want.dp, { rtol: 8 * EPS32, atol: 1e-12 });
        });
      }
    }
  });

  test.skipIf(!available(name)).each(LOSSES)('%s: gradient matches central finite differences of the float64 loss', (loss) => {
    const K = kernels(name), rows = 5, cols = 3, delta = 0.8;
    const rng = seeded(`regression-fd:${loss}`);
    const p = Array.from(rng.uniform(rows * cols, -2, 2)), t = Array.from(rng.uniform(rows * cols, -2, 2));
    const kinkFree = p.every((v, i) => Math.abs(v - t[i]) > 1e-3 && Math.abs(Math.abs(v - t[i]) - delta) > 1e-3);
    expect(kinkFree, 'test data avoids the kinks').toBe(true);
    const mean = (q: number[]) => ref.regressionLoss(loss, rows, cols, q, t, delta).loss / rows;
    const hstep = 1e-6;
    const fd = p.map((_, i) => {
      const up = p.slice(), down = p.slice();
      up[i] += hstep; down[i] -= hstep;
      return (mean(up) - mean(down)) / (2 * hstep);
    });
    withHeap((h) => {
      const DP = h.out(rows * cols);
      K.regressionLoss(rows, cols, h.put(p), h.put(t), DP, delta, loss);
      expectClose(`${loss} dp vs finite differences`, h.read(DP), fd, { rtol: 1e-5, atol: 1e-7 });
    });
  });

  test.skipIf(!available(name))('a NaN prediction makes the loss and its own gradient NaN; huge errors stay finite', () => {
    const K = kernels(name);
    for (const loss of LOSSES) {
      withHeap((h) => {
        const DP = h.out(5);
        const l = K.regressionLoss(1, 5, h.put([NaN, 1, 2, 3, 4]), h.put([0, 0, 0, 0, 0]), DP, 1, loss);
        expect(Number.isNaN(l), loss).toBe(true);
        const dp = h.read(DP);
        expect(Number.isNaN(dp[0]) && dp.slice(1).every(Number.isFinite), `${loss} dp`).toBe(true);
        const big = K.regressionLoss(1, 2, h.put([1e30, -1e30]), h.put([0, 0]), DP, 1, loss);
        expect(Number.isFinite(big), `${loss} at ±1e30`).toBe(true);
      });
    }
  });
});

describe('regression losses against TensorFlow.js', () => {
  const rows = 13, cols = 3;
  const rng = seeded('regression-tf');
  const p = Array.from(rng.uniform(rows * cols, -3, 3)), t = Array.from(rng.uniform(rows * cols, -3, 3));

  /** TF.js's mean-over-everything loss for each, and its gradient w.r.t. p. */
  const tfLoss: Record<RegressionLoss, (yt: tf.Tensor, yp: tf.Tensor) => tf.Scalar> = {
    meanAbsoluteError: (yt, yp) => tf.metrics.meanAbsoluteError(yt, yp).mean(),
    huber: (yt, yp) => tf.losses.huberLoss(yt, yp, undefined, 0.8, tf.Reduction.MEAN),
    logCosh: (yt, yp) => tf.sub(tf.add(yp.sub(yt), tf.softplus(yp.sub(yt).mul(-2))), Math.log(2)).mean(),
  };

  test.each(LOSSES)('%s: mean loss and gradient match TF.js (wasm, js)', async (loss) => {
    await setupTf();
    const yt = tf.tensor2d(t, [rows, cols]);
    const fn = (yp: tf.Tensor) => tfLoss[loss](yt, yp);
    const want = fn(tf.tensor2d(p, [rows, cols])).dataSync()[0];
    const wantDp = tf.grad(fn)(tf.tensor2d(p, [rows, cols])).dataSync();
    for (const name of ['wasm', 'js'] as const) {
      withHeap((h) => {
        const DP = h.out(rows * cols);
        const got = kernels(name).regressionLoss(rows, cols, h.put(p), h.put(t), DP, 0.8, loss) / rows;
        expectCloseScalar(`${loss} on ${name}`, got, want, 1e-5, 1e-6);
        expectClose(`${loss} dp on ${name}`, h.read(DP), wantDp, { rtol: 1e-4, atol: 1e-7 });
      });
    }
  });
});
