/**
 * RMSprop (plain, momentum, centered), Adagrad and AdamW/AMSGrad update kernels on every kernel set: one step
 * against the float64 reference on edge sizes, 30 steps against TensorFlow.js's optimizers (rmsprop, adagrad,
 * and adamw with no decay against TF.js's adam), 30 steps against the float64 reference for decay and AMSGrad,
 * and NaN gradients propagating into the weights.
 */
import { describe, expect, test } from 'vitest';
import type { F32, Kernels } from '../../src/backend/kernels.js';
import { available, EDGE_SIZES, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap, type KernelHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import { setupTf, tf } from '../helpers/tfjs.js';
import * as ref from '../reference/adaptive-optimizers.js';

const f = Math.fround;
const RMS_VARIANTS = [[0, false], [f(0.9), false], [0, true], [f(0.5), true]] as const;

describe.each(KERNEL_SETS)('adaptive optimizers on %s', (name) => {
  test.skipIf(!available(name))('rmsprop one step: plain, momentum, centered, both; sizes 1…257', () => {
    const K = kernels(name);
    for (const n of EDGE_SIZES) {
      for (const [momentum, centered] of RMS_VARIANTS) {
        const rng = seeded(`rmsprop:${n}:${momentum}:${centered}`);
        const w = rng.uniform(n), g = rng.uniform(n), ms = rng.uniform(n, 0.5, 1), mg = rng.uniform(n, -0.1, 0.1);
        const mom = rng.uniform(n, -0.01, 0.01), lr = f(0.01), rho = f(0.9), eps = f(1e-7);
        withHeap((h) => {
          const W = h.put(w), MS = h.put(ms), MG = centered ? h.put(mg) : null, MOM = momentum ? h.put(mom) : null;
          K.rmsprop(n, h.put(g), W, MS, MG, MOM, lr, rho, momentum, eps);
          const want = ref.rmsprop(w, g, ms, centered ? mg : null, momentum ? mom : null, lr, rho, momentum, eps);
          const label = `rmsprop n=${n} momentum=${momentum} centered=${centered}`;
          expectClose(`${label} w`, h.read(W), want.w, { rtol: 4 * EPS32, atol: 8 * EPS32 * lr * 4 });
          expectClose(`${label} ms`, h.read(MS), want.ms, { rtol: 4 * EPS32 });
          if (MG) expectClose(`${label} mg`, h.read(MG), want.mg!, { rtol: 4 * EPS32, atol: 4 * EPS32 * 0.1 });
          if (MOM) expectClose(`${label} mom`, h.read(MOM), want.mom!, { rtol: 8 * EPS32, atol: 8 * EPS32 * lr * 4 });
        });
      }
    }
  });

  test.skipIf(!available(name))('adagrad one step; sizes 1…257', () => {
    const K = kernels(name);
    for (const n of EDGE_SIZES) {
      const rng = seeded(`adagrad:${n}`);
      const w = rng.uniform(n), g = rng.uniform(n), acc = rng.uniform(n, 0.1, 2), lr = f(0.01), eps = f(1e-7);
      withHeap((h) => {
        const W = h.put(w), A = h.put(acc);
        K.adagrad(n, h.put(g), W, A, lr, eps);
        const want = ref.adagrad(w, g, acc, lr, eps);
        expectClose(`adagrad n=${n} acc`, h.read(A), want.acc, { rtol: 4 * EPS32 });
        expectClose(`adagrad n=${n} w`, h.read(W), want.w, { rtol: 4 * EPS32, atol: 8 * EPS32 * lr });
      });
    }
  });

  test.skipIf(!available(name))('adamw one step: decay, AMSGrad, both; early and late bias corrections; sizes 1…257', () => {
    const K = kernels(name);
    for (const n of EDGE_SIZES) {
      for (const [decay, ams, step] of [[f(0.004), false, 1], [0, true, 1], [f(0.05), true, 1000]] as const) {
        const rng = seeded(`adamw:${n}:${decay}:${ams}:${step}`);
        const w = rng.uniform(n), g = rng.uniform(n), m = rng.uniform(n, -0.1, 0.1), v = rng.uniform(n, 0, 0.01);
        const vhat = v.map((x, i) => (i % 2 ? x : f(x * 2))); // half the lanes keep the old maximum
        const lr = f(0.001), b1 = f(0.9), b2 = f(0.999), eps = f(1e-7), bc1 = f(1 - b1 ** step), bc2 = f(1 - b2 ** step);
        withHeap((h) => {
          const W = h.put(w), M = h.put(m), V = h.put(v), VH = ams ? h.put(vhat) : null;
          K.adamw(n, h.put(g), W, M, V, VH, lr, b1, b2, eps, bc1, bc2, decay);
          const want = ref.adamw(w, g, m, v, ams ? vhat : null, lr, b1, b2, eps, bc1, bc2, decay);
          const label = `adamw n=${n} decay=${decay} amsgrad=${ams} t=${step}`;
          const mScale = m.map((mi, i) => b1 * Math.abs(mi) + (1 - b1) * Math.abs(g[i]));
          expectClose(`${label} m`, h.read(M), want.m, { rtol: 4 * EPS32, scale: mScale });
          expectClose(`${label} v`, h.read(V), want.v, { rtol: 8 * EPS32, atol: 1e-12 });
          if (VH) expectClose(`${label} vhat`, h.read(VH), want.vhat!, { rtol: 8 * EPS32, atol: 1e-12 });
          expectClose(`${label} w`, h.read(W), want.w, { rtol: 2 * EPS32, atol: 16 * EPS32 * lr * 10 });
        });
      }
    }
  });

  test.skipIf(!available(name))('a NaN gradient reaches the weight and its state; ±Inf does not turn neighbours NaN', () => {
    const K = kernels(name);
    const g = [NaN, 1, Infinity, -0.5, 0.25];
    withHeap((h) => {
      const run = (update: (W: F32, G: F32) => void, label: string) => {
        const W = h.put([1, 1, 1, 1, 1]);
        update(W, h.put(g));
        const w = h.read(W);
        expect(Number.isNaN(w[0]), `${label}: NaN gradient`).toBe(true);
        expect(w.slice(3).every(Number.isFinite), `${label}: other lanes`).toBe(true);
      };
      run((W, G) => K.rmsprop(5, G, W, h.out(5, 0), h.out(5, 0), h.out(5, 0), 0.01, 0.9, 0.9, 1e-7), 'rmsprop');
      run((W, G) => K.adagrad(5, G, W, h.out(5, 0.1), 0.01, 1e-7), 'adagrad');
      run((W, G) => K.adamw(5, G, W, h.out(5, 0), h.out(5, 0), h.out(5, 0), 0.01, 0.9, 0.999, 1e-7, 0.1, 0.001, 0.004), 'adamw');
    });
  });
});

/** Runs `steps` updates of one kernel on w with seeded gradients; returns w after each step. */
function trajectory(K: Kernels, h: KernelHeap, w0: Float64Array, grads: Float64Array[],
  update: (W: F32, G: F32, t: number) => void): Float64Array[] {
  const W = h.put(w0), out: Float64Array[] = [];
  grads.forEach((g, t) => { update(W, h.put(g), t + 1); out.push(h.read(W)); });
  return out;
}

function tfTrajectory(opt: tf.Optimizer, w0: Float64Array, grads: Float64Array[]): Float64Array[] {
  const v = tf.variable(tf.tensor1d(Array.from(w0)), true, `w${Math.random()}`);
  const out = grads.map((g) => {
    opt.applyGradients({ [v.name]: tf.tensor1d(Array.from(g)) });
    return Float64Array.from(v.dataSync());
  });
  v.dispose();
  return out;
}

describe('adaptive optimizers, step by step against TensorFlow.js and float64', () => {
  const n = 13, steps = 30;
  const rng = seeded('optim-trajectory');
  const w0 = rng.uniform(n);
  // |g| ≥ 0.05, growing over the steps (so AMSGrad's max differs from v when the order is reversed)
  const grads = Array.from({ length: steps }, (_, t) => rng.uniform(n, -1 - t / 10, 1 + t / 10).map((g) => f(Math.sign(g) * (0.05 + Math.abs(g)))));

  /**
   * Centered: TF.js computes √(ms − mg² − eps) where Keras 3 (and bnwasm) compute √(ms − mg² + eps); bnwasm run
   * with −eps must then reproduce TF.js exactly, which pins the difference to that one sign.
   */
  test.each(RMS_VARIANTS)('rmsprop momentum=%s centered=%s matches tf.train.rmsprop for 30 steps (wasm, js)', async (momentum, centered) => {
    await setupTf();
    const lr = f(0.01), rho = f(0.9), tfEps = 1e-7, eps = centered ? -tfEps : tfEps;
    const want = tfTrajectory(tf.train.rmsprop(lr, rho, momentum, tfEps, centered), w0, grads);
    for (const name of ['wasm', 'js'] as const) {
      withHeap((h) => {
        const MS = h.out(n, 0), MG = centered ? h.out(n, 0) : null, MOM = momentum ? h.out(n, 0) : null;
        const got = trajectory(kernels(name), h, w0, grads, (W, G) => kernels(name).rmsprop(n, G, W, MS, MG, MOM, lr, rho, momentum, eps));
        got.forEach((w, t) => expectClose(`${name} step ${t + 1}`, w, want[t], { rtol: 1e-5, atol: 1e-6 }));
      });
    }
  });

  test('adagrad matches tf.train.adagrad (initial accumulator 0.1) for 30 steps (wasm, js)', async () => {
    await setupTf();
    const lr = f(0.05);
    const want = tfTrajectory(tf.train.adagrad(lr, 0.1), w0, grads);
    for (const name of ['wasm', 'js'] as const) {
      withHeap((h) => {
        const A = h.out(n, f(0.1));
        const got = trajectory(kernels(name), h, w0, grads, (W, G) => kernels(name).adagrad(n, G, W, A, lr, 1e-7));
        got.forEach((w, t) => expectClose(`${name} step ${t + 1}`, w, want[t], { rtol: 1e-5, atol: 1e-6 }));
      });
    }
  });

  test.each([[0, true], [f(0.5), true]] as const)('rmsprop momentum=%s centered=%s follows the float64 reference (Keras 3: +eps) for 30 steps (all sets)', (momentum, centered) => {
    const lr = f(0.01), rho = f(0.9), eps = 1e-7;
    let st = { w: w0 as ArrayLike<number>, ms: new Float64Array(n) as ArrayLike<number>, mg: new Float64Array(n) as ArrayLike<number> | null, mom: new Float64Array(n) as ArrayLike<number> | null };
    const want = grads.map((g) => {
      st = ref.rmsprop(st.w, g, st.ms, st.mg, momentum ? st.mom : null, lr, rho, momentum, eps);
      if (!momentum) st.mom = new Float64Array(n);
      return st.w;
    });
    for (const name of KERNEL_SETS.filter(available)) {
      withHeap((h) => {
        const MS = h.out(n, 0), MG = h.out(n, 0), MOM = momentum ? h.out(n, 0) : null;
        const got = trajectory(kernels(name), h, w0, grads, (W, G) => kernels(name).rmsprop(n, G, W, MS, MG, MOM, lr, rho, momentum, eps));
        got.forEach((w, t) => expectClose(`${name} step ${t + 1}`, w, want[t] as Float64Array, { rtol: 1e-5, atol: 1e-6 }));
      });
    }
  });

  test('adamw with no decay and no AMSGrad is tf.train.adam for 30 steps (wasm, js)', async () => {
    await setupTf();
    const lr = f(0.01), b1 = f(0.9), b2 = f(0.999), eps = 1e-7;
    const want = tfTrajectory(tf.train.adam(lr, b1, b2, eps), w0, grads);
    for (const name of ['wasm', 'js'] as const) {
      withHeap((h) => {
        const M = h.out(n, 0), V = h.out(n, 0);
        const got = trajectory(kernels(name), h, w0, grads, (W, G, t) =>
          kernels(name).adamw(n, G, W, M, V, null, lr, b1, b2, eps, f(1 - b1 ** t), f(1 - b2 ** t), 0));
        got.forEach((w, t) => expectClose(`${name} step ${t + 1}`, w, want[t], { rtol: 1e-5, atol: 1e-6 }));
      });
    }
  });

  test.each([[f(0.004), false], [0, true], [f(0.1), true]] as const)('adamw decay=%s amsgrad=%s follows the float64 reference for 30 steps (all sets)', (decay, ams) => {
    // shrinking gradients: v falls and AMSGrad keeps the maximum
    const gs = grads.slice().reverse();
    const lr = f(0.01), b1 = f(0.9), b2 = f(0.8), eps = 1e-7; // a short v memory, so the max matters
    let w: ArrayLike<number> = w0, m: ArrayLike<number> = new Float64Array(n), v: ArrayLike<number> = new Float64Array(n);
    let vh: ArrayLike<number> | null = ams ? new Float64Array(n) : null;
    const want = gs.map((g, t) => {
      const r = ref.adamw(w, g, m, v, vh, lr, b1, b2, eps, f(1 - b1 ** (t + 1)), f(1 - b2 ** (t + 1)), decay);
      ({ w, m, v } = r); vh = r.vhat;
      return r.w;
    });
    for (const name of KERNEL_SETS.filter(available)) {
      withHeap((h) => {
        const M = h.out(n, 0), V = h.out(n, 0), VH = ams ? h.out(n, 0) : null;
        const got = trajectory(kernels(name), h, w0, gs, (W, G, t) =>
          kernels(name).adamw(n, G, W, M, V, VH, lr, b1, b2, eps, f(1 - b1 ** t), f(1 - b2 ** t), decay));
        got.forEach((wt, t) => expectClose(`${name} step ${t + 1}`, wt, want[t], { rtol: 1e-5, atol: 1e-6 }));
      });
    }
    // AMSGrad must actually differ from Adam on this sequence (growing gradients, then the max holds)
    if (ams && decay === 0) {
      let w2: ArrayLike<number> = w0, m2: ArrayLike<number> = new Float64Array(n), v2: ArrayLike<number> = new Float64Array(n);
      gs.forEach((g, t) => ({ w: w2, m: m2, v: v2 } = ref.adamw(w2, g, m2, v2, null, lr, b1, b2, eps, 1 - b1 ** (t + 1), 1 - b2 ** (t + 1), 0)));
      expect(Math.max(...Array.from(w2, (x, i) => Math.abs(x - want[steps - 1][i])))).toBeGreaterThan(1e-4);
    }
  });
});
