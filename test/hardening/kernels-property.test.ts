/**
 * Property-based conformance (fast-check): every kernel of every WASM build ('wasm', and 'wasm-relaxed'
 * where the engine runs it) equals the float64 spec in test/reference/ and the JS kernels, on random
 * small shapes and value regimes: ±0, subnormals, 1e-30 and 1e30 magnitudes, a 1e4 offset (|mean| ≫ std),
 * constant features and a batch of one. Finite input never gives NaN where the spec is finite, and
 * NaN/±Infinity propagate as the spec says. Seeds are fixed, so a failure replays (PROP_SEED and PROP_RUNS
 * override them for a longer search).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Act, F32, Kernels } from '../../src/backend/kernels.js';
import { available, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap, type KernelHeap } from '../helpers/kernel-heap.js';
import * as actRef from '../reference/activation.js';
import * as statsRef from '../reference/batch-stats.js';
import * as bnRef from '../reference/bnorm.js';
import * as elemRef from '../reference/elementwise.js';
import * as gemmRef from '../reference/gemm.js';
import * as lossRef from '../reference/losses.js';
import * as optRef from '../reference/optimizers.js';
import * as smRef from '../reference/softmax.js';

const RUNS = { numRuns: Number(process.env.PROP_RUNS ?? 60), seed: Number(process.env.PROP_SEED ?? 20240607) };
const WASM_SETS = (['wasm', 'wasm-relaxed'] as const).filter(available);
const ALL_SETS = ['js', ...WASM_SETS] as const;

// ---------------------------------------------------------------------------------------------
// value regimes

type Regime = 'unit' | 'tiny' | 'huge' | 'offset' | 'constant' | 'specials';
const REGIMES: Regime[] = ['unit', 'tiny', 'huge', 'offset', 'constant', 'specials'];
/** Finite edge values: signed zeros, subnormals, the smallest normal, near-1 and the largest float32s. */
const SPECIALS = [0, -0, 1e-45, -1e-45, 1e-40, -3e-39, 1.1754944e-38, 1, -1, 0.5, 3e38, -3e38, 1e-30, 1e30];

/** n float32 values of a regime, drawn from `u` (uniform numbers in [-1, 1]). */
function values(regime: Regime, u: number[], n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = u[i % u.length] * (1 + (i / u.length | 0) * 1e-3);
    switch (regime) {
      case 'unit': out[i] = r; break;
      case 'tiny': out[i] = r * 1e-30; break;
      case 'huge': out[i] = r * 1e30; break;
      case 'offset': out[i] = 1e4 + r; break;
      case 'constant': out[i] = 7.25; break;
      case 'specials': out[i] = i % 3 === 0 ? SPECIALS[Math.floor(Math.abs(r) * SPECIALS.length) % SPECIALS.length] : r; break;
    }
  }
  // a few exact signed zeros and subnormals inside the 'unit' regime too
  if (regime === 'unit' && n > 2) { out[0] = -0; out[n - 1] = 1e-41; }
  return out;
}

const dims = (max: number) => fc.integer({ min: 1, max });
const unitArray = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 64 });
const regime = fc.constantFrom(...REGIMES);
/** The 'specials' regime includes ±3e38, whose products and squares overflow: moderate regimes for quadratic kernels. */
const quiet = fc.constantFrom<Regime>('unit', 'tiny', 'offset', 'constant');

/**
 * Results below the smallest normal float32 may come out as 0 (a SIMD reduction that scales by 1/rows,
 * or accumulates in another order, can underflow where the f64 spec keeps a subnormal): the absolute
 * tolerance of every inexact comparison. Exact kernels (multiply, transpose) pass atol 0.
 */
const SUBNORMAL = 1.1754944e-38;
const f32 = (v: ArrayLike<number>) => Float64Array.from(v, Math.fround);
const maxAbs = (v: ArrayLike<number>) => { let m = 0; for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i])); return m; };

/** Runs `body` on every kernel set and returns what each produced, keyed by set. */
function onEverySet<T>(body: (k: Kernels, h: KernelHeap) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const name of ALL_SETS) out[name] = withHeap((h) => body(kernels(name), h));
  return out;
}

/** Each WASM set's output against the reference, and against the JS kernels (tolerance doubled). */
function agree(label: string, got: Record<string, ArrayLike<number>>, want: ArrayLike<number>, scale?: ArrayLike<number>, rtol = 8 * EPS32, atol = SUBNORMAL,
  nonFinite: 'exact' | 'any' = 'exact'): void {
  if (nonFinite === 'any') {
    // only finiteness must agree: NaN and ±Infinity all read as NaN
    const blur = (v: ArrayLike<number>) => Float64Array.from(v, (x) => (Number.isFinite(x) ? x : NaN));
    got = Object.fromEntries(Object.entries(got).map(([k, v]) => [k, blur(v)]));
    want = blur(want);
  }
  for (const name of ALL_SETS) expectClose(`${label} [${name} vs f64]`, got[name], f32(want), { rtol, atol, scale });
  for (const name of WASM_SETS) {
    expectClose(`${label} [${name} vs js]`, got[name], got.js, { rtol: 2 * rtol, atol: 2 * atol, scale: scale ?? Float64Array.from(want, Math.abs) });
  }
}

