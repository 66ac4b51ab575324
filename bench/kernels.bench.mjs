/**
 * Kernel suites: GEMM (nn, tn, nt on the MLP's shapes and 512³), moments, BN training forward+backward
 * and fused softmax-cross-entropy, each run as bnwasm-wasm (plain SIMD build), bnwasm-wasm-relaxed (FMA
 * build, when the engine runs it), bnwasm-js, TF.js wasm and TF.js cpu in one benny suite. The bnwasm
 * WASM runners run on one thread, like TF.js's wasm backend here (issue 4's GEMM targets are
 * single-threaded); GEMM suites add bnwasm-wasm-relaxed-threads, the best build on the thread count
 * ready() starts by default, to show the multi-threaded speed-up beside it.
 *
 * bnwasm cases call the kernels directly on arrays pre-allocated in the shared heap; TF.js cases time
 * the op plus dispose on tensors created once. Every case is checked once against the bnwasm JS kernel
 * before it is timed. Run through bench/run.mjs (which passes --experimental-wasm-relaxed-simd).
 */
import { availableKernelSets, getThreads, heap, kernelsFor, ready, setThreads } from '../dist/backend/runtime.js';
import { MIN_PARALLEL_FLOPS } from '../dist/backend/threads/pool.js';
import { expectClose, finish, loadTf, oneHot, suite, uniform, writeEnv } from './lib.mjs';
import { BNORM, GEMM, MOMENTS, SOFTMAX_CE } from './shapes.mjs';

await ready();
/** What ready() started: the thread count a user gets by default on this machine. */
const DEFAULT_THREADS = getThreads();
const T = await loadTf();
const BN_EPS = 1e-3; // Keras
writeEnv('kernels', { kernelSets: availableKernelSets(), threads: { default: DEFAULT_THREADS, minParallelFlops: MIN_PARALLEL_FLOPS }, tfjs: T.info });

const onThreads = {};
/**
 * A case's prepare (see lib.mjs): n kernel threads, awaited and checked. One function per n, since
 * lib.mjs starts a new benny run where prepare changes; setThreads always restarts the workers, so it
 * is skipped when n already run.
 */
const threads = (n) => (onThreads[n] ??= async () => {
  if (getThreads() !== n) await setThreads(n);
  if (getThreads() !== n) throw new Error(`asked for ${n} kernel threads, running ${getThreads()}`);
});

/**
 * A case description, shared by every runner: inputs (filled once), output sizes, the bnwasm call, the
 * outputs to check, and the TF.js version (tensors built once; `fn` is the timed op, `outputs` runs it
 * once for the check and returns the checked arrays under the same keys as the bnwasm outputs).
 */
const describeGemm = (s) => {
  const a = uniform(s.m * s.k, 1), b = uniform(s.k * s.n, 2);
  return {
    key: s.suite, inputs: { a, b }, outputs: { c: s.m * s.n }, tol: 1e-4,
    run: (K, h) => () => K.gemm(s.m, s.n, s.k, h.a, h.b, h.c, s.op, false),
    tf: (tf) => {
      const ta = tf.tensor2d(a, s.op === 'tn' ? [s.k, s.m] : [s.m, s.k]);
      const tb = tf.tensor2d(b, s.op === 'nt' ? [s.n, s.k] : [s.k, s.n]);
      const op = () => tf.matMul(ta, tb, s.op === 'tn', s.op === 'nt');
      return { fn: () => op().dispose(), outputs: () => tf.tidy(() => ({ c: op().dataSync() })) };
    },
  };
};

const describeMoments = (s) => {
  const x = uniform(s.rows * s.cols, 3, -2, 4);
  return {
    key: s.suite, inputs: { x }, outputs: { mean: s.cols, variance: s.cols }, tol: 1e-4,
    run: (K, h) => () => K.batchStats(s.rows, s.cols, h.x, h.mean, h.variance),
    tf: (tf) => {
      const tx = tf.tensor2d(x, [s.rows, s.cols]);
      return {
        fn: () => { const m = tf.moments(tx, 0); m.mean.dispose(); m.variance.dispose(); },
        outputs: () => tf.tidy(() => { const m = tf.moments(tx, 0); return { mean: m.mean.dataSync(), variance: m.variance.dataSync() }; }),
      };
    },
  };
};

/** Training-mode BN: forward with batch statistics, then backward through them (TF.js: tf.grads). */
const describeBnorm = (s) => {
  const n = s.rows * s.cols;
  const x = uniform(n, 4, -2, 4), dy = uniform(n, 5), gamma = uniform(s.cols, 6, 0.5, 1.5), beta = uniform(s.cols, 7, -0.5, 0.5);
  return {
    key: s.suite, inputs: { x, dy, gamma, beta },
    outputs: { y: n, mean: s.cols, variance: s.cols, invStd: s.cols, dx: n, dgamma: s.cols, dbeta: s.cols }, tol: 2e-3,
    run: (K, h) => () => {
      K.bnormForwardTrain(s.rows, s.cols, h.x, h.gamma, h.beta, h.y, h.mean, h.variance, h.invStd, BN_EPS);
      K.bnormBackward(s.rows, s.cols, h.dy, h.x, h.mean, h.invStd, h.gamma, h.dx, h.dgamma, h.dbeta);
    },
    tf: (tf) => {
      const tx = tf.tensor2d(x, [s.rows, s.cols]), tdy = tf.tensor2d(dy, [s.rows, s.cols]);
      const tg = tf.tensor1d(gamma), tb = tf.tensor1d(beta);
      const grads = tf.grads((xx, g, b) => {
        const { mean, variance } = tf.moments(xx, 0);
        return tf.sum(tf.mul(tdy, tf.batchNorm(xx, mean, variance, b, g, BN_EPS)));
      });
      return {
        fn: () => tf.tidy(() => { grads([tx, tg, tb]); }),
        outputs: () => tf.tidy(() => {
          const [dx, dgamma, dbeta] = grads([tx, tg, tb]);
          return { dx: dx.dataSync(), dgamma: dgamma.dataSync(), dbeta: dbeta.dataSync() };
        }),
      };
    },
  };
};

