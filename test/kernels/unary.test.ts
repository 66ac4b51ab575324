/**
 * The non-fused activations (leakyRelu, elu, selu, gelu, swish, softplus, softsign, hardSigmoid), forward and
 * backward, on every kernel set: against the float64 reference on edge sizes with aliasing, the backward
 * against central finite differences of the float64 forward, special values (±0, tiny, huge, ±Inf, NaN),
 * and against TensorFlow.js's ops where TF.js defines the same function.
 */
import { describe, expect, test } from 'vitest';
import type { UnaryOp } from '../../src/backend/kernels.js';
import { available, EDGE_SIZES, KERNEL_SETS, kernels } from '../helpers/backends.js';
import { EPS32, expectClose } from '../helpers/close.js';
import { withHeap } from '../helpers/kernel-heap.js';
import { seeded } from '../helpers/rng.js';
import { setupTf, tf } from '../helpers/tfjs.js';
import * as ref from '../reference/unary.js';

const OPS: UnaryOp[] = ['leakyRelu', 'elu', 'selu', 'gelu', 'swish', 'softplus', 'softsign', 'hardSigmoid'];
/** the α each op is tested with (leakyRelu's Keras default slope; a non-default elu α) */
const ALPHA: Record<UnaryOp, number> = {
  leakyRelu: 0.2, elu: 1.3, selu: 0, gelu: 0, swish: 0, softplus: 0, softsign: 0, hardSigmoid: 0,
};
const TINY = 2 ** -126;
const f = Math.fround;

/**
 * Allowed error: a few float32 ulps of the size of the terms that make up the value (Σ|terms|, so a value that
 * cancels, like gelu'(x) = Φ(x) + x·φ(x) near its zero, is judged against the terms' size), plus for the
 * exp-based ops the error of eˣ or e^(−x²/2) whose argument is rounded to float32 (relative ~|arg|·2⁻²⁴,
 * as in any float32 library).
 */
function scale(op: UnaryOp, x: ArrayLike<number>, want: ArrayLike<number>, alpha: number, backward = false): number[] {
  return Array.from(want, (w, i) => {
    const v = Math.min(Math.abs(x[i]), 20), s = 1 / (1 + Math.exp(-x[i]));
    const arg = op === 'gelu' ? v * v : op === 'leakyRelu' || op === 'softsign' || op === 'hardSigmoid' ? 0 : v;
    let terms = backward ? Math.abs(ref.derivativeAt(op, x[i], alpha)) : Math.abs(w);
    if (op === 'hardSigmoid' && !backward && Math.abs(x[i]) < 3) terms = Math.abs(x[i]) / 6 + 0.5;
    if (op === 'gelu' && backward) terms = ref.normalCdf(x[i]) + v * Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
    if (op === 'swish' && backward) terms = s + v * s * (1 - s);
    return (Number.isNaN(terms) ? Math.abs(w) : terms) * (16 + (Number.isFinite(arg) ? arg : 0));
  });
}