describe('kernel properties (fast-check): every WASM kernel equals the JS kernel and the float64 spec', () => {
  test(`kernel sets under test: js, ${WASM_SETS.join(', ')}`, () => {
    expect(WASM_SETS).toContain('wasm');
  });

  test('gemm nn/tn/nt, overwrite and accumulate, random m, n, k and value regimes', () => {
    fc.assert(fc.property(fc.constantFrom('nn', 'tn', 'nt'), dims(9), dims(9), dims(19), regime, unitArray, unitArray, fc.boolean(),
      (op, m, n, k, reg, ua, ub, accumulate) => {
        const a = values(reg, ua, m * k), b = values('unit', ub, k * n), c0 = values('unit', ub.slice(1).concat(ua), m * n);
        const want = gemmRef.gemm(op, m, n, k, a, b, accumulate ? c0 : null);
        const got = onEverySet((K, h) => { const c = h.put(c0); K.gemm(m, n, k, h.put(a), h.put(b), c, op, accumulate); return h.read(c); });
        agree(`gemm ${op} ${m}x${n}x${k} ${reg}`, got, want.c, want.mag, 4 * (k + 1) * EPS32);
      }), RUNS);
  });

  test('dense: every activation, with and without bias', () => {
    fc.assert(fc.property(fc.constantFrom<Act>('linear', 'relu', 'sigmoid', 'tanh'), dims(9), dims(9), dims(17), regime, unitArray, unitArray, fc.boolean(),
      (act, m, n, k, reg, ua, ub, useBias) => {
        const x = values(reg, ua, m * k), w = values('unit', ub, k * n), bias = useBias ? values('unit', ua, n) : null;
        const want = gemmRef.dense(m, n, k, x, w, bias, act);
        const got = onEverySet((K, h) => { const y = h.out(m * n); K.dense(m, n, k, h.put(x), h.put(w), bias && h.put(bias), y, act); return h.read(y); });
        agree(`dense ${act} ${m}x${n}x${k} ${reg}`, got, want.y, Float64Array.from(want.mag, (v, i) => v + Math.abs(want.y[i])), 4 * (k + 2) * EPS32);
      }), RUNS);
  });

  test('sumRows, overwrite and accumulate', () => {
    fc.assert(fc.property(dims(40), dims(21), regime, unitArray, fc.boolean(), (rows, cols, reg, u, accumulate) => {
      const x = values(reg, u, rows * cols), o0 = values('unit', u, cols);
      const want = statsRef.sumRows(rows, cols, x, accumulate ? o0 : null);
      const mag = statsRef.sumRows(rows, cols, Float64Array.from(x, Math.abs), accumulate ? Float64Array.from(o0, Math.abs) : null);
      const got = onEverySet((K, h) => { const o = h.put(o0); K.sumRows(rows, cols, h.put(x), o, accumulate); return h.read(o); });
      agree(`sumRows ${rows}x${cols} ${reg}`, got, want, mag, 2 * (rows + 1) * EPS32);
    }), RUNS);
  });

  test('batchStats: two-pass mean and biased variance; constant features give variance 0, never NaN', () => {
    fc.assert(fc.property(dims(40), dims(21), quiet, unitArray, (rows, cols, reg, u) => {
      const x = values(reg, u, rows * cols);
      const want = statsRef.batchStats(rows, cols, x), s = statsScale(rows, x, want.variance);
      const got = onEverySet((K, h) => {
        const mean = h.out(cols), variance = h.out(cols);
        K.batchStats(rows, cols, h.put(x), mean, variance);
        return { mean: h.read(mean), variance: h.read(variance) };
      });
      agree(`batchStats mean ${rows}x${cols} ${reg}`, mapSets(got, 'mean'), want.mean, s.mean, EPS32);
      agree(`batchStats variance ${rows}x${cols} ${reg}`, mapSets(got, 'variance'), want.variance, s.variance, EPS32);
      for (const name of ALL_SETS) expect(Array.from(got[name].variance).every((v) => v >= 0)).toBe(true);
    }), RUNS);
  });

  test('bnormForwardTrain: y, mean, variance, invStd (batch of one and constant features give y = beta)', () => {
    fc.assert(fc.property(dims(24), dims(13), quiet, unitArray, fc.boolean(), fc.boolean(), fc.constantFrom(1e-3, 1e-5, 0.5),
      (rows, cols, reg, u, useGamma, useBeta, eps) => {
        const x = values(reg, u, rows * cols), gamma = useGamma ? values('unit', u.slice(1).concat([0.5]), cols) : null;
        const beta = useBeta ? values('unit', u, cols) : null;
        const want = bnRef.forwardTrain(rows, cols, x, gamma, beta, eps), s = statsScale(rows, x, want.variance);
        const got = onEverySet((K, h) => {
          const y = h.out(rows * cols), mean = h.out(cols), variance = h.out(cols), invStd = h.out(cols);
          K.bnormForwardTrain(rows, cols, h.put(x), gamma && h.put(gamma), beta && h.put(beta), y, mean, variance, invStd, eps);
          return { y: h.read(y), invStd: h.read(invStd) };
        });
        // invStd's relative error follows the variance's; y's error: δ·invStd plus |x − mean|·invStd·that
        const rel = Float64Array.from(want.variance, (v, j) => 0.5 * s.variance[j] * EPS32 / (v + eps) + 4 * EPS32);
        agree(`bnormForwardTrain invStd ${rows}x${cols} ${reg}`, mapSets(got, 'invStd'), want.invStd, Float64Array.from(want.invStd, (v, j) => v * rel[j] / EPS32), EPS32);
        const yScale = Float64Array.from(want.y, (_, i) => {
          const j = i % cols, g = Math.abs(gamma ? gamma[j] : 1), d = Math.abs(x[i] - want.mean[j]);
          return (g * want.invStd[j] * (s.delta + d * rel[j] + 4 * EPS32 * d) + 4 * EPS32 * Math.abs(want.y[i])) / EPS32;
        });
        agree(`bnormForwardTrain y ${rows}x${cols} ${reg}`, mapSets(got, 'y'), want.y, yScale, EPS32, 1e-6);
        if (rows === 1 || reg === 'constant') {
          for (const name of ALL_SETS) expectClose(`${name}: y = beta`, got[name].y, Float64Array.from(want.y, (_, i) => (beta ? f32(beta)[i % cols] : 0)), { atol: 1e-6 });
        }
      }), RUNS);
  });

  test('bnormFold, scaleShift and movingAverage, element-wise', () => {
    fc.assert(fc.property(dims(16), dims(13), regime, unitArray, fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }),
      (rows, cols, reg, u, centered, momentum) => {
        const mean = values(reg === 'specials' ? 'unit' : reg, u, cols), variance = Float32Array.from(values('unit', u, cols), Math.abs);
        const gamma = values('unit', u.slice(2).concat([1]), cols), beta = values('unit', u, cols), eps = 1e-3;
        const fold = bnRef.fold(cols, mean, variance, gamma, beta, eps);
        const gotFold = onEverySet((K, h) => {
          const sc = h.out(cols), sh = h.out(cols);
          K.bnormFold(cols, h.put(mean), h.put(variance), h.put(gamma), h.put(beta), sc, sh, eps);
          return { scale: h.read(sc), shift: h.read(sh) };
        });
        agree(`bnormFold scale ${reg}`, mapSets(gotFold, 'scale'), fold.scale, undefined, 8 * EPS32);
        agree(`bnormFold shift ${reg}`, mapSets(gotFold, 'shift'), fold.shift,
          Float64Array.from(fold.shift, (_, j) => Math.abs(beta[j]) + Math.abs(mean[j] * fold.scale[j])), 8 * EPS32);

        const x = values(reg, u.slice(1).concat([0.25]), rows * cols), scale = f32(fold.scale);
        const want = bnRef.scaleShift(rows, cols, x, centered ? mean : null, scale, beta);
        const mag = Float64Array.from(want, (_, i) => { const j = i % cols; return (Math.abs(x[i]) + (centered ? Math.abs(mean[j]) : 0)) * Math.abs(scale[j]) + Math.abs(beta[j]); });
        const got = onEverySet((K, h) => {
          const y = h.out(rows * cols);
          K.scaleShift(rows, cols, h.put(x), centered ? h.put(mean) : null, h.put(scale), h.put(beta), y);
          return h.read(y);
        });
        agree(`scaleShift ${rows}x${cols} ${reg}`, got, want, mag, 4 * EPS32);

        const m = Math.fround(momentum), bm = values(reg === 'specials' ? 'unit' : reg, u, cols), bv = Float32Array.from(values('unit', u.slice(3).concat([2]), cols), Math.abs);
        const wantMean = bnRef.movingAverage(bm, mean, m), wantVar = bnRef.movingAverage(bv, variance, m);
        const gotMa = onEverySet((K, h) => {
          const mm = h.put(mean), mv = h.put(variance);
          K.movingAverage(cols, h.put(bm), h.put(bv), mm, mv, m);
          return { mean: h.read(mm), variance: h.read(mv) };
        });
        const maScale = (a: ArrayLike<number>, b: ArrayLike<number>) => Float64Array.from(a, (v, j) => Math.abs(v) + Math.abs(b[j]));
        agree(`movingAverage mean ${reg}`, mapSets(gotMa, 'mean'), wantMean, maScale(mean, bm), 4 * EPS32);
        agree(`movingAverage variance ${reg}`, mapSets(gotMa, 'variance'), wantVar, maScale(variance, bv), 4 * EPS32);
      }), RUNS);
  });

  test('bnormBackward: dx, dgamma, dbeta against the spec (statistics from the f64 forward)', () => {
    fc.assert(fc.property(dims(24), dims(13), quiet, unitArray, unitArray, fc.boolean(), (rows, cols, reg, u, ud, useGamma) => {
      const x = values(reg, u, rows * cols), dy = values('unit', ud, rows * cols), gamma = useGamma ? values('unit', ud.slice(1).concat([2]), cols) : null;
      const fwd = bnRef.forwardTrain(rows, cols, x, null, null, 1e-3);
      const mean = f32(fwd.mean), invStd = f32(fwd.invStd);
      const want = bnRef.backward(rows, cols, dy, x, mean, invStd, gamma);
      const got = onEverySet((K, h) => {
        const dx = h.out(rows * cols), dg = h.out(cols), db = h.out(cols);
        K.bnormBackward(rows, cols, h.put(dy), h.put(x), h.put(mean), h.put(invStd), gamma && h.put(gamma), dx, dg, db);
        return { dx: h.read(dx), dgamma: h.read(dg), dbeta: h.read(db) };
      });
      // x̂ is centred on x's own mean (mean + the residual Σ(x − mean)/rows), so the rounding of mean costs nothing;
      // the residual's own sum errs by a few ulps of the centred values, max|x − mean|·invStd, times Σ|dy|
      const xhatErr = Float64Array.from(invStd, (s, j) => {
        let d = 0;
        for (let i = 0; i < rows; i++) d = Math.max(d, Math.abs(x[i * cols + j] - mean[j]));
        return 4 * EPS32 * d * s;
      });
      const sumAbs = (f: (i: number, j: number) => number) => Float64Array.from({ length: cols }, (_, j) => { let t = 0; for (let i = 0; i < rows; i++) t += Math.abs(f(i, j)); return t; });
      const xhat = (i: number, j: number) => (x[i * cols + j] - mean[j]) * invStd[j];
      const sdy = sumAbs((i, j) => dy[i * cols + j]), sdyx = sumAbs((i, j) => dy[i * cols + j] * xhat(i, j));
      const gScale = Float64Array.from(sdyx, (v, j) => (2 * rows * EPS32 * v + xhatErr[j] * sdy[j]) / EPS32);
      agree(`bnormBackward dbeta ${rows}x${cols} ${reg}`, mapSets(got, 'dbeta'), want.dbeta, sdy, 2 * rows * EPS32);
      agree(`bnormBackward dgamma ${rows}x${cols} ${reg}`, mapSets(got, 'dgamma'), want.dgamma, gScale, EPS32);
      const dxScale = Float64Array.from(want.dx, (_, i) => {
        const j = i % cols, g = Math.abs(gamma ? gamma[j] : 1) * invStd[j], xh = Math.abs(xhat(i / cols | 0, j));
        return g * (8 * EPS32 * (Math.abs(dy[i]) + sdy[j] / rows + xh * sdyx[j] / rows) + xh * gScale[j] * EPS32 / rows + xhatErr[j] * sdyx[j] / rows) / EPS32;
      });
      agree(`bnormBackward dx ${rows}x${cols} ${reg}`, mapSets(got, 'dx'), want.dx, dxScale, EPS32, 1e-6);
    }), RUNS);
  });

  test('activations forward and backward, every value regime (sigmoid/tanh saturate, never NaN from finite input)', () => {
    fc.assert(fc.property(fc.constantFrom<Act>('linear', 'relu', 'sigmoid', 'tanh'), dims(70), regime, unitArray, unitArray, (act, n, reg, u, ud) => {
      const x = values(reg, u, n), dy = values('unit', ud, n);
      const want = actRef.act(act, x);
      const got = onEverySet((K, h) => { const y = h.out(n); K.activation(n, h.put(x), y, act); return h.read(y); });
      agree(`activation ${act} ${reg}`, got, want, undefined, 8 * EPS32, 1e-7);
      const y = f32(want), wantB = actRef.actBackward(act, y, dy);
      const gotB = onEverySet((K, h) => { const dx = h.out(n); K.activationBackward(n, h.put(y), h.put(dy), dx, act); return h.read(dx); });
      agree(`activationBackward ${act} ${reg}`, gotB, wantB, Float64Array.from(dy, Math.abs), 8 * EPS32);
    }), RUNS);
  });

  test('softmax forward/backward: rows sum to 1 even for 1e30 logits, a one-column softmax is 1', () => {
    fc.assert(fc.property(dims(9), dims(17), regime, unitArray, unitArray, (rows, cols, reg, u, ud) => {
      const x = values(reg, u, rows * cols), dy = values('unit', ud, rows * cols);
      const want = smRef.softmax(rows, cols, x);
      const got = onEverySet((K, h) => { const y = h.out(rows * cols); K.softmax(rows, cols, h.put(x), y); return h.read(y); });
      agree(`softmax ${rows}x${cols} ${reg}`, got, want, undefined, 16 * cols * EPS32, 1e-7);
      const y = f32(want), wantB = smRef.softmaxBackward(rows, cols, y, dy);
      const gotB = onEverySet((K, h) => { const dz = h.out(rows * cols); K.softmaxBackward(rows, cols, h.put(y), h.put(dy), dz); return h.read(dz); });
      agree(`softmaxBackward ${rows}x${cols} ${reg}`, gotB, wantB, Float64Array.from(y, (v, i) => v * (Math.abs(dy[i]) + maxAbs(dy))), 8 * cols * EPS32, 1e-7);
    }), RUNS);
  });

  /** One-hot targets of `rows` rows from u. */
  const oneHot = (rows: number, cols: number, u: number[]) => {
    const t = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) t[i * cols + Math.floor(Math.abs(u[i % u.length]) * cols) % cols] = 1;
    return t;
  };

  test('losses: softmax cross-entropy, cross-entropy, binary cross-entropy and MSE with their gradients (clipped, finite)', () => {
    fc.assert(fc.property(dims(9), fc.integer({ min: 2, max: 11 }), regime, unitArray, unitArray, (rows, cols, reg, u, ut) => {
      const logits = values(reg, u, rows * cols), t = oneHot(rows, cols, ut), n = rows * cols;
      const sce = lossRef.softmaxCrossEntropy(rows, cols, logits, t);
      const got = onEverySet((K, h) => {
        const probs = h.out(n), dl = h.out(n);
        const loss = K.softmaxCrossEntropy(rows, cols, h.put(logits), h.put(t), probs, dl);
        return { loss: [loss], probs: h.read(probs), dl: h.read(dl) };
      });
      agree(`softmaxCrossEntropy loss ${reg}`, mapSets(got, 'loss'), [sce.loss], [Math.max(sce.loss, rows)], 64 * cols * EPS32);
      agree(`softmaxCrossEntropy dlogits ${reg}`, mapSets(got, 'dl'), sce.dlogits, undefined, 0, 64 * cols * EPS32 / rows);

      // probabilities in (0, 1) from the regime (huge/specials fold into [0, 1] through |sin|)
      const p = Float32Array.from(values(reg, u, n), (v) => Math.abs(Math.sin(v)) * 0.98 + 0.01), target = Float32Array.from(values('unit', ut, n), Math.abs);
      for (const [name, ref, run] of [
        ['crossEntropy', lossRef.crossEntropy(rows, cols, p, t), (K: Kernels, a: F32, b: F32, c: F32) => K.crossEntropy(rows, cols, a, b, c)],
        ['binaryCrossEntropy', lossRef.binaryCrossEntropy(rows, cols, p, target), (K: Kernels, a: F32, b: F32, c: F32) => K.binaryCrossEntropy(rows, cols, a, b, c)],
        ['meanSquaredError', lossRef.meanSquaredError(rows, cols, p, target), (K: Kernels, a: F32, b: F32, c: F32) => K.meanSquaredError(rows, cols, a, b, c)],
      ] as const) {
        const tt = name === 'crossEntropy' ? t : target;
        const res = onEverySet((K, h) => { const dp = h.out(n); const loss = run(K, h.put(p), h.put(tt), dp); return { loss: [loss], dp: h.read(dp) }; });
        agree(`${name} loss ${reg}`, mapSets(res, 'loss'), [ref.loss], [Math.max(Math.abs(ref.loss), 1)], 64 * cols * EPS32);
        agree(`${name} dp ${reg}`, mapSets(res, 'dp'), ref.dp, Float64Array.from(ref.dp, () => maxAbs(ref.dp)), 64 * cols * EPS32);
      }
    }), RUNS);
  });

  test('optimizers: SGD (plain, momentum, Nesterov) and Adam, element-wise', () => {
    fc.assert(fc.property(dims(70), regime, unitArray, unitArray, fc.constantFrom(0, 0.9), fc.boolean(), fc.integer({ min: 1, max: 50 }),
      (n, reg, u, ug, momentum, nesterov, t) => {
        const w = values('unit', u, n), g = values(reg === 'huge' || reg === 'specials' ? 'unit' : reg, ug, n), v0 = values('unit', ug.slice(1).concat([0.1]), n);
        const lr = Math.fround(0.01), sgd = optRef.sgd(w, g, momentum ? v0 : null, lr, momentum, nesterov);
        const got = onEverySet((K, h) => {
          const W = h.put(w), V = momentum ? h.put(v0) : null;
          K.sgd(n, h.put(g), W, V, lr, momentum, nesterov);
          return { w: h.read(W), v: V ? h.read(V) : new Float64Array(0) };
        });
        const scale = Float64Array.from(w, (x, i) => Math.abs(x) + lr * Math.abs(g[i]) + Math.abs(v0[i]));
        agree(`sgd w m=${momentum} ${reg}`, mapSets(got, 'w'), sgd.w, scale, 8 * EPS32);
        if (momentum) agree(`sgd v ${reg}`, mapSets(got, 'v'), sgd.v!, scale, 8 * EPS32);

        const m0 = values('unit', u, n), s0 = Float32Array.from(values('unit', ug, n), (x) => x * x);
        // scalars as the WASM kernels receive them (float32): 1 − β2 cancels, so β2's rounding would show
        const b1 = Math.fround(0.9), b2 = Math.fround(0.999), bc1 = Math.fround(1 - b1 ** t), bc2 = Math.fround(1 - b2 ** t);
        const lrA = Math.fround(1e-3), epsA = Math.fround(1e-7);
        const adam = optRef.adam(w, g, m0, s0, lrA, b1, b2, epsA, bc1, bc2);
        const gotA = onEverySet((K, h) => {
          const W = h.put(w), M = h.put(m0), S = h.put(s0);
          K.adam(n, h.put(g), W, M, S, lrA, b1, b2, epsA, bc1, bc2);
          return { w: h.read(W), m: h.read(M), v: h.read(S) };
        });
        agree(`adam w ${reg}`, mapSets(gotA, 'w'), adam.w, Float64Array.from(w, (x, i) => Math.abs(x) + Math.abs(adam.w[i])), 16 * EPS32);
        agree(`adam m ${reg}`, mapSets(gotA, 'm'), adam.m, undefined, 8 * EPS32, 1e-30);
        agree(`adam v ${reg}`, mapSets(gotA, 'v'), adam.v, undefined, 8 * EPS32, 1e-30);
      }), RUNS);
  });

  test('multiply and transpose are exact for every value, specials included', () => {
    fc.assert(fc.property(dims(4), dims(9), dims(9), regime, unitArray, (outer, a, b, reg, u) => {
      const n = outer * a * b, x = values(reg, u, n), mask = Float32Array.from(values('unit', u, n), (v) => (v > 0 ? 2 : 0));
      const gotM = onEverySet((K, h) => { const y = h.out(n); K.multiply(n, h.put(x), h.put(mask), y); return h.read(y); });
      agree(`multiply ${reg}`, gotM, elemRef.multiply(x, mask), undefined, 0);
      const gotT = onEverySet((K, h) => { const y = h.out(n); K.transpose(outer, a, b, h.put(x), y); return h.read(y); });
      agree(`transpose ${outer}x${a}x${b} ${reg}`, gotT, elemRef.transpose(outer, a, b, x), undefined, 0);
    }), RUNS);
  });
});

