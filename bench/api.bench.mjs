/**
 * The public API as a user calls it (shapes.mjs's API list): `ops.*` on Tensors with dataSync() of every
 * result, trainOnBatch and fit on user tensors, predict of 1,024 rows returning a tensor that is read.
 * Runners: bnwasm on the default threads ("bnwasm"), bnwasm on 1 thread, TF.js wasm (tensors created
 * beforehand, dataSync on the results, then dispose), and for the ops the same kernels on heap-resident
 * arrays on the default threads ("bnwasm-kernels": what the public path costs beyond the kernels).
 * Timed by lib.mjs's alternating(): one sample of each runner per round, so load elsewhere falls on all
 * alike. `--busy`: run.mjs keeps one core busy meanwhile and the results go to bench/results/busy/.
 * Every runner's results are checked against TF.js wasm's once before timing.
 */
import * as bw from '../dist/index.js';
import { heap, kernels } from '../dist/backend/runtime.js';
import { alternating, BUSY, expectClose, finish, loadTf, oneHot, sharedStart, uniform, writeEnv } from './lib.mjs';
import { API, MLP } from './shapes.mjs';

await bw.ready();
const DEFAULT_THREADS = bw.getThreads();
const T = await loadTf();
const { tf } = T;
const EPS = 1e-3;
const [IN, H1, H2, OUT] = MLP.units;
writeEnv(BUSY ? 'busy/api' : 'api', { threads: { default: DEFAULT_THREADS }, busy: BUSY, tfjs: T.info });

const onThreads = {};
const threads = (n) => (onThreads[n] ??= async () => {
  if (bw.getThreads() !== n) await bw.setThreads(n);
  if (bw.getThreads() !== n) throw new Error(`asked for ${n} kernel threads, running ${bw.getThreads()}`);
});
const BW = [
  { runner: 'bnwasm', prepare: threads(DEFAULT_THREADS), before: () => bw.setBackend('wasm') },
  { runner: 'bnwasm-1thread', prepare: threads(1), before: () => bw.setBackend('wasm') },
];
const TF = { runner: 'tfjs-wasm', before: () => T.use('wasm') };
const KERNELS = { runner: 'bnwasm-kernels', prepare: threads(DEFAULT_THREADS), before: () => bw.setBackend('wasm') };

const check = (what, got, want, tol) => { for (const key of Object.keys(want)) expectClose(`${what} ${key}`, got[key], want[key], tol); };

/** Heap blocks for the kernel-only runners, filled once (released after each suite). */
const live = [];
const place = (arrays, outputs) => {
  const h = heap(), b = {};
  for (const [key, v] of Object.entries(arrays)) { b[key] = h.alloc(v.length); live.push(b[key]); }
  for (const [key, n] of Object.entries(outputs)) { b[key] = h.alloc(n); live.push(b[key]); }
  for (const [key, v] of Object.entries(arrays)) h.f32(b[key]).set(v);
  return b;
};

function matMulCases(s) {
  const a = uniform(s.m * s.k, 1), b = uniform(s.k * s.n, 2);
  let want;
  const tfCase = {
    ...TF, setup: () => {
      const ta = tf.tensor2d(a, [s.m, s.k]), tb = tf.tensor2d(b, [s.k, s.n]);
      const fn = () => { const c = tf.matMul(ta, tb); const v = c.dataSync(); c.dispose(); return v; };
      want = { c: fn() };
      return fn;
    },
  };
  const bwCases = BW.map((r) => ({
    ...r, setup: () => {
      const ta = bw.tensor(a, [s.m, s.k]), tb = bw.tensor(b, [s.k, s.n]);
      const fn = () => bw.ops.matMul(ta, tb).dataSync();
      check(`${s.suite} ${r.runner}`, { c: fn() }, want, 1e-4);
      return fn;
    },
  }));
  const kernel = {
    ...KERNELS, setup: () => {
      const h = place({ a, b }, { c: s.m * s.n });
      const fn = () => kernels().gemm(s.m, s.n, s.k, h.a, h.b, h.c, 'nn', false);
      fn();
      check(`${s.suite} kernels`, { c: heap().f32(h.c) }, want, 1e-4);
      return fn;
    },
  };
  return [tfCase, ...bwCases, kernel];
}

