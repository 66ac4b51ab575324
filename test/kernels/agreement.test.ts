/**
 * WASM and JS kernels agree on the same inputs (realistic shapes, not multiples of the vector width):
 * every kernel runs on each set and the WASM outputs are compared with the JS ones.
 */
import { describe, expect, test } from 'vitest';
import type { Kernels } from '../../src/backend/kernels.js';
import { available, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { type KernelHeap, withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';

type Case = (K: Kernels, h: KernelHeap) => ArrayLike<number>[];
const f = Math.fround;

const CASES: Record<string, { run: Case; rtol: number; atol: number }> = {
  'gemm nn/tn/nt 37×53×129': {
    rtol: 0, atol: 300 * EPS32,
    run: (K, h) => {
      const rng = seeded('agree-gemm'), a = rng.uniform(37 * 129), b = rng.uniform(129 * 53);
      return (['nn', 'tn', 'nt'] as const).map((op) => { const C = h.out(37 * 53); K.gemm(37, 53, 129, h.put(a), h.put(b), C, op, false); return h.read(C); });
    },
  },
  'dense tanh 33×70×100 + bias': {
    rtol: 0, atol: 300 * EPS32,
    run: (K, h) => {
      const rng = seeded('agree-dense'), Y = h.out(33 * 70);
      K.dense(33, 70, 100, h.put(rng.uniform(3300)), h.put(rng.uniform(7000, -0.2, 0.2)), h.put(rng.uniform(70)), Y, 'tanh');
      return [h.read(Y)];
    },
  },
  'batch stats + BN forward/backward 97×45': {
    rtol: 1e-4, atol: 1e-5,
    run: (K, h) => {
      const rng = seeded('agree-bn'), rows = 97, cols = 45;
      const X = h.put(rng.normal(rows * cols, 2, 3)), G = h.put(rng.uniform(cols, 0.5, 2)), B = h.put(rng.uniform(cols));
      const Y = h.out(rows * cols), M = h.out(cols), V = h.out(cols), I = h.out(cols);
      K.bnormForwardTrain(rows, cols, X, G, B, Y, M, V, I, f(1e-3));
      const DX = h.out(rows * cols), DG = h.out(cols), DB = h.out(cols);
      K.bnormBackward(rows, cols, h.put(rng.uniform(rows * cols)), X, M, I, G, DX, DG, DB);
      const S = h.out(cols), T = h.out(cols), Z = h.out(rows * cols), SR = h.out(cols);
      K.bnormFold(cols, M, V, G, B, S, T, f(1e-3));
      K.scaleShift(rows, cols, X, M, S, B, Z);
      K.sumRows(rows, cols, X, SR, false);
      return [h.read(Y), h.read(M), h.read(V), h.read(I), h.read(DX), h.read(DG), h.read(DB), h.read(S), h.read(T), h.read(Z), h.read(SR)];
    },
  },
  'activations + softmax 23×31': {
    rtol: 1e-5, atol: 1e-7,
    run: (K, h) => {
      const rng = seeded('agree-act'), n = 23 * 31, X = h.put(rng.uniform(n, -6, 6)), DY = h.put(rng.uniform(n));
      const out: ArrayLike<number>[] = [];
      for (const act of ['relu', 'sigmoid', 'tanh'] as const) {
        const Y = h.out(n), DX = h.out(n);
        K.activation(n, X, Y, act); K.activationBackward(n, Y, DY, DX, act);
        out.push(h.read(Y), h.read(DX));
      }
      const S = h.out(n), DZ = h.out(n);
      K.softmax(23, 31, X, S); K.softmaxBackward(23, 31, S, DY, DZ);
      return [...out, h.read(S), h.read(DZ)];
    },
  },
  'losses 29×10': {
    rtol: 1e-5, atol: 1e-7,
    run: (K, h) => {
      const rng = seeded('agree-loss'), n = 290, T = h.put(rng.uniform(n, 0, 1)), P = h.put(rng.uniform(n, 0.01, 0.99));
      const D1 = h.out(n), D2 = h.out(n), D3 = h.out(n), D4 = h.out(n), PR = h.out(n);
      const l1 = K.softmaxCrossEntropy(29, 10, h.put(rng.uniform(n, -3, 3)), T, PR, D1);
      const l2 = K.crossEntropy(29, 10, P, T, D2), l3 = K.binaryCrossEntropy(29, 10, P, T, D3), l4 = K.meanSquaredError(29, 10, P, T, D4);
      return [[l1, l2, l3, l4], h.read(PR), h.read(D1), h.read(D2), h.read(D3), h.read(D4)];
    },
  },
  'optimizers + multiply + transpose (n = 1003)': {
    rtol: 1e-5, atol: 1e-7,
    run: (K, h) => {
      const rng = seeded('agree-opt'), n = 1003, G = h.put(rng.uniform(n));
      const W1 = h.put(rng.uniform(n)), V1 = h.put(rng.uniform(n, -0.1, 0.1)), W2 = h.put(rng.uniform(n)), M = h.put(rng.uniform(n, -0.1, 0.1)), V2 = h.put(rng.uniform(n, 0, 0.01));
      K.sgd(n, G, W1, V1, f(0.01), f(0.9), true);
      K.adam(n, G, W2, M, V2, f(0.001), f(0.9), f(0.999), f(1e-7), f(0.1), f(0.001));
      const Y = h.out(n), TR = h.out(n);
      K.multiply(n, W1, G, Y);
      K.transpose(1, 17, 59, G, TR);
      return [h.read(W1), h.read(V1), h.read(W2), h.read(M), h.read(V2), h.read(Y), h.read(TR)];
    },
  },
};

describe.each(['wasm', 'wasm-relaxed'] as const)('%s agrees with js', (name) => {
  test.skipIf(!available(name)).each(Object.keys(CASES))('%s', (label) => {
    const { run, rtol, atol } = CASES[label];
    const js = withHeap((h) => run(kernels('js'), h).map((a) => Float64Array.from(a)));
    const wasm = withHeap((h) => run(kernels(name), h).map((a) => Float64Array.from(a)));
    expect(wasm.length).toBe(js.length);
    wasm.forEach((w, i) => expectClose(`${label} output ${i}`, w, js[i], { rtol, atol }));
  });
});
