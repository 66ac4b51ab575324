/**
 * Batch Renormalization kernels (renormCorrection, renormGammaGrad, renormUpdate) on every kernel set against
 * the float64 reference, with and without clipping, NaN propagation, and renorm's forward and backward as the
 * layer composes them (bnormForwardTrain without gamma/beta → correction → scaleShift; bnormBackward with
 * gamma·r → renormGammaGrad) against the reference and central finite differences with r, d held constant.
 */
import { describe, expect, test } from 'vitest';
import type { F32, Kernels } from '../../src/backend/kernels.js';
import { available, EDGE_SIZES, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { type KernelHeap, withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/renorm.js';

const EPS = Math.fround(1e-3);
const CLIPS: ref.Clipping[] = [{}, { rmin: Math.fround(0.8), rmax: Math.fround(1.25), dmax: Math.fround(0.5) }, { rmax: 3 }, { dmax: 0 }];
const kernelClip = (c: ref.Clipping) => [c.rmin ?? 0, c.rmax ?? Infinity, c.dmax ?? Infinity] as const;

/** The layer's renorm training forward from kernels. */
function forward(K: Kernels, h: KernelHeap, rows: number, cols: number, x: ArrayLike<number>, gamma: ArrayLike<number> | null,
  beta: ArrayLike<number> | null, rm: ArrayLike<number>, rs: ArrayLike<number>, clip: ref.Clipping) {
  const X = h.put(x), Y = h.out(rows * cols), M = h.out(cols), V = h.out(cols), I = h.out(cols);
  K.bnormForwardTrain(rows, cols, X, null, null, Y, M, V, I, EPS);
  const R = h.out(cols), D = h.out(cols), S = h.out(cols), T = h.out(cols);
  K.renormCorrection(cols, M, V, h.put(rm), h.put(rs), gamma ? h.put(gamma) : null, beta ? h.put(beta) : null, R, D, S, T, EPS, ...kernelClip(clip));
  K.scaleShift(rows, cols, Y, null, S, T, Y);
  return { X, M, I, R, D, S, y: h.read(Y), mean: h.read(M), invStd: h.read(I), r: h.read(R), d: h.read(D) };
}

function backward(K: Kernels, h: KernelHeap, rows: number, cols: number, dy: ArrayLike<number>, f: { X: F32; M: F32; I: F32; R: F32; D: F32; S: F32 }) {
  const DX = h.out(rows * cols), DG = h.out(cols), DB = h.out(cols);
  K.bnormBackward(rows, cols, h.put(dy), f.X, f.M, f.I, f.S, DX, DG, DB);
  K.renormGammaGrad(cols, f.R, f.D, DB, DG);
  return { dx: h.read(DX), dgamma: h.read(DG), dbeta: h.read(DB) };
}

describe.each(KERNEL_SETS)('batch renormalization kernels on %s', (name) => {
  test.skipIf(!available(name))('correction over edge sizes and clippings, gamma/beta given or null', () => {
    const K = kernels(name);
    for (const cols of EDGE_SIZES) {
      CLIPS.forEach((clip, ci) => {
        const rng = seeded(`renormCorr:${cols}:${ci}`);
        const mean = rng.normal(cols, 0, 2), variance = rng.uniform(cols, 0, 4), rm = rng.normal(cols, 0, 2);
        const rs = rng.uniform(cols, 0, 2), gamma = rng.uniform(cols, 0.5, 2), beta = rng.uniform(cols);
        rs[0] = 0; // below √eps: the floor applies
        const affine = (cols + ci) % 2 === 0;
        withHeap((h) => {
          const R = h.out(cols), D = h.out(cols), S = h.out(cols), T = h.out(cols);
          K.renormCorrection(cols, h.put(mean), h.put(variance), h.put(rm), h.put(rs), affine ? h.put(gamma) : null, affine ? h.put(beta) : null,
            R, D, S, T, EPS, ...kernelClip(clip));
          const want = ref.correction(cols, mean, variance, rm, rs, EPS, clip);
          const tol = { rtol: 8 * EPS32, atol: 8 * EPS32 };
          expectClose(`r ${cols} clip ${ci}`, h.read(R), want.r, tol);
          expectClose(`d ${cols} clip ${ci}`, h.read(D), want.d, tol);
          expectClose(`scale ${cols}`, h.read(S), want.r.map((r, j) => (affine ? gamma[j] : 1) * r), tol);
          expectClose(`shift ${cols}`, h.read(T), want.d.map((d, j) => (affine ? gamma[j] * d + beta[j] : d)), { rtol: 8 * EPS32, atol: 16 * EPS32 });
          if (clip.rmax !== undefined) expect(Math.max(...h.read(R))).toBeLessThanOrEqual(clip.rmax);
          if (clip.dmax !== undefined) expect(Math.max(...h.read(D).map(Math.abs))).toBeLessThanOrEqual(clip.dmax);
        });
      });
    }
  });

  test.skipIf(!available(name))('gamma gradient and statistics update over edge sizes', () => {
    const K = kernels(name);
    for (const cols of EDGE_SIZES) {
      const rng = seeded(`renormUpd:${cols}`);
      const r = rng.uniform(cols, 0.5, 2), d = rng.uniform(cols), db = rng.normal(cols), dg = rng.normal(cols);
      const mean = rng.normal(cols, 1, 2), variance = rng.uniform(cols, 0, 3);
      const state = { movingMean: rng.normal(cols), movingStddev: rng.uniform(cols, 0.1, 2), renormMean: rng.normal(cols), renormStddev: rng.uniform(cols, 0.1, 2) };
      withHeap((h) => {
        const DG = h.put(dg);
        K.renormGammaGrad(cols, h.put(r), h.put(d), h.put(db), DG);
        expectClose(`dgamma ${cols}`, h.read(DG), dg.map((g, j) => r[j] * g + d[j] * db[j]), { rtol: 4 * EPS32, atol: 8 * EPS32 });
        const MM = h.put(state.movingMean), MS = h.put(state.movingStddev), MV = h.out(cols), RM = h.put(state.renormMean), RS = h.put(state.renormStddev);
        const [m, rmo] = [Math.fround(0.9), Math.fround(0.7)];
        K.renormUpdate(cols, h.put(mean), h.put(variance), MM, MS, MV, RM, RS, EPS, m, rmo);
        const want = ref.update(mean, variance, state, EPS, m, rmo);
        const tol = { rtol: 8 * EPS32, atol: 8 * EPS32 };
        expectClose(`renorm mean ${cols}`, h.read(RM), want.renormMean, tol);
        expectClose(`renorm stddev ${cols}`, h.read(RS), want.renormStddev, tol);
        expectClose(`moving mean ${cols}`, h.read(MM), want.movingMean, tol);
        expectClose(`moving stddev ${cols}`, h.read(MS), want.movingStddev, tol);
        expectClose(`moving variance ${cols}`, h.read(MV), want.movingVariance, { rtol: 16 * EPS32, atol: 16 * EPS32 });
      });
    }
  });

  test.skipIf(!available(name))('NaN in the batch statistics or the renorm state propagates to r, d and the updated statistics', () => {
    const K = kernels(name), cols = 5;
    withHeap((h) => {
      const mean = [0, NaN, 1, 2, 3], variance = [1, 1, NaN, 1, 1], rs = [1, 1, 1, NaN, 1], rm = [0, 0, 0, 0, NaN];
      const R = h.out(cols), D = h.out(cols), S = h.out(cols), T = h.out(cols);
      K.renormCorrection(cols, h.put(mean), h.put(variance), h.put(rm), h.put(rs), null, null, R, D, S, T, EPS, 0.5, 2, 1);
      const r = h.read(R), d = h.read(D);
      expect([r[2], r[3], d[1], d[3], d[4]].every(Number.isNaN)).toBe(true);
      expect(Number.isNaN(r[0]) || Number.isNaN(d[0])).toBe(false);
      const MM = h.put([0, 0, 0, 0, 0]), MS = h.put([1, 1, 1, 1, 1]), MV = h.out(cols), RM = h.put([0, 0, 0, 0, 0]), RS = h.put([1, 1, 1, 1, 1]);
      K.renormUpdate(cols, h.put(mean), h.put(variance), MM, MS, MV, RM, RS, EPS, 0.99, 0.99);
      expect(Number.isNaN(h.read(MM)[1]) && Number.isNaN(h.read(MV)[2]) && Number.isNaN(h.read(RS)[2])).toBe(true);
      expect(Number.isFinite(h.read(MV)[0])).toBe(true);
    });
  });

  test.skipIf(!available(name))('renorm forward and backward as composed by the layer, against the reference (edge grid)', () => {
    const K = kernels(name);
    for (const rows of [1, 3, 13, 64]) {
      for (const cols of [1, 5, 13, 257]) {
        const clip = CLIPS[(rows + cols) % CLIPS.length], useGamma = cols % 2 === 1;
        const rng = seeded(`renormFwd:${rows}:${cols}`);
        const x = rng.normal(rows * cols, 1, 2), gamma = rng.uniform(cols, 0.5, 2), beta = rng.uniform(cols);
        const rm = rng.normal(cols, 1, 1), rs = rng.uniform(cols, 0.5, 3), dy = rng.uniform(rows * cols);
        withHeap((h) => {
          const f = forward(K, h, rows, cols, x, useGamma ? gamma : null, beta, rm, rs, clip);
          const want = ref.forwardTrain(rows, cols, x, useGamma ? gamma : null, beta, rm, rs, EPS, clip);
          const t = 16 * (rows + 1) * EPS32;
          expectClose(`r ${rows}×${cols}`, f.r, want.r, { rtol: t, atol: t });
          expectClose(`d ${rows}×${cols}`, f.d, want.d, { rtol: t, atol: t });
          expectClose(`y ${rows}×${cols}`, f.y, want.y, { rtol: t, atol: 4 * t });
          const b = backward(K, h, rows, cols, dy, f);
          const wb = ref.backward(rows, cols, dy, x, f.mean, f.invStd, useGamma ? gamma : null, f.r, f.d);
          const scale = Math.max(...wb.dx.map(Math.abs), 1);
          expectClose(`dx ${rows}×${cols}`, b.dx, wb.dx, { rtol: 0, atol: 4 * t * scale });
          expectClose(`dbeta ${rows}×${cols}`, b.dbeta, wb.dbeta, { rtol: t, atol: t * rows });
          expectClose(`dgamma ${rows}×${cols}`, b.dgamma, wb.dgamma, { rtol: t, atol: t * rows * 4 });
        });
      }
    }
  });

  test.skipIf(!available(name))('backward = central finite differences of L = Σ w·y with r and d constant (float64), seed renormFD', () => {
    const K = kernels(name), rows = 6, cols = 5, hstep = 1e-5;
    const rng = seeded('renormFD');
    const x = rng.normal(rows * cols, 0.5, 2), gamma = rng.uniform(cols, 0.5, 2), beta = rng.uniform(cols), w = rng.uniform(rows * cols);
    const rm = rng.normal(cols), rs = rng.uniform(cols, 0.5, 2), clip = CLIPS[1];
    withHeap((h) => {
      const f = forward(K, h, rows, cols, x, gamma, beta, rm, rs, clip);
      // r and d from the unperturbed batch, held fixed: what "constants in the gradient" means
      const { r, d } = ref.correction(cols, f.mean, ref.forwardTrain(rows, cols, x, null, null, rm, rs, EPS).variance, rm, rs, EPS, clip);
      expect(r.some((v) => v === clip.rmin || v === clip.rmax) || d.some((v) => Math.abs(v) === clip.dmax)).toBe(true);
      const L = (xx: ArrayLike<number>, gg: ArrayLike<number>, bb: ArrayLike<number>) => ref.trainLoss(rows, cols, xx, gg, bb, EPS, r, d, w);
      const fd = (v: Float64Array, at: (p: Float64Array) => number) => Float64Array.from(v, (_, i) => {
        const up = Float64Array.from(v), dn = Float64Array.from(v);
        up[i] += hstep; dn[i] -= hstep;
        return (at(up) - at(dn)) / (2 * hstep);
      });
      const b = backward(K, h, rows, cols, w, f);
      expectClose('dx vs FD', b.dx, fd(x, (p) => L(p, gamma, beta)), { rtol: 1e-4, atol: 1e-5 });
      expectClose('dgamma vs FD', b.dgamma, fd(gamma, (p) => L(x, p, beta)), { rtol: 1e-4, atol: 1e-5 });
      expectClose('dbeta vs FD', b.dbeta, fd(beta, (p) => L(x, gamma, p)), { rtol: 1e-4, atol: 1e-5 });
    });
  });
});