/** Training-mode BN as ops: batch statistics, normalise, and the gradients through the statistics. */
function bnCases(s) {
  const n = s.rows * s.cols;
  const x = uniform(n, 4, -2, 4), dy = uniform(n, 5), gamma = uniform(s.cols, 6, 0.5, 1.5), beta = uniform(s.cols, 7, -0.5, 0.5);
  let want;
  const tfCase = {
    ...TF, setup: () => {
      const tx = tf.tensor2d(x, [s.rows, s.cols]), tdy = tf.tensor2d(dy, [s.rows, s.cols]), tg = tf.tensor1d(gamma), tb = tf.tensor1d(beta);
      const grads = tf.grads((xx, g) => {
        const { mean, variance } = tf.moments(xx, 0);
        return tf.sum(tf.mul(tdy, tf.batchNorm(xx, mean, variance, tb, g, EPS)));
      });
      const fn = () => {
        const out = tf.tidy(() => {
          const { mean, variance } = tf.moments(tx, 0);
          const y = tf.batchNorm(tx, mean, variance, tb, tg, EPS);
          const [dx, dgamma] = grads([tx, tg]);
          return { mean: mean.dataSync(), variance: variance.dataSync(), y: y.dataSync(), dx: dx.dataSync(), dgamma: dgamma.dataSync(), dbeta: tf.sum(tdy, 0).dataSync() };
        });
        return out;
      };
      want = fn();
      return fn;
    },
  };
  const bwCases = BW.map((r) => ({
    ...r, setup: () => {
      const tx = bw.tensor(x, [s.rows, s.cols]), tdy = bw.tensor(dy, [s.rows, s.cols]), tg = bw.tensor(gamma, [s.cols]), tb = bw.tensor(beta, [s.cols]);
      const fn = () => {
        const { mean, variance } = bw.ops.moments(tx);
        const y = bw.ops.batchNorm(tx, mean, variance, tb, tg, EPS);
        const g = bw.ops.batchNormGrad(tdy, tx, tg, EPS);
        return { mean: mean.dataSync(), variance: variance.dataSync(), y: y.dataSync(), dx: g.dx.dataSync(), dgamma: g.dgamma.dataSync(), dbeta: g.dbeta.dataSync() };
      };
      check(`${s.suite} ${r.runner}`, fn(), want, 2e-3);
      return fn;
    },
  }));
  // the kernels the three ops need, on resident arrays: statistics, normalise, backward
  const kernel = {
    ...KERNELS, setup: () => {
      const h = place({ x, dy, gamma, beta }, { mean: s.cols, variance: s.cols, invStd: s.cols, scale: s.cols, y: n, dx: n, dgamma: s.cols, dbeta: s.cols });
      const fn = () => {
        const k = kernels();
        k.batchStats(s.rows, s.cols, h.x, h.mean, h.variance);
        k.bnormScale(s.cols, h.variance, h.gamma, h.scale, EPS);
        k.scaleShift(s.rows, s.cols, h.x, h.mean, h.scale, h.beta, h.y);
        k.bnormScale(s.cols, h.variance, null, h.invStd, EPS);
        k.bnormBackward(s.rows, s.cols, h.dy, h.x, h.mean, h.invStd, h.gamma, h.dx, h.dgamma, h.dbeta);
      };
      fn();
      const f = (key) => heap().f32(h[key]);
      check(`${s.suite} kernels`, { y: f('y'), dx: f('dx'), dgamma: f('dgamma'), dbeta: f('dbeta') }, { y: want.y, dx: want.dx, dgamma: want.dgamma, dbeta: want.dbeta }, 2e-3);
      return fn;
    },
  };
  return [tfCase, ...bwCases, kernel];
}