describe.each(KERNEL_SETS)('unary activations on %s', (name) => {
  test.skipIf(!available(name)).each(OPS)('%s forward and backward vs float64, sizes 1…1000, aliasing', (op) => {
    const K = kernels(name), alpha = f(ALPHA[op]);
    for (const n of [...EDGE_SIZES, 1000]) {
      const rng = seeded(`unary:${op}:${n}`);
      const x = rng.uniform(n, -12, 12), dy = rng.uniform(n);
      withHeap((h) => {
        const alias = n % 2 === 1;
        const X = h.put(x), Y = alias ? h.put(x) : h.out(n);
        K.unary(n, alias ? Y : X, Y, alpha, op);
        const want = ref.unary(op, x, alpha);
        expectClose(`${op} n=${n}`, h.read(Y), want, { rtol: EPS32, atol: TINY, scale: scale(op, x, want, alpha) });
        const DY = h.put(dy), DX = alias ? DY : h.out(n);
        K.unaryBackward(n, X, DY, DX, alpha, op);
        const wantD = ref.unaryBackward(op, x, dy, alpha);
        expectClose(`${op}' n=${n}`, h.read(DX), wantD, { rtol: EPS32, atol: TINY, scale: scale(op, x, wantD, alpha, true).map((t, i) => t * Math.abs(dy[i])) });
      });
    }
  });

  test.skipIf(!available(name)).each(OPS)('%s backward matches central finite differences of the float64 forward', (op) => {
    const K = kernels(name), alpha = f(ALPHA[op]);
    const rng = seeded(`unary-fd:${op}`);
    // away from the kinks (0 for all piecewise ops, ±3 for hardSigmoid), where a difference quotient straddles both sides
    const x = Array.from(rng.uniform(257, -8, 8)).filter((v) => Math.abs(v) > 1e-3 && Math.abs(Math.abs(v) - 3) > 1e-3);
    const hstep = 1e-6;
    const fd = x.map((v) => (ref.unaryAt(op, v + hstep, alpha) - ref.unaryAt(op, v - hstep, alpha)) / (2 * hstep));
    withHeap((h) => {
      const DX = h.out(x.length);
      K.unaryBackward(x.length, h.put(x), h.put(x.map(() => 1)), DX, alpha, op);
      expectClose(`${op}' vs finite differences`, h.read(DX), fd, { rtol: 1e-5, atol: 1e-6 });
    });
  });

  test.skipIf(!available(name))('special values: ±0, tiny, huge, ±Inf give the limits, NaN propagates (forward and backward)', () => {
    const K = kernels(name);
    const xs = [0, -0, 1e-8, -1e-8, 1e-30, -1e-30, 0.4999, 0.5001, -0.4999, -0.5001, 2.9999, 3, -3, 5, -5, 9, -9, 15, -15,
      20, -20, 50, -50, 87, -87, 89, -89, 100, -100, -104, -150, 1e30, -1e30, Infinity, -Infinity, NaN].map(f);
    for (const op of OPS) {
      const alpha = f(ALPHA[op]);
      withHeap((h) => {
        const X = h.put(xs), Y = h.out(xs.length), DX = h.out(xs.length);
        K.unary(xs.length, X, Y, alpha, op);
        const y = h.read(Y), want = ref.unary(op, xs, alpha);
        expectClose(`${op} special`, y, want, { rtol: EPS32, atol: 2 ** -140, scale: scale(op, xs, want, alpha) });
        expect(y.slice(0, -1).some(Number.isNaN), `${op}: NaN only from NaN`).toBe(false);
        expect(Number.isNaN(y[y.length - 1]), `${op}(NaN)`).toBe(true);
        K.unaryBackward(xs.length, X, h.put(xs.map(() => 1)), DX, alpha, op);
        const d = h.read(DX), wantD = ref.unaryBackward(op, xs, xs.map(() => 1), alpha);
        expectClose(`${op}' special`, d, wantD, { rtol: EPS32, atol: 2 ** -140, scale: scale(op, xs, wantD, alpha, true) });
        expect(d.slice(0, -1).some(Number.isNaN), `${op}': NaN only from NaN`).toBe(false);
        expect(Number.isNaN(d[d.length - 1]), `${op}'(NaN)`).toBe(true);
      });
    }
  });

  test.skipIf(!available(name))('tiny x keeps relative accuracy where the function is ~linear at 0 (elu, selu, softsign, gelu)', () => {
    const K = kernels(name);
    withHeap((h) => {
      const X = h.put([f(-1e-8)]), Y = h.out(1);
      K.unary(1, X, Y, 1, 'elu');
      expect(h.read(Y)[0] / f(-1e-8)).toBeCloseTo(1, 6);
      K.unary(1, X, Y, 0, 'selu');
      expect(h.read(Y)[0] / f(-1e-8)).toBeCloseTo(ref.SELU_SCALE * ref.SELU_ALPHA, 5);
      K.unary(1, X, Y, 0, 'softplus');
      expect(h.read(Y)[0]).toBeCloseTo(Math.LN2, 6);
      const Z = h.put([f(-30)]);
      K.unary(1, Z, Y, 0, 'softplus');
      expect(h.read(Y)[0] / Math.exp(f(-30))).toBeCloseTo(1, 5); // log1p(e⁻³⁰) ≈ e⁻³⁰, not 0
    });
  });

  test.skipIf(!available(name))('the error names nothing: one unknown code is not possible through the typed contract', () => {
    // the adapter maps names to codes; an op outside the union is a type error, so just check every name maps
    for (const op of OPS) expect(() => withHeap((h) => kernels(name).unary(1, h.put([1]), h.out(1), 0.2, op))).not.toThrow();
  });
});

