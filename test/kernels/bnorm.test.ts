/**
 * Batch normalization kernels on every kernel set: forward against the float64 reference, backward
 * against the reference AND against central finite differences of L = Σ w·y in float64, fold/scaleShift,
 * moving averages, aliasing (y = x, dx = dy), and the hard numerics (constant feature, one row,
 * tiny variances, |mean| ≫ std).
 */
import { describe, expect, test } from 'vitest';
import type { Kernels } from '../../src/backend/kernels.js';
import { available, cartesian, EDGE_SIZES, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { type KernelHeap, withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/bnorm.js';

const EPS = Math.fround(1e-3);

function forward(K: Kernels, h: KernelHeap, rows: number, cols: number, x: ArrayLike<number>,
  gamma: ArrayLike<number> | null, beta: ArrayLike<number> | null, eps = EPS, alias = false) {
  const X = h.put(x), G = gamma ? h.put(gamma) : null, B = beta ? h.put(beta) : null;
  const Y = alias ? X : h.out(rows * cols), M = h.out(cols), V = h.out(cols), I = h.out(cols);
  K.bnormForwardTrain(rows, cols, X, G, B, Y, M, V, I, eps);
  return { X, G, Y, M, I, y: h.read(Y), mean: h.read(M), variance: h.read(V), invStd: h.read(I) };
}

describe.each(KERNEL_SETS)('batch normalization on %s', (name) => {
  const grid = cartesian(EDGE_SIZES, EDGE_SIZES);

  test.skipIf(!available(name))('forward train over the edge grid, gamma/beta given or null, y aliasing x', () => {
    const K = kernels(name);
    for (const [rows, cols] of grid) {
      const variant = (rows + cols) % 3; // 0: gamma+beta, 1: nulls, 2: gamma+beta and y = x
      const rng = seeded(`bnFwd:${rows}:${cols}`);
      const x = rng.normal(rows * cols, 1, 3), gamma = rng.uniform(cols, 0.5, 2), beta = rng.uniform(cols);
      const g = variant === 1 ? null : gamma, b = variant === 1 ? null : beta;
      withHeap((h) => {
        const got = forward(K, h, rows, cols, x, g, b, EPS, variant === 2);
        const want = ref.forwardTrain(rows, cols, x, g, b, EPS);
        const tol = { rtol: 8 * (rows + 1) * EPS32, atol: 8 * (rows + 1) * EPS32 };
        expectClose(`y ${rows}×${cols} v${variant}`, got.y, want.y, { ...tol, atol: tol.atol * 4 });
        expectClose(`mean ${rows}×${cols}`, got.mean, want.mean, tol);
        expectClose(`variance ${rows}×${cols}`, got.variance, want.variance, tol);
        expectClose(`invStd ${rows}×${cols}`, got.invStd, want.invStd, tol);
      });
    }
  });

  test.skipIf(!available(name))('backward over the edge grid against the reference, dx aliasing dy', () => {
    const K = kernels(name);
    for (const [rows, cols] of grid) {
      const alias = (rows * cols) % 2 === 1, useGamma = cols % 2 === 1;
      const rng = seeded(`bnBwd:${rows}:${cols}`);
      const x = rng.normal(rows * cols, -2, 1.5), dy = rng.uniform(rows * cols), gamma = rng.uniform(cols, 0.5, 2);
      withHeap((h) => {
        const f = forward(K, h, rows, cols, x, useGamma ? gamma : null, null);
        const DY = h.put(dy), DX = alias ? DY : h.out(rows * cols), DG = h.out(cols, 7), DB = h.out(cols, 7);
        K.bnormBackward(rows, cols, DY, f.X, f.M, f.I, useGamma ? h.put(gamma) : null, DX, DG, DB);
        // the reference gets the kernel's own mean/invStd, so only backward's rounding is measured
        const want = ref.backward(rows, cols, dy, x, f.mean, f.invStd, useGamma ? gamma : null);
        const t = 16 * (rows + 1) * EPS32;
        const sdy = ref.backward(rows, cols, dy.map(Math.abs), x, f.mean, f.invStd, null);
        expectClose(`dbeta ${rows}×${cols}`, h.read(DB), want.dbeta, { rtol: t, scale: sdy.dbeta });
        expectClose(`dgamma ${rows}×${cols}`, h.read(DG), want.dgamma, { rtol: t, atol: t, scale: sdy.dbeta.map((s, j) => s * 3 * f.invStd[j] + 1) });
        const gmax = Math.max(...(useGamma ? gamma : [1])), smax = Math.max(...f.invStd);
        expectClose(`dx ${rows}×${cols} alias=${alias}`, h.read(DX), want.dx, { rtol: 0, atol: 4 * t * gmax * smax });
      });
    }
  });

  test.skipIf(!available(name))('backward = central finite differences of L = Σ w·y (float64), seed bnFD', () => {
    const K = kernels(name), rows = 6, cols = 5, hstep = 1e-5;
    const rng = seeded('bnFD');
    const x = rng.normal(rows * cols, 0.5, 2), gamma = rng.uniform(cols, 0.5, 2), beta = rng.uniform(cols), w = rng.uniform(rows * cols);
    const L = (xx: ArrayLike<number>, gg: ArrayLike<number>, bb: ArrayLike<number>) => ref.trainLoss(rows, cols, xx, gg, bb, EPS, w);
    const fd = (v: Float64Array, at: (p: Float64Array) => number) => Float64Array.from(v, (_, i) => {
      const up = Float64Array.from(v), dn = Float64Array.from(v);
      up[i] += hstep; dn[i] -= hstep;
      return (at(up) - at(dn)) / (2 * hstep);
    });
    const dxFD = fd(x, (p) => L(p, gamma, beta)), dgFD = fd(gamma, (p) => L(x, p, beta)), dbFD = fd(beta, (p) => L(x, gamma, p));
    withHeap((h) => {
      const f = forward(K, h, rows, cols, x, gamma, beta);
      const DY = h.put(w), DX = h.out(rows * cols), DG = h.out(cols), DB = h.out(cols);
      K.bnormBackward(rows, cols, DY, f.X, f.M, f.I, f.G, DX, DG, DB);
      expectClose('dx vs FD', h.read(DX), dxFD, { rtol: 1e-4, atol: 1e-5 });
      expectClose('dgamma vs FD', h.read(DG), dgFD, { rtol: 1e-4, atol: 1e-5 });
      expectClose('dbeta vs FD', h.read(DB), dbFD, { rtol: 1e-4, atol: 1e-5 });
    });
  });

  test.skipIf(!available(name))('constant feature: variance exactly 0, y = beta exactly, finite backward', () => {
    const K = kernels(name), rows = 9, cols = 6;
    const rng = seeded('bnConst');
    const x = rng.normal(rows * cols);
    for (let i = 0; i < rows; i++) { x[i * cols + 1] = Math.fround(1e4 + 0.3); x[i * cols + 5] = 0; }
    const gamma = rng.uniform(cols, 0.5, 2), beta = rng.uniform(cols);
    withHeap((h) => {
      const f = forward(K, h, rows, cols, x, gamma, beta);
      expect([f.variance[1], f.variance[5]]).toEqual([0, 0]);
      for (let i = 0; i < rows; i++) {
        expect(f.y[i * cols + 1]).toBe(beta[1]);
        expect(f.y[i * cols + 5]).toBe(beta[5]);
      }
      const DY = h.put(rng.uniform(rows * cols)), DX = h.out(rows * cols), DG = h.out(cols), DB = h.out(cols);
      K.bnormBackward(rows, cols, DY, f.X, f.M, f.I, f.G, DX, DG, DB);
      expect(h.read(DX).every(Number.isFinite)).toBe(true);
      expect(h.read(DG)[1]).toBe(0);
    });
  });

  test.skipIf(!available(name))('one row: y = beta, dx ≈ 0; tiny variances; |mean| ≫ std (seed bnHard)', () => {
    const K = kernels(name), rng = seeded('bnHard');
    withHeap((h) => {
      const cols = 7, x = rng.normal(cols, 5, 3), gamma = rng.uniform(cols, 0.5, 2), beta = rng.uniform(cols);
      const f = forward(K, h, 1, cols, x, gamma, beta);
      expectClose('one row y = beta', f.y, beta, { rtol: EPS32 * 4, atol: 1e-6 });
      const DX = h.out(cols);
      K.bnormBackward(1, cols, h.put(rng.uniform(cols)), f.X, f.M, f.I, f.G, DX, h.out(cols), h.out(cols));
      expectClose('one row dx', h.read(DX), new Float64Array(cols), { atol: 1e-4 });
    });
    for (const [mean, std] of [[0, 1e-4], [1, 1e-3], [1e4, 0.01]]) {
      withHeap((h) => {
        const rows = 200, cols = 6, x = rng.normal(rows * cols, mean, std);
        const f = forward(K, h, rows, cols, x, null, null);
        const want = ref.forwardTrain(rows, cols, x, null, null, EPS);
        expectClose(`variance mean=${mean} std=${std}`, f.variance, want.variance, { rtol: 0.01 });
        // y is O(std/√eps): 1 % of its own scale, plus what storing mean in float32 (half an ulp) costs
        const ys = Math.max(...want.y.map(Math.abs)), meanUlp = Math.abs(mean) * 2 ** -24;
        expectClose(`y mean=${mean} std=${std}`, f.y, want.y, { rtol: 0, atol: 0.01 * ys + meanUlp * Math.max(...want.invStd) });
      });
    }
  });

  test.skipIf(!available(name))('fold, scale, scaleShift (center/shift given or null, y aliasing x), movingAverage', () => {
    const K = kernels(name);
    for (const cols of EDGE_SIZES) {
      for (const rows of [1, 5, 64]) {
        const rng = seeded(`bnInfer:${rows}:${cols}`);
        const mean = rng.normal(cols, 2), variance = rng.uniform(cols, 0.01, 3), gamma = rng.uniform(cols, 0.5, 2), beta = rng.uniform(cols);
        const x = rng.normal(rows * cols, 2, 1.5);
        withHeap((h) => {
          const M = h.put(mean), V = h.put(variance), S = h.out(cols), T = h.out(cols);
          const useAffine = cols % 2 === 1;
          K.bnormFold(cols, M, V, useAffine ? h.put(gamma) : null, useAffine ? h.put(beta) : null, S, T, EPS);
          const want = ref.fold(cols, mean, variance, useAffine ? gamma : null, useAffine ? beta : null, EPS);
          expectClose(`fold scale ${cols}`, h.read(S), want.scale, { rtol: 4 * EPS32 });
          expectClose(`fold shift ${cols}`, h.read(T), want.shift, { rtol: 4 * EPS32, scale: want.scale.map((s, j) => Math.abs(s * mean[j]) + 1) });
          // bnormScale is fold's scale on its own (inference BN needs no shift): the same bits
          const S2 = h.out(cols);
          K.bnormScale(cols, V, useAffine ? h.put(gamma) : null, S2, EPS);
          expectClose(`scale ${cols}`, h.read(S2), want.scale, { rtol: 4 * EPS32 });
          expect(Array.from(h.read(S2))).toEqual(Array.from(h.read(S)));
          const scale = h.read(S), shift = h.read(T);
          for (const variant of [0, 1, 2]) {   // 0: center + shift, 1: nulls, 2: shift only, y = x
            const X = h.put(x), Y = variant === 2 ? X : h.out(rows * cols);
            const center = variant === 0 ? mean : null, sh = variant === 1 ? null : shift;
            K.scaleShift(rows, cols, X, center ? M : null, S, sh ? T : null, Y);
            const ys = ref.scaleShift(rows, cols, x, center, scale, sh);
            const mag = ref.scaleShift(rows, cols, x.map(Math.abs), center?.map((c) => -Math.abs(c)) ?? null, scale.map(Math.abs), sh?.map(Math.abs) ?? null);
            expectClose(`scaleShift ${rows}×${cols} v${variant}`, h.read(Y), ys, { rtol: 4 * EPS32, scale: mag });
          }
        });
      }
      withHeap((h) => {
        const rng = seeded(`bnMoving:${cols}`);
        const bm = rng.normal(cols), bv = rng.uniform(cols, 0, 2), mm = rng.normal(cols), mv = rng.uniform(cols, 0, 2);
        const momentum = Math.fround(0.99);
        const MM = h.put(mm), MV = h.put(mv);
        K.movingAverage(cols, h.put(bm), h.put(bv), MM, MV, momentum);
        expectClose(`moving mean ${cols}`, h.read(MM), ref.movingAverage(bm, mm, momentum), { rtol: 4 * EPS32, atol: 4 * EPS32 });
        expectClose(`moving variance ${cols}`, h.read(MV), ref.movingAverage(bv, mv, momentum), { rtol: 4 * EPS32, atol: 4 * EPS32 });
      });
    }
  });
});