/** The same MLP in both libraries, from the same seeded weights. */
const stack = (L) => [
  L.dense({ units: H1, inputShape: [IN] }), L.batchNormalization(), L.activation({ activation: 'relu' }),
  L.dense({ units: H2 }), L.batchNormalization(), L.activation({ activation: 'relu' }),
  L.dense({ units: OUT, activation: 'softmax' }),
];
const setWeights = sharedStart(bw, stack);
const model = (lib) => {
  const L = lib === 'bw' ? bw : tf;
  const m = L.sequential({ layers: stack(L.layers) });
  setWeights(m, L.tensor);
  m.compile({ optimizer: lib === 'bw' ? bw.optimizers.sgd({ learningRate: 0.01 }) : tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
  return m;
};
const data = (lib, rows, seed) => {
  const x = uniform(rows * IN, seed), y = oneHot(rows, OUT, seed + 1);
  return lib === 'bw' ? [bw.tensor(x, [rows, IN]), bw.tensor(y, [rows, OUT])] : [tf.tensor2d(x, [rows, IN]), tf.tensor2d(y, [rows, OUT])];
};

function trainOnBatchCases(s) {
  let want;
  const tfCase = {
    ...TF, async: true, setup: async () => {
      const m = model('tf'), [x, y] = data('tf', s.rows, 10);
      want = await m.trainOnBatch(x, y);
      return () => m.trainOnBatch(x, y);
    },
  };
  return [tfCase, ...BW.map((r) => ({
    ...r, setup: () => {
      const m = model('bw'), [x, y] = data('bw', s.rows, 10);
      expectClose(`${s.suite} ${r.runner} first loss`, [m.trainOnBatch(x, y)], [want], 1e-3);
      return () => m.trainOnBatch(x, y);
    },
  }))];
}

function fitCases(s) {
  const rows = s.batch * s.batches, args = { epochs: 1, batchSize: s.batch, shuffle: false, verbose: 0 };
  let want;
  const firstLoss = async (lib, m, x, y) => (await m.fit(x, y, args)).history.loss[0];
  const tfCase = {
    ...TF, async: true, setup: async () => {
      const m = model('tf'), [x, y] = data('tf', rows, 11);
      want = await firstLoss('tf', m, x, y);
      return () => m.fit(x, y, args);
    },
  };
  return [tfCase, ...BW.map((r) => ({
    ...r, async: true, setup: async () => {
      const m = model('bw'), [x, y] = data('bw', rows, 11);
      expectClose(`${s.suite} ${r.runner} first epoch loss`, [await firstLoss('bw', m, x, y)], [want], 1e-3);
      return () => m.fit(x, y, args);
    },
  }))];
}

function predictCases(s) {
  let want;
  const args = { batchSize: s.rows };
  const tfCase = {
    ...TF, setup: () => {
      const m = model('tf'), [x] = data('tf', s.rows, 20);
      const fn = () => { const y = m.predict(x, args); const v = y.dataSync(); y.dispose(); return v; };
      want = { y: fn() };
      return fn;
    },
  };
  return [tfCase, ...BW.map((r) => ({
    ...r, setup: () => {
      const m = model('bw'), [x] = data('bw', s.rows, 20);
      const fn = () => m.predict(x, args).dataSync();
      check(`${s.suite} ${r.runner}`, { y: fn() }, want, 1e-4);
      return fn;
    },
  }))];
}

const CASES = { matMul: matMulCases, bn: bnCases, trainOnBatch: trainOnBatchCases, fit: fitCases, predict: predictCases };
for (const s of API) {
  await alternating('api', s.suite, s.file, CASES[s.kind](s));
  for (const b of live.splice(0)) heap().release(b);
  tf.disposeVariables();
}
finish();