describe('NaN and ±Infinity propagate through every kernel family as the float64 spec (IEEE arithmetic) says', () => {
  /** Unit values with NaN, +Infinity and −Infinity placed at random positions. */
  const marks = fc.array(fc.tuple(fc.nat(), fc.constantFrom(NaN, Infinity, -Infinity)), { minLength: 1, maxLength: 4 });
  const poisoned = fc.tuple(unitArray, marks);
  const poison = (u: number[], at: Array<[number, number]>, n: number, base?: Float32Array) => {
    const v = base ? Float32Array.from(base) : values('unit', u, n);
    for (const [i, value] of at) v[i % n] = value;
    return v;
  };
  /** Which operands carry the poison (at least one). */
  const which = (names: string[]) => fc.subarray(names, { minLength: 1 });
  /**
   * Non-finite results must match the spec exactly (NaN where NaN, the same infinity); finite results are
   * checked loosely here (the finite property tests above hold them to float32 error bounds).
   */
  const spec = (label: string, got: Record<string, ArrayLike<number>>, want: ArrayLike<number>) => agree(label, got, want, undefined, 2e-3, 1e-4);

  test('relu of NaN is NaN, relu of −Infinity is 0, on every set (was 0 for NaN on both backends)', () => {
    const x = [NaN, -Infinity, Infinity, -0, -1, 2, NaN, 0, NaN];
    const got = onEverySet((K, h) => { const y = h.out(x.length); K.activation(x.length, h.put(x), y, 'relu'); return h.read(y); });
    for (const name of ALL_SETS) expect(Array.from(got[name]), name).toEqual([NaN, 0, Infinity, 0, 0, 2, NaN, 0, NaN]);
    const dense = onEverySet((K, h) => { const y = h.out(3); K.dense(1, 3, 1, h.put([NaN]), h.put([1, -1, 0]), h.put([0, 0, 0]), y, 'relu'); return h.read(y); });
    for (const name of ALL_SETS) expect(Array.from(dense[name]), `dense ${name}`).toEqual([NaN, NaN, NaN]);
    // a zero in A (a relu output) meeting NaN or Infinity in B: 0·NaN and 0·Infinity are NaN (the JS GEMM skipped zeros)
    for (const op of ['nn', 'tn'] as const) {
      const gemm = onEverySet((K, h) => { const c = h.out(2); K.gemm(1, 2, 2, h.put([0, 1]), h.put([NaN, Infinity, 1, 2]), c, op, false); return h.read(c); });
      for (const name of ALL_SETS) expect(Array.from(gemm[name]), `gemm ${op} ${name}`).toEqual([NaN, NaN]);
    }
  });

  test('gemm and dense (plain and packed): NaN/±Infinity in A, B, C₀ or the bias, every activation', () => {
    fc.assert(fc.property(fc.constantFrom('nn', 'tn', 'nt'), fc.constantFrom<Act>('linear', 'relu', 'sigmoid', 'tanh'), dims(7), dims(9), dims(9),
      which(['a', 'b', 'c', 'bias']), poisoned, unitArray, (op, act, m, n, k, where, [u, at], ub) => {
        const a = where.includes('a') ? poison(u, at, m * k) : values('unit', u, m * k);
        const b = where.includes('b') ? poison(ub, at, k * n) : values('unit', ub, k * n);
        const c0 = where.includes('c') ? poison(u, at, m * n) : null;
        const want = gemmRef.gemm(op, m, n, k, a, b, c0);
        const got = onEverySet((K, h) => { const c = c0 ? h.put(c0) : h.out(m * n); K.gemm(m, n, k, h.put(a), h.put(b), c, op, !!c0); return h.read(c); });
        agree(`gemm ${op} ${m}x${n}x${k} poisoned ${where}`, got, want.c, want.mag, 4 * (k + 1) * EPS32);

        const bias = where.includes('bias') ? poison(ub, at, n) : values('unit', ub, n);
        const wantD = gemmRef.dense(m, n, k, a, b, bias, act);
        const plain = onEverySet((K, h) => { const y = h.out(m * n); K.dense(m, n, k, h.put(a), h.put(b), h.put(bias), y, act); return h.read(y); });
        spec(`dense ${act} poisoned ${where}`, plain, wantD.y);
        const packed = onEverySet((K, h) => {
          const w = h.put(b), p = h.out(Math.max(4, K.packedWeightsLength(k, n)), 0), y = h.out(m * n);
          K.packWeights(k, n, w, p);
          K.densePacked(m, n, k, h.put(a), w, p, h.put(bias), y, act);
          return h.read(y);
        });
        spec(`densePacked ${act} poisoned ${where}`, packed, wantD.y);
      }), RUNS);
  });

  test('reductions: a NaN or ±Infinity in a column poisons that column\'s sum, mean and variance (mean ±Infinity, not NaN, for an infinite column)', () => {
    fc.assert(fc.property(dims(12), dims(9), poisoned, fc.boolean(), (rows, cols, [u, at], accumulate) => {
      const x = poison(u, at, rows * cols), o0 = values('unit', u, cols);
      agree('sumRows', onEverySet((K, h) => { const o = h.put(o0); K.sumRows(rows, cols, h.put(x), o, accumulate); return h.read(o); }),
        statsRef.sumRows(rows, cols, x, accumulate ? o0 : null), statsRef.sumRows(rows, cols, Float64Array.from(x, Math.abs), accumulate ? Float64Array.from(o0, Math.abs) : null), 2 * (rows + 2) * EPS32);
      const want = statsRef.batchStats(rows, cols, x);
      const got = onEverySet((K, h) => { const mean = h.out(cols), variance = h.out(cols); K.batchStats(rows, cols, h.put(x), mean, variance); return { mean: h.read(mean), variance: h.read(variance) }; });
      const s = statsScale(rows, Float64Array.from(x, (v) => (Number.isFinite(v) ? v : 0)), Float64Array.from(want.variance, (v) => (Number.isFinite(v) ? v : 0)));
      agree('batchStats mean', mapSets(got, 'mean'), want.mean, s.mean, EPS32);
      agree('batchStats variance', mapSets(got, 'variance'), want.variance, s.variance, EPS32);
    }), RUNS);
  });

  test('batch normalization: training forward, fold (a negative variance gives NaN), scaleShift, moving average, backward', () => {
    fc.assert(fc.property(dims(12), dims(9), which(['x', 'gamma', 'beta', 'dy']), poisoned, unitArray, (rows, cols, where, [u, at], ud) => {
      const n = rows * cols, eps = 1e-3;
      const x = where.includes('x') ? poison(u, at, n) : values('unit', u, n);
      const gamma = where.includes('gamma') ? poison(ud, at, cols) : values('unit', ud, cols);
      const beta = where.includes('beta') ? poison(u, at, cols) : values('unit', u, cols);
      const fwd = bnRef.forwardTrain(rows, cols, x, gamma, beta, eps);
      const got = onEverySet((K, h) => {
        const y = h.out(n), mean = h.out(cols), variance = h.out(cols), invStd = h.out(cols);
        K.bnormForwardTrain(rows, cols, h.put(x), h.put(gamma), h.put(beta), y, mean, variance, invStd, eps);
        return { y: h.read(y), mean: h.read(mean), variance: h.read(variance), invStd: h.read(invStd) };
      });
      for (const key of ['mean', 'variance', 'invStd'] as const) spec(`bnormForwardTrain ${key} poisoned ${where}`, mapSets(got, key), fwd[key]);
      // WASM folds gamma into the scale, (x − x₀)·(γ·invStd) + (β − c·γ·invStd): with an infinite γ a spec ±Infinity
      // may come out NaN (both non-finite; a finite spec value stays finite)
      agree(`bnormForwardTrain y poisoned ${where}`, mapSets(got, 'y'), fwd.y, undefined, 2e-3, 1e-4, where.includes('gamma') ? 'any' : 'exact');

      // moving statistics from a file: a negative variance, NaN or ±Infinity
      const mean = poison(u, at, cols, values('unit', u, cols)), variance = poison(ud, [...at, [0, -0.5]], cols, Float32Array.from(values('unit', ud, cols), Math.abs));
      const fold = bnRef.fold(cols, mean, variance, gamma, beta, eps);
      const gotFold = onEverySet((K, h) => {
        const sc = h.out(cols), sh = h.out(cols);
        K.bnormFold(cols, h.put(mean), h.put(variance), h.put(gamma), h.put(beta), sc, sh, eps);
        return { scale: h.read(sc), shift: h.read(sh) };
      });
      spec('bnormFold scale', mapSets(gotFold, 'scale'), fold.scale);
      spec('bnormFold shift', mapSets(gotFold, 'shift'), fold.shift);
      expect(Number.isNaN(gotFold.js.scale[0]) && gotFold[WASM_SETS[0]].scale[0] !== gotFold[WASM_SETS[0]].scale[0], 'variance −0.5 gives a NaN scale').toBe(true);
      const scale = f32(fold.scale);
      spec('scaleShift', onEverySet((K, h) => { const y = h.out(n); K.scaleShift(rows, cols, h.put(x), h.put(mean), h.put(scale), h.put(beta), y); return h.read(y); }),
        bnRef.scaleShift(rows, cols, x, mean, scale, beta));

      const gotMa = onEverySet((K, h) => {
        const mm = h.put(mean), mv = h.put(variance);
        K.movingAverage(cols, h.put(fwd.mean), h.put(fwd.variance), mm, mv, 0.9);
        return { mean: h.read(mm), variance: h.read(mv) };
      });
      spec('movingAverage mean', mapSets(gotMa, 'mean'), bnRef.movingAverage(fwd.mean, mean, Math.fround(0.9)));
      spec('movingAverage variance', mapSets(gotMa, 'variance'), bnRef.movingAverage(fwd.variance, variance, Math.fround(0.9)));

      const dy = where.includes('dy') ? poison(ud, at, n) : values('unit', ud, n);
      const mu = f32(fwd.mean), invStd = f32(fwd.invStd);
      const want = bnRef.backward(rows, cols, dy, x, mu, invStd, gamma);
      const gotB = onEverySet((K, h) => {
        const dx = h.out(n), dg = h.out(cols), db = h.out(cols);
        K.bnormBackward(rows, cols, h.put(dy), h.put(x), h.put(mu), h.put(invStd), h.put(gamma), dx, dg, db);
        return { dx: h.read(dx), dgamma: h.read(dg), dbeta: h.read(db) };
      });
      // finite values cancel here (the finite test bounds them), and with infinite terms the kernels' order of
      // operations decides between NaN and ±Infinity: checked is that the results are non-finite exactly where the spec's are
      for (const key of ['dx', 'dgamma', 'dbeta'] as const) {
        const blur = (v: ArrayLike<number>) => Float64Array.from(v, (t) => (Number.isFinite(t) ? 0 : NaN));
        agree(`bnormBackward ${key} poisoned ${where}`, Object.fromEntries(Object.entries(mapSets(gotB, key)).map(([k, v]) => [k, blur(v)])), blur(want[key]), undefined, 0);
      }
    }), RUNS);
  });

  test('activations forward and backward: poisoned x, and poisoned dy where the unit is off (dy·0 is NaN for a NaN or infinite dy)', () => {
    fc.assert(fc.property(fc.constantFrom<Act>('linear', 'relu', 'sigmoid', 'tanh'), dims(40), poisoned, poisoned, fc.boolean(), (act, n, [u, at], [ud, atd], poisonDy) => {
      const x = poison(u, at, n);
      spec(`activation ${act}`, onEverySet((K, h) => { const y = h.out(n); K.activation(n, h.put(x), y, act); return h.read(y); }), actRef.act(act, x));
      const y = f32(actRef.act(act, x)), dy = poisonDy ? poison(ud, atd, n) : values('unit', ud, n);
      spec(`activationBackward ${act}`, onEverySet((K, h) => { const dx = h.out(n); K.activationBackward(n, h.put(y), h.put(dy), dx, act); return h.read(dx); }),
        actRef.actBackward(act, y, dy));
    }), RUNS);
  });

  test('softmax forward and backward: a NaN or +Infinity logit makes its row NaN, −Infinity gives p = 0; other rows untouched', () => {
    fc.assert(fc.property(dims(9), dims(21), poisoned, unitArray, fc.boolean(), (rows, cols, [u, at], ud, poisonDy) => {
      const n = rows * cols, x = poison(u, at, n);
      const want = smRef.softmax(rows, cols, x);
      spec(`softmax ${rows}x${cols}`, onEverySet((K, h) => { const y = h.out(n); K.softmax(rows, cols, h.put(x), y); return h.read(y); }), want);
      const y = f32(want), dy = poisonDy ? poison(ud, at, n) : values('unit', ud, n);
      spec(`softmaxBackward ${rows}x${cols}`, onEverySet((K, h) => { const dz = h.out(n); K.softmaxBackward(rows, cols, h.put(y), h.put(dy), dz); return h.read(dz); }),
        smRef.softmaxBackward(rows, cols, y, dy));
    }), RUNS);
  });

  test('losses and their gradients: the clip never swallows NaN (narrow and wide rows, poisoned predictions or targets)', () => {
    fc.assert(fc.property(dims(9), fc.integer({ min: 2, max: 21 }), which(['p', 't']), poisoned, unitArray, (rows, cols, where, [u, at], ut) => {
      const n = rows * cols, poisonP = where.includes('p'), poisonT = where.includes('t');
      const t = new Float32Array(n);
      for (let i = 0; i < rows; i++) t[i * cols + Math.floor(Math.abs(ut[i % ut.length]) * cols) % cols] = 1;
      const targets = poisonT ? poison(ut, at, n, t) : t;
      const logits = poisonP ? poison(u, at, n) : values('unit', u, n);
      const sce = lossRef.softmaxCrossEntropy(rows, cols, logits, targets);
      const got = onEverySet((K, h) => {
        const probs = h.out(n), dl = h.out(n);
        const loss = K.softmaxCrossEntropy(rows, cols, h.put(logits), h.put(targets), probs, dl);
        return { loss: [loss], probs: h.read(probs), dl: h.read(dl) };
      });
      spec(`softmaxCrossEntropy loss ${rows}x${cols} poisoned ${where}`, mapSets(got, 'loss'), [sce.loss]);
      spec(`softmaxCrossEntropy probs ${rows}x${cols} poisoned ${where}`, mapSets(got, 'probs'), sce.probs);
      spec(`softmaxCrossEntropy dlogits ${rows}x${cols} poisoned ${where}`, mapSets(got, 'dl'), sce.dlogits);

      const p0 = Float32Array.from(values('unit', u, n), (v) => Math.abs(Math.sin(v)) * 0.98 + 0.01);
      const p = poisonP ? poison(u, at, n, p0) : p0;
      const soft = Float32Array.from(values('unit', ut, n), Math.abs), soft2 = poisonT ? poison(ut, at, n, soft) : soft;
      for (const [name, tt, ref, run] of [
        ['crossEntropy', targets, lossRef.crossEntropy(rows, cols, p, targets), (K: Kernels, a: F32, b: F32, c: F32) => K.crossEntropy(rows, cols, a, b, c)],
        ['binaryCrossEntropy', soft2, lossRef.binaryCrossEntropy(rows, cols, p, soft2), (K: Kernels, a: F32, b: F32, c: F32) => K.binaryCrossEntropy(rows, cols, a, b, c)],
        ['meanSquaredError', soft2, lossRef.meanSquaredError(rows, cols, p, soft2), (K: Kernels, a: F32, b: F32, c: F32) => K.meanSquaredError(rows, cols, a, b, c)],
      ] as const) {
        const res = onEverySet((K, h) => { const dp = h.out(n); const loss = run(K, h.put(p), h.put(tt), dp); return { loss: [loss], dp: h.read(dp) }; });
        spec(`${name} loss poisoned ${where}`, mapSets(res, 'loss'), [ref.loss]);
        spec(`${name} dp poisoned ${where}`, mapSets(res, 'dp'), ref.dp);
      }
    }), RUNS);
  });

  test('optimizers: a NaN or infinite gradient, velocity or moment reaches exactly the weights the spec says (SGD plain, momentum, Nesterov; Adam)', () => {
    fc.assert(fc.property(dims(40), which(['g', 'v', 'w']), poisoned, unitArray, fc.constantFrom(0, 0.9), fc.boolean(), (n, where, [u, at], ug, momentum, nesterov) => {
      const w = where.includes('w') ? poison(u, at, n) : values('unit', u, n);
      const g = where.includes('g') ? poison(ug, at, n) : values('unit', ug, n);
      const v0 = where.includes('v') ? poison(ug, at, n, values('unit', u, n)) : values('unit', u, n);
      const lr = Math.fround(0.01), want = optRef.sgd(w, g, momentum ? v0 : null, lr, momentum, nesterov);
      const got = onEverySet((K, h) => {
        const W = h.put(w), V = momentum ? h.put(v0) : null;
        K.sgd(n, h.put(g), W, V, lr, momentum, nesterov);
        return { w: h.read(W), v: V ? h.read(V) : new Float64Array(0) };
      });
      spec(`sgd w m=${momentum} poisoned ${where}`, mapSets(got, 'w'), want.w);
      if (momentum) spec(`sgd v poisoned ${where}`, mapSets(got, 'v'), want.v!);
      const m0 = poison(u, where.includes('v') ? at : [], n, values('unit', ug, n)), s0 = Float32Array.from(v0, (x) => x * x);
      const b1 = Math.fround(0.9), b2 = Math.fround(0.999), bc1 = Math.fround(0.1), bc2 = Math.fround(1 - b2), lrA = Math.fround(1e-3), epsA = Math.fround(1e-7);
      const adam = optRef.adam(w, g, m0, s0, lrA, b1, b2, epsA, bc1, bc2);
      const gotA = onEverySet((K, h) => {
        const W = h.put(w), M = h.put(m0), S = h.put(s0);
        K.adam(n, h.put(g), W, M, S, lrA, b1, b2, epsA, bc1, bc2);
        return { w: h.read(W), m: h.read(M), v: h.read(S) };
      });
      for (const key of ['w', 'm', 'v'] as const) spec(`adam ${key} poisoned ${where}`, mapSets(gotA, key), adam[key]);
    }), RUNS);
  });

  test('multiply and transpose move NaN and ±Infinity exactly (0·Infinity is NaN)', () => {
    fc.assert(fc.property(dims(4), dims(9), dims(9), poisoned, unitArray, fc.boolean(), (outer, a, b, [u, at], ud, poisonMask) => {
      const n = outer * a * b, x = poison(u, at, n), mask = Float32Array.from(values('unit', ud, n), (v) => (v > 0 ? 2 : 0));
      if (poisonMask) for (const [i, value] of at) mask[(i + 1) % n] = value;
      agree('multiply', onEverySet((K, h) => { const y = h.out(n); K.multiply(n, h.put(x), h.put(mask), y); return h.read(y); }), elemRef.multiply(x, mask), undefined, 0);
      agree(`transpose ${outer}x${a}x${b}`, onEverySet((K, h) => { const y = h.out(n); K.transpose(outer, a, b, h.put(x), y); return h.read(y); }), elemRef.transpose(outer, a, b, x), undefined, 0);
    }), RUNS);
  });
});

/** Error bounds of a float32 two-pass mean/variance over `rows`: δ for the mean, and for the variance. */
const statsScale = (rows: number, x: ArrayLike<number>, variance: ArrayLike<number>) => {
  const delta = 2 * rows * EPS32 * maxAbs(x);
  return {
    mean: Float64Array.from(variance, () => delta / EPS32),
    variance: Float64Array.from(variance, (v) => (8 * rows * EPS32 * v + 4 * Math.sqrt(v) * delta + 4 * delta * delta) / EPS32),
    delta,
  };
};

function mapSets<T extends Record<string, ArrayLike<number>>>(got: Record<string, T>, key: keyof T): Record<string, ArrayLike<number>> {
  return Object.fromEntries(Object.entries(got).map(([name, v]) => [name, v[key]]));
}