describe('unary activations against TensorFlow.js', () => {
  /** TF.js's function for each op it defines as Keras 3 does; hardSigmoid is checked separately (they differ). */
  const tfForward: Partial<Record<UnaryOp, (x: tf.Tensor) => tf.Tensor>> = {
    leakyRelu: (x) => tf.leakyRelu(x, f(0.2)),
    elu: (x) => tf.elu(x),
    selu: (x) => tf.selu(x),
    gelu: (x) => tf.layers.activation({ activation: 'gelu' as 'relu' }).apply(x) as tf.Tensor,
    swish: (x) => tf.layers.activation({ activation: 'swish' as 'relu' }).apply(x) as tf.Tensor,
    softplus: (x) => tf.softplus(x),
    softsign: (x) => tf.layers.activation({ activation: 'softsign' }).apply(x) as tf.Tensor,
  };

  test.each(Object.keys(tfForward) as UnaryOp[])('%s: forward and gradient match TF.js (wasm and js)', async (op) => {
    await setupTf();
    const alpha = op === 'elu' ? 1 : f(ALPHA[op]);
    const x = Array.from(seeded(`unary-tf:${op}`).uniform(257, -6, 6));
    const fn = tfForward[op]!;
    const y = (fn(tf.tensor1d(x)).dataSync());
    const d = tf.grad((t: tf.Tensor) => fn(t).sum())(tf.tensor1d(x)).dataSync();
    // TF.js's erf is the Abramowitz–Stegun fit (absolute error 1.5e-7), hence gelu's absolute tolerance
    const atol = op === 'gelu' ? 2e-6 : 1e-6;
    for (const name of ['wasm', 'js'] as const) {
      const K = kernels(name);
      withHeap((h) => {
        const X = h.put(x), Y = h.out(x.length), DX = h.out(x.length);
        K.unary(x.length, X, Y, alpha, op);
        K.unaryBackward(x.length, X, h.put(x.map(() => 1)), DX, alpha, op);
        expectClose(`${op} vs TF.js on ${name}`, h.read(Y), y, { rtol: 1e-5, atol });
        expectClose(`${op}' vs TF.js on ${name}`, h.read(DX), d, { rtol: 1e-5, atol });
      });
    }
  });

  test('hardSigmoid follows Keras 3 (x/6 + ½), not TF.js (0.2·x + ½)', async () => {
    await setupTf();
    const x = [-4, -2.5, -1, 0, 1, 2, 2.5, 4];
    const tfY = (tf.layers.activation({ activation: 'hardSigmoid' }).apply(tf.tensor1d(x)) as tf.Tensor).dataSync();
    expectClose('TF.js hardSigmoid', tfY, x.map((v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1)), { rtol: 1e-6, atol: 1e-7 });
    withHeap((h) => {
      const Y = h.out(x.length);
      kernels('wasm').unary(x.length, h.put(x), Y, 0, 'hardSigmoid');
      expectClose('bnwasm hardSigmoid', h.read(Y), x.map((v) => Math.min(Math.max(v / 6 + 0.5, 0), 1)), { rtol: 1e-6, atol: 1e-7 });
    });
  });
});
