/**
 * Model suites on the MLP 784-256-BN-relu-256-BN-relu-10 softmax: `fit` (SGD, batch 128, random rows,
 * samples/s) and `predict` of 1,024 rows, as bnwasm-wasm (the 'wasm' backend: the relaxed build when
 * the engine runs it, on the thread count ready() starts, i.e. what a user gets), bnwasm-wasm-1thread
 * (the same on one thread), bnwasm-js, TF.js wasm and TF.js cpu in one benny suite; predict also runs
 * the BN-folded model (foldBatchNorm(), default threads). Every model starts from the same weights
 * (bnwasm's, seeded, copied into TF.js), so the predictions are checked against bnwasm-js once before
 * timing.
 */
import * as bw from '../dist/index.js';
import { expectClose, finish, loadTf, sharedStart, oneHot, QUICK, suite, uniform, writeEnv } from './lib.mjs';
import { FIT, MLP, PREDICT } from './shapes.mjs';

await bw.ready();
/** What ready() started: the thread count a user gets by default on this machine. */
const DEFAULT_THREADS = bw.getThreads();
const T = await loadTf();
const [IN, H1, H2, OUT] = MLP.units;
const LR = 0.01;
writeEnv('model', { wasmBuild: bw.wasmBuild(), threads: { default: DEFAULT_THREADS }, tfjs: T.info });

const onThreads = {};
/** A case's prepare (see lib.mjs): n kernel threads, awaited and checked; one function per n (see kernels.bench.mjs). */
const threads = (n) => (onThreads[n] ??= async () => {
  if (bw.getThreads() !== n) await bw.setThreads(n);
  if (bw.getThreads() !== n) throw new Error(`asked for ${n} kernel threads, running ${bw.getThreads()}`);
});

/** The same stack in both libraries (their factories take the same args). */
const stack = (L) => [
  L.dense({ units: H1, inputShape: [IN] }), L.batchNormalization(), L.activation({ activation: 'relu' }),
  L.dense({ units: H2 }), L.batchNormalization(), L.activation({ activation: 'relu' }),
  L.dense({ units: OUT, activation: 'softmax' }),
];

/** Every model of this suite starts from the same weights (lib.mjs). */
const setWeights = sharedStart(bw, stack);

function bnwasmModel(backend) {
  bw.setBackend(backend);
  const model = bw.sequential({ layers: stack(bw.layers) });
  setWeights(model, bw.tensor);
  model.compile({ optimizer: bw.optimizers.sgd({ learningRate: LR }), loss: 'categoricalCrossentropy' });
  return model;
}

function tfModel() {
  const { tf } = T;
  const model = tf.sequential({ layers: stack(tf.layers) });
  setWeights(model, tf.tensor);
  model.compile({ optimizer: tf.train.sgd(LR), loss: 'categoricalCrossentropy' });
  return model;
}

/**
 * Runner order matters: lib.mjs times a new benny run wherever `prepare` changes, and the runners without
 * one join the run before them, so the 1-thread runner goes just before bnwasm-js and TF.js (timed with
 * no kernel threads alive).
 */
const BNWASM_WASM = { runner: 'bnwasm-wasm', before: () => bw.setBackend('wasm'), prepare: threads(DEFAULT_THREADS), lib: 'bw', backend: 'wasm' };
const RUNNERS = [
  BNWASM_WASM,
  { ...BNWASM_WASM, runner: 'bnwasm-wasm-1thread', prepare: threads(1) },
  { runner: 'bnwasm-js', before: () => bw.setBackend('js'), lib: 'bw', backend: 'js' },
  { runner: 'tfjs-wasm', before: () => T.use('wasm'), lib: 'tf', backend: 'wasm' },
  { runner: 'tfjs-cpu', before: () => T.use('cpu'), lib: 'tf', backend: 'cpu' },
];

const data = (lib, rows, seed) => {
  const x = uniform(rows * IN, seed), y = oneHot(rows, OUT, seed + 1);
  return lib === 'bw' ? [bw.tensor(x, [rows, IN]), bw.tensor(y, [rows, OUT])] : [T.tf.tensor2d(x, [rows, IN]), T.tf.tensor2d(y, [rows, OUT])];
};

const fitCases = RUNNERS.map(({ runner, before, prepare, lib, backend }) => ({
  runner, before, prepare, async: true,
  setup: async () => {
    const rows = (QUICK ? FIT.quickBatches : FIT.batches[runner]) * FIT.batch;
    const model = lib === 'bw' ? bnwasmModel(backend) : tfModel();
    const [x, y] = data(lib, rows, 10);
    const args = { epochs: 1, batchSize: FIT.batch, shuffle: false, verbose: 0 };
    const history = await model.fit(x, y, args); // warm-up, and the check: one epoch of finite loss
    const loss = history.history.loss[0];
    if (!(loss > 0 && loss < 10)) throw new Error(`${FIT.suite} ${runner}: loss after one epoch is ${loss}`);
    return () => model.fit(x, y, args);
  },
}));

const reference = () => {
  bw.setBackend('js');
  const [x] = data('bw', PREDICT[0].rows, 20);
  return bnwasmModel('js').predict(x, { batchSize: PREDICT[0].rows }).dataSync();
};
let want;
const checkPredict = (name, got) => expectClose(name, got, (want ??= reference()), 1e-4);

const predictCases = (shape) => [BNWASM_WASM, { ...BNWASM_WASM, runner: 'bnwasm-wasm-folded', folded: true }, ...RUNNERS.slice(1)]
  .map(({ runner, before, prepare, lib, backend, folded }) => ({
    runner, before, prepare,
    setup: () => {
      const model = lib === 'bw' ? bnwasmModel(backend) : tfModel();
      const deployed = folded ? model.foldBatchNorm() : model;
      const [x] = data(lib, shape.rows, 20);
      const args = { batchSize: shape.batchSize };
      if (lib === 'bw') {
        checkPredict(`${shape.suite} ${runner}`, deployed.predict(x, args).dataSync());
        return () => deployed.predict(x, args);
      }
      const y = deployed.predict(x, args);
      checkPredict(`${shape.suite} ${runner}`, y.dataSync());
      y.dispose();
      return () => deployed.predict(x, args).dispose();
    },
  }));

await suite('model', FIT.suite, FIT.file, fitCases);
for (const shape of PREDICT) await suite('model', shape.suite, shape.file, predictCases(shape));
finish();