/** Softmax + cross-entropy, loss and gradient. dlogits is checked scaled by rows (it is ∂mean/∂logits). */
const describeSoftmaxCe = (s) => {
  const logits = uniform(s.rows * s.cols, 8, -3, 3), targets = oneHot(s.rows, s.cols, 9);
  return {
    key: s.suite, inputs: { logits, targets }, outputs: { probs: s.rows * s.cols, dlogits: s.rows * s.cols }, tol: 1e-3,
    scale: { dlogits: s.rows },
    run: (K, h) => () => K.softmaxCrossEntropy(s.rows, s.cols, h.logits, h.targets, h.probs, h.dlogits),
    tf: (tf) => {
      const tl = tf.tensor2d(logits, [s.rows, s.cols]), tt = tf.tensor2d(targets, [s.rows, s.cols]);
      const vg = tf.valueAndGrad((l) => tf.losses.softmaxCrossEntropy(tt, l));
      return {
        fn: () => tf.tidy(() => { vg(tl); }),
        outputs: () => tf.tidy(() => ({ dlogits: vg(tl).grad.dataSync() })),
      };
    },
  };
};

const live = [];
/** Copies the inputs into fresh heap blocks and zeroes the outputs; returns the handles by key. */
function place(d) {
  const h = heap(), handles = {};
  for (const [key, v] of Object.entries(d.inputs)) handles[key] = h.alloc(v.length);
  for (const [key, len] of Object.entries(d.outputs)) handles[key] = h.alloc(len);
  // fill only after the last alloc: an alloc may grow the memory and detach earlier views
  for (const [key, v] of Object.entries(d.inputs)) h.f32(handles[key]).set(v);
  for (const key of Object.keys(d.outputs)) h.f32(handles[key]).fill(0);
  live.push(...Object.values(handles));
  return handles;
}

const reference = new Map();
/** The bnwasm JS kernel's outputs for a case: what every other runner is checked against. */
function referenceOf(d) {
  if (!reference.has(d.key)) {
    const h = place(d);
    const ret = d.run(kernelsFor('js'), h)();
    const out = {};
    for (const key of Object.keys(d.outputs)) out[key] = heap().f32(h[key]).slice();
    if (typeof ret === 'number') out.ret = ret;
    reference.set(d.key, out);
  }
  return reference.get(d.key);
}

const scaled = (d, key, v) => (d.scale?.[key] ? v.map((x) => x * d.scale[key]) : v);

function checkAll(d, runner, got) {
  const want = referenceOf(d);
  for (const [key, v] of Object.entries(got)) expectClose(`${d.key} ${runner} ${key}`, scaled(d, key, v), scaled(d, key, want[key]), d.tol);
}

const BNWASM_SETS = ['wasm', 'wasm-relaxed', 'js'].filter((s) => availableKernelSets().includes(s));

const BEST_SET = BNWASM_SETS.includes('wasm-relaxed') ? 'wasm-relaxed' : 'wasm';

function cases(d, kind) {
  const bnwasm = (set, runner = `bnwasm-${set}`, n = 1) => ({
    runner,
    prepare: set === 'js' ? undefined : threads(n),
    setup: () => {
      const h = place(d), fn = d.run(kernelsFor(set), h);
      const ret = fn();
      const got = {};
      for (const key of Object.keys(d.outputs)) got[key] = heap().f32(h[key]).slice();
      checkAll(d, runner, got);
      if (typeof ret === 'number') expectClose(`${d.key} ${runner} loss`, [ret], [referenceOf(d).ret], d.tol);
      return fn;
    },
  });
  const tfjs = ['wasm', 'cpu'].map((backend) => ({
    runner: `tfjs-${backend}`,
    before: () => T.use(backend),
    setup: () => {
      const { fn, outputs } = d.tf(T.tf);
      checkAll(d, `tfjs-${backend}`, outputs());
      return fn;
    },
  }));
  // the threaded runner goes last, so everything before it is timed with no kernel threads alive
  const threaded = kind === 'gemm' && DEFAULT_THREADS > 1 ? [bnwasm(BEST_SET, `bnwasm-${BEST_SET}-threads`, DEFAULT_THREADS)] : [];
  return [...BNWASM_SETS.map((set) => bnwasm(set)), ...tfjs, ...threaded];
}

const all = [
  ...GEMM.map((s) => [s, describeGemm, 'gemm']), ...MOMENTS.map((s) => [s, describeMoments]),
  ...BNORM.map((s) => [s, describeBnorm]), ...SOFTMAX_CE.map((s) => [s, describeSoftmaxCe]),
];
for (const [s, describe, kind] of all) {
  await suite('kernels', s.suite, s.file, cases(describe(s), kind));
  for (const b of live.splice(0)) heap().release(b);
  T.tf.disposeVariables();
}
finish();
