/**
 * Convolution (im2col + GEMM, or the direct kernel for 1–2 input channels: backend/conv2d.ts) on every
 * kernel set: forward with the fused bias + activation (both paths on every shape), backward to input and to the filter, against the direct float64 convolution over an edge
 * grid (odd sizes, 1×1 windows, windows as large as the input, strides larger than the window, 'same'
 * padding with its uneven split, channels 1/3/13, batch 1); backward against central finite differences;
 * NaN in x propagating to exactly the outputs whose window holds it; im2col/col2im on their own.
 */
import { describe, expect, test } from 'vitest';
import { conv2d, conv2dBackwardFilter, conv2dBackwardInput } from '../../src/backend/conv2d.js';
import type { Act } from '../../src/backend/kernels.js';
import { window2d, type Padding, type Window2D } from '../../src/backend/window2d.js';
import { available, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { type KernelHeap, withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import * as ref from '../reference/conv.js';

type Case = [batch: number, inH: number, inW: number, kH: number, kW: number, sH: number, sW: number, padding: Padding];
/** [batch, inH, inW, kH, kW, strideH, strideW, padding] */
const GEOMETRIES: Case[] = [
  [1, 5, 5, 3, 3, 1, 1, 'valid'],
  [2, 7, 6, 3, 2, 1, 1, 'same'],     // rectangular kernel, padding split 1/1 and 0/1
  [1, 4, 4, 1, 1, 1, 1, 'valid'],    // 1×1: im2col is skipped
  [3, 5, 5, 1, 1, 2, 2, 'same'],     // 1×1 strided
  [1, 6, 5, 6, 5, 1, 1, 'valid'],    // window = image: one output pixel
  [2, 6, 5, 6, 5, 1, 1, 'same'],     // window = image, padded
  [1, 9, 9, 2, 2, 3, 3, 'valid'],    // stride > window: skipped pixels
  [2, 9, 8, 2, 1, 3, 4, 'same'],
  [1, 13, 13, 5, 5, 2, 2, 'same'],
  [5, 8, 8, 3, 3, 1, 1, 'same'],
];
const CHANNELS = [1, 3, 13];
const FILTERS = [1, 8, 13];
const ACTS: Act[] = ['linear', 'relu', 'tanh'];

function geometry([batch, inH, inW, kH, kW, sH, sW, padding]: Case, channels: number): Window2D {
  return window2d(batch, [inH, inW, channels], [kH, kW], [sH, sW], padding);
}
const name = (g: Window2D, outC: number) =>
  `b${g.batch} ${g.inH}×${g.inW}×${g.channels} k${g.kH}×${g.kW} s${g.strideH}×${g.strideW} pad${g.padTop},${g.padLeft} → ${g.outH}×${g.outW}×${outC}`;
const xLength = (g: Window2D) => g.batch * g.inH * g.inW * g.channels;
const yLength = (g: Window2D, outC: number) => g.batch * g.outH * g.outW * outC;

function forward(set: (typeof KERNEL_SETS)[number], h: KernelHeap, g: Window2D, outC: number, x: ArrayLike<number>,
  w: ArrayLike<number>, bias: ArrayLike<number> | null, act: Act) {
  const X = h.put(x), W = h.put(w), B = bias ? h.put(bias) : null, Y = h.out(yLength(g, outC));
  const col = conv2d(kernels(set), g, outC, X, W, B, Y, act, (n) => h.out(n));
  return { X, W, Y, col, y: h.read(Y) };
}

function backward(set: (typeof KERNEL_SETS)[number], h: KernelHeap, g: Window2D, outC: number,
  f: ReturnType<typeof forward>, dy: ArrayLike<number>) {
  const DY = h.put(dy), DX = h.out(xLength(g)), DW = h.out(g.kH * g.kW * g.channels * outC);
  conv2dBackwardFilter(kernels(set), g, outC, f.X, f.col, DY, DW, (n) => h.out(n));
  conv2dBackwardInput(kernels(set), g, outC, DY, f.W, DX, (n) => h.out(n));
  return { dx: h.read(DX), dw: h.read(DW) };
}

describe.each(KERNEL_SETS)('convolution on %s', (set) => {
  test.skipIf(!available(set))('forward, bias + activation fused, over the edge grid (seed conv:…)', () => {
    let i = 0;
    for (const c of GEOMETRIES) {
      for (const channels of CHANNELS) {
        for (const outC of FILTERS) {
          const g = geometry(c, channels), act = ACTS[i++ % 3], withBias = i % 2 === 0;
          const rng = seeded(`conv:${name(g, outC)}`);
          const kk = g.kH * g.kW * channels;
          const x = rng.normal(xLength(g)), w = rng.uniform(kk * outC), bias = withBias ? rng.uniform(outC) : null;
          withHeap((h) => {
            const got = forward(set, h, g, outC, x, w, bias, act).y;
            const want = ref.conv2d(g, outC, x, w, bias, act);
            const tol = { rtol: 4 * (kk + 2) * EPS32, scale: want.mag };
            expectClose(`${name(g, outC)} ${act} bias=${withBias}`, got, want.y, tol);
            // the direct kernel on every shape too (conv2d picks it only for 1–2 channels)
            const Y = h.out(yLength(g, outC));
            kernels(set).conv2dDirect(g, outC, h.put(x), h.put(w), bias ? h.put(bias) : null, Y, act);
            expectClose(`direct ${name(g, outC)} ${act} bias=${withBias}`, h.read(Y), want.y, tol);
          });
        }
      }
    }
  });

  test.skipIf(!available(set))('backward to input and to filter over the edge grid (seed convBwd:…)', () => {
    for (const c of GEOMETRIES) {
      for (const channels of CHANNELS) {
        for (const outC of FILTERS) {
          const g = geometry(c, channels), kk = g.kH * g.kW * channels, m = g.batch * g.outH * g.outW;
          const rng = seeded(`convBwd:${name(g, outC)}`);
          const x = rng.normal(xLength(g)), w = rng.uniform(kk * outC), dy = rng.uniform(yLength(g, outC));
          withHeap((h) => {
            const got = backward(set, h, g, outC, forward(set, h, g, outC, x, w, null, 'linear'), dy);
            const wantX = ref.conv2dBackwardInput(g, outC, dy, w), wantW = ref.conv2dBackwardFilter(g, outC, x, dy);
            expectClose(`dx ${name(g, outC)}`, got.dx, wantX.dx, { rtol: 4 * (outC + g.kH * g.kW + 2) * EPS32, scale: wantX.mag });
            expectClose(`dw ${name(g, outC)}`, got.dw, wantW.dw, { rtol: 4 * (m + 2) * EPS32, scale: wantW.mag });
          });
        }
      }
    }
  });

  test.skipIf(!available(set))('backward = central finite differences of L = Σ r·conv(x, w) (float64, seed convFD)', () => {
    for (const c of [GEOMETRIES[1], GEOMETRIES[7], GEOMETRIES[8]]) {
      const g = geometry(c, 3), outC = 4, kk = g.kH * g.kW * 3, hstep = 1e-3;
      const rng = seeded(`convFD:${name(g, outC)}`);
      const x = rng.normal(xLength(g)), w = rng.uniform(kk * outC), r = rng.uniform(yLength(g, outC));
      const L = (xx: ArrayLike<number>, ww: ArrayLike<number>) => ref.conv2d(g, outC, xx, ww, null, 'linear').y.reduce((s, v, i) => s + v * r[i], 0);
      const fd = (v: Float64Array, at: (p: Float64Array) => number) => Float64Array.from(v, (_, i) => {
        const up = Float64Array.from(v), dn = Float64Array.from(v);
        up[i] += hstep; dn[i] -= hstep;
        return (at(up) - at(dn)) / (2 * hstep);
      });
      const dxFD = fd(x, (p) => L(p, w)), dwFD = fd(w, (p) => L(x, p));
      withHeap((h) => {
        const got = backward(set, h, g, outC, forward(set, h, g, outC, x, w, null, 'linear'), r);
        expectClose(`dx vs FD ${name(g, outC)}`, got.dx, dxFD, { rtol: 1e-4, atol: 1e-4 });
        expectClose(`dw vs FD ${name(g, outC)}`, got.dw, dwFD, { rtol: 1e-4, atol: 1e-4 });
      });
    }
  });

  test.skipIf(!available(set))('a NaN in x reaches exactly the outputs whose window holds it, forward and backward', () => {
    const g = geometry([2, 7, 6, 3, 2, 2, 1, 'same'], 3), outC = 5, kk = g.kH * g.kW * 3;
    const rng = seeded('convNaN');
    const x = rng.normal(xLength(g)), w = rng.uniform(kk * outC);
    const bad = ((1 * g.inH + 3) * g.inW + 2) * 3 + 1;
    x[bad] = NaN;
    withHeap((h) => {
      const got = forward(set, h, g, outC, x, w, rng.uniform(outC), 'tanh').y;
      const want = ref.conv2d(g, outC, x, w, null, 'linear').y;
      let nans = 0;
      want.forEach((v, i) => {
        expect(Number.isNaN(got[i]), `output ${i}`).toBe(Number.isNaN(v));
        if (Number.isNaN(v)) nans++;
      });
      expect(nans).toBeGreaterThan(0);
      // dW: every filter tap that met the NaN pixel; dy of 1 everywhere
      const ones = new Float64Array(yLength(g, outC)).fill(1);
      const grads = backward(set, h, g, outC, forward(set, h, g, outC, x, w, null, 'linear'), ones);
      const wantW = ref.conv2dBackwardFilter(g, outC, x, ones).dw;
      grads.dw.forEach((v, i) => expect(Number.isNaN(v), `dw ${i}`).toBe(Number.isNaN(wantW[i])));
      // the direct kernel too
      const Y = h.out(yLength(g, outC));
      kernels(set).conv2dDirect(g, outC, h.put(x), h.put(w), null, Y, 'linear');
      h.read(Y).forEach((v, i) => expect(Number.isNaN(v), `direct output ${i}`).toBe(Number.isNaN(want[i])));
    });
  });

  test.skipIf(!available(set))('im2col and col2im against a direct gather / scatter (seed im2col)', () => {
    for (const c of GEOMETRIES) {
      const g = geometry(c, 3), [m, kk] = [g.batch * g.outH * g.outW, g.kH * g.kW * 3];
      const rng = seeded(`im2col:${name(g, 1)}`);
      const x = rng.normal(xLength(g)), col = rng.normal(m * kk);
      withHeap((h) => {
        const COL = h.out(m * kk), DX = h.out(xLength(g));
        kernels(set).im2col(g, h.put(x), COL);
        kernels(set).col2im(g, h.put(col), DX);
        // im2col's row p, column (ky, kx, c) = conv with a one-hot filter; col2im = backward to input of the same
        const eye = new Float64Array(kk * kk).map((_, i) => (i % (kk + 1) === 0 ? 1 : 0));
        expectClose(`im2col ${name(g, 1)}`, h.read(COL), ref.conv2d(g, kk, x, eye, null, 'linear').y, { rtol: 0 });
        const want = ref.conv2dBackwardInput(g, kk, col, eye);
        expectClose(`col2im ${name(g, 1)}`, h.read(DX), want.dx, { rtol: 4 * (g.kH * g.kW) * EPS32, scale: want.mag });
      });
    }
  });
});

test.skipIf(!available('wasm'))('every WASM set agrees with the JS twin on the same bytes: forward (both paths) and backward (seed convAgree)', () => {
  for (const c of GEOMETRIES) {
    for (const channels of [1, 13]) {
      const g = geometry(c, channels), outC = 9, kk = g.kH * g.kW * channels;
      const rng = seeded(`convAgree:${name(g, outC)}`);
      const x = rng.normal(xLength(g)), w = rng.uniform(kk * outC), bias = rng.uniform(outC), dy = rng.uniform(yLength(g, outC));
      const on = (set: (typeof KERNEL_SETS)[number]) => withHeap((h) => {
        const f = forward(set, h, g, outC, x, w, bias, 'relu'), Y = h.out(yLength(g, outC));
        kernels(set).conv2dDirect(g, outC, h.put(x), h.put(w), h.put(bias), Y, 'relu');
        return { y: f.y, direct: h.read(Y), ...backward(set, h, g, outC, f, dy) };
      });
      const js = on('js'), mag = ref.conv2d(g, outC, x, w, bias, 'linear').mag;
      const magX = ref.conv2dBackwardInput(g, outC, dy, w).mag, magW = ref.conv2dBackwardFilter(g, outC, x, dy).mag;
      for (const set of KERNEL_SETS.filter((s) => s !== 'js' && available(s))) {
        const got = on(set), tol = (m: Float64Array, k: number) => ({ rtol: 8 * (k + 2) * EPS32, scale: m });
        expectClose(`y ${set} ${name(g, outC)}`, got.y, js.y, tol(mag, kk));
        expectClose(`direct ${set} ${name(g, outC)}`, got.direct, js.direct, tol(mag, kk));
        expectClose(`dx ${set} ${name(g, outC)}`, got.dx, js.dx, tol(magX, outC * g.kH * g.kW));
        expectClose(`dw ${set} ${name(g, outC)}`, got.dw, js.dw, tol(magW, g.batch * g.outH * g.outW));
      }
    }
  }
});
