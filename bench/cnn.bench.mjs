/**
 * CNN suites (TF.js's MNIST tutorial shape): conv 8 3×3 → BN → relu → maxpool 2 → conv 16 3×3 → BN →
 * relu → maxpool 2 → flatten → dense 10 softmax on 28×28×1 images.
 *   - `cnn train step b64`: one Adam trainOnBatch of 64 images, as bnwasm-wasm (default threads),
 *     bnwasm-wasm-1thread, bnwasm-js and TF.js cpu. TF.js's wasm backend cannot train this model (its
 *     Conv2DBackpropFilter is not registered); the error it throws is recorded in results/cnn/env.json.
 *   - `cnn predict 1024`: predict of 1,024 images at the default batchSize 32, adding the BN-folded model
 *     (foldBatchNorm()) and TF.js wasm (XNNPACK convolution).
 *   - the convolution and pooling kernels of that network at batch 64 (forward, gradient to the filter
 *     and to the input), bnwasm-wasm (one thread) against the JS baseline.
 * Every model starts from the same weights (bnwasm's, seeded, copied into TF.js), and every case is
 * checked once before timing. Writes bench/results/cnn/*.json and a ratio table (CNN.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as bw from '../dist/index.js';
import { colShape, conv2d, conv2dBackwardFilter, conv2dBackwardInput } from '../dist/backend/conv2d.js';
import { heap, kernelsFor } from '../dist/backend/runtime.js';
import { window2d } from '../dist/backend/window2d.js';
import { expectClose, finish, loadTf, sharedStart, oneHot, QUICK, resultsDir, suite, uniform, writeEnv } from './lib.mjs';

const BATCH = 64, ROWS = 1024, IMAGE = [28, 28, 1], CLASSES = 10, PIXELS = 784;
await bw.ready();
const DEFAULT_THREADS = bw.getThreads();
const T = await loadTf();

const onThreads = {};
/** A case's prepare (see lib.mjs): n kernel threads, awaited and checked. */
const threads = (n) => (onThreads[n] ??= async () => {
  if (bw.getThreads() !== n) await bw.setThreads(n);
  if (bw.getThreads() !== n) throw new Error(`asked for ${n} kernel threads, running ${bw.getThreads()}`);
});

const stack = (L) => [
  L.conv2d({ filters: 8, kernelSize: 3, inputShape: IMAGE }), L.batchNormalization(), L.activation({ activation: 'relu' }),
  L.maxPooling2d({ poolSize: 2 }),
  L.conv2d({ filters: 16, kernelSize: 3 }), L.batchNormalization(), L.activation({ activation: 'relu' }),
  L.maxPooling2d({ poolSize: 2 }),
  L.flatten(), L.dense({ units: CLASSES, activation: 'softmax' }),
];

/** Every model of this suite starts from the same weights (lib.mjs). */
const setWeights = sharedStart(bw, stack);

function bnwasmModel(backend) {
  bw.setBackend(backend);
  const model = bw.sequential({ layers: stack(bw.layers) });
  setWeights(model, bw.tensor);
  model.compile({ optimizer: bw.optimizers.adam(), loss: 'categoricalCrossentropy' });
  return model;
}

function tfModel() {
  const model = T.tf.sequential({ layers: stack(T.tf.layers) });
  setWeights(model, T.tf.tensor);
  model.compile({ optimizer: T.tf.train.adam(0.001, 0.9, 0.999, 1e-7), loss: 'categoricalCrossentropy' });
  return model;
}

const data = (lib, rows, seed) => {
  const x = uniform(rows * PIXELS, seed, 0, 1), y = oneHot(rows, CLASSES, seed + 1);
  return lib === 'bw' ? [bw.tensor(x, [rows, ...IMAGE]), bw.tensor(y, [rows, CLASSES])] : [T.tf.tensor(x, [rows, ...IMAGE]), T.tf.tensor2d(y, [rows, CLASSES])];
};

/** What TF.js's wasm backend says when asked to train this model (it has no Conv2D gradient kernels). */
async function tfWasmTrainError() {
  T.use('wasm');
  const model = tfModel(), [x, y] = data('tf', 8, 3);
  try { await model.trainOnBatch(x, y); return 'trained (no error)'; } catch (e) { return String(e?.message ?? e); } finally { T.use('cpu'); }
}
writeEnv('cnn', { wasmBuild: bw.wasmBuild(), threads: { default: DEFAULT_THREADS }, tfjs: T.info, tfjsWasmTrain: await tfWasmTrainError() });

const BNWASM_WASM = { runner: 'bnwasm-wasm', before: () => bw.setBackend('wasm'), prepare: threads(DEFAULT_THREADS), lib: 'bw', backend: 'wasm' };
const BNWASM_1 = { ...BNWASM_WASM, runner: 'bnwasm-wasm-1thread', prepare: threads(1) };
const BNWASM_JS = { runner: 'bnwasm-js', before: () => bw.setBackend('js'), lib: 'bw', backend: 'js' };
const TF_WASM = { runner: 'tfjs-wasm', before: () => T.use('wasm'), lib: 'tf', backend: 'wasm' };
const TF_CPU = { runner: 'tfjs-cpu', before: () => T.use('cpu'), lib: 'tf', backend: 'cpu' };

// ---- train step: the first step's loss must agree with TF.js cpu's on the same weights and batch
let firstLoss;
const trainCases = [BNWASM_WASM, BNWASM_1, BNWASM_JS, TF_CPU].map(({ runner, before, prepare, lib, backend }) => ({
  runner, before, prepare, async: lib === 'tf',
  setup: async () => {
    const model = lib === 'bw' ? bnwasmModel(backend) : tfModel();
    const [x, y] = data(lib, BATCH, 10);
    const loss = lib === 'bw' ? model.trainOnBatch(x, y) : await model.trainOnBatch(x, y);
    firstLoss ??= loss;
    expectClose(`train step ${runner} first loss`, [loss], [firstLoss], 1e-4);
    return lib === 'bw' ? () => model.trainOnBatch(x, y) : () => model.trainOnBatch(x, y);
  },
}));

// ---- predict of 1,024 images, checked against bnwasm-js
let want;
const predictCases = [BNWASM_WASM, { ...BNWASM_WASM, runner: 'bnwasm-wasm-folded', folded: true }, BNWASM_1, BNWASM_JS, TF_WASM, TF_CPU]
  .map(({ runner, before, prepare, lib, backend, folded }) => ({
    runner, before, prepare,
    setup: () => {
      const model = lib === 'bw' ? bnwasmModel(backend) : tfModel();
      const deployed = folded ? model.foldBatchNorm() : model;
      const [x] = data(lib, ROWS, 20);
      const args = { batchSize: 32 };
      const check = (got) => expectClose(`predict ${runner}`, got, (want ??= got), 1e-4);
      if (lib === 'bw') {
        check(deployed.predict(x, args).dataSync());
        return () => deployed.predict(x, args);
      }
      const y = deployed.predict(x, args);
      check(y.dataSync());
      y.dispose();
      return () => deployed.predict(x, args).dispose();
    },
  }));

// ---- kernels of the network at batch 64: conv1 28×28×1 → 26×26×8, conv2 13×13×8 → 11×11×16, the pools after them
const CONVS = [
  { name: 'conv1 28x28x1->8', g: window2d(BATCH, [28, 28, 1], [3, 3], [1, 1], 'valid'), outC: 8 },
  { name: 'conv2 13x13x8->16', g: window2d(BATCH, [13, 13, 8], [3, 3], [1, 1], 'valid'), outC: 16 },
];
const POOLS = [
  { name: 'maxpool 26x26x8', g: window2d(BATCH, [26, 26, 8], [2, 2], [2, 2], 'valid') },
  { name: 'maxpool 11x11x16', g: window2d(BATCH, [11, 11, 16], [2, 2], [2, 2], 'valid') },
];
const KERNEL_RUNNERS = [
  { runner: 'bnwasm-wasm', set: bw.wasmBuild() === 'relaxed' ? 'wasm-relaxed' : 'wasm', prepare: threads(1) },
  { runner: 'bnwasm-js', set: 'js', prepare: threads(1) },
];

/** Arrays in the shared heap, allocated once per suite (the bench process ends without freeing them). */
const alloc = (data) => { const h = heap(), f = h.alloc(typeof data === 'number' ? data : data.length); if (typeof data !== 'number') h.f32(f).set(data); return f; };
const read = (f) => heap().f32(f).slice();

function kernelSuite(name, file, make) {
  let reference;
  return suite('cnn', name, file, KERNEL_RUNNERS.map(({ runner, set, prepare }) => ({
    runner, prepare,
    setup: () => {
      const { fn, out } = make(kernelsFor(set));
      fn();
      const got = read(out);
      if (reference) expectClose(`${name} ${runner}`, got, reference, 1e-4); else reference = got;
      return fn;
    },
  })));
}

const SUITES = [];
await suite('cnn', 'cnn train step b64', 'cnn-train-step-b64', trainCases);
SUITES.push(['cnn train step b64', 'cnn-train-step-b64']);
await suite('cnn', 'cnn predict 1024 b32', 'cnn-predict-1024-b32', predictCases);
SUITES.push(['cnn predict 1024 b32', 'cnn-predict-1024-b32']);

for (const { name, g, outC } of CONVS) {
  const inputs = { x: uniform(g.batch * g.inH * g.inW * g.channels, 30), w: uniform(g.kH * g.kW * g.channels * outC, 31), b: uniform(outC, 32), dy: uniform(g.batch * g.outH * g.outW * outC, 33) };
  const [m, kk] = colShape(g);
  const h = { x: alloc(inputs.x), w: alloc(inputs.w), b: alloc(inputs.b), dy: alloc(inputs.dy), col: alloc(m * kk), dcol: alloc(m * kk), y: alloc(g.batch * g.outH * g.outW * outC), dw: alloc(inputs.w.length), dx: alloc(inputs.x.length) };
  const work = (which) => (n) => ({ ...h[which], length: n });
  const cases = [
    [`${name} fwd`, (K) => ({ fn: () => conv2d(K, g, outC, h.x, h.w, h.b, h.y, 'relu', work('col')), out: h.y })],
    // as in a training step after the forward pass: col is there unless the forward pass ran direct
    [`${name} dW`, (K) => {
      const col = conv2d(K, g, outC, h.x, h.w, h.b, h.y, 'relu', work('col'));
      return { fn: () => conv2dBackwardFilter(K, g, outC, h.x, col, h.dy, h.dw, work('dcol')), out: h.dw };
    }],
    [`${name} dx`, (K) => ({ fn: () => conv2dBackwardInput(K, g, outC, h.dy, h.w, h.dx, work('dcol')), out: h.dx })],
  ];
  for (const [suiteName, make] of cases) {
    const file = suiteName.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await kernelSuite(suiteName, file, make);
    SUITES.push([suiteName, file]);
  }
}
for (const { name, g } of POOLS) {
  const x = alloc(uniform(g.batch * g.inH * g.inW * g.channels, 40)), dy = alloc(uniform(g.batch * g.outH * g.outW * g.channels, 41));
  const y = alloc(g.batch * g.outH * g.outW * g.channels), dx = alloc(g.batch * g.inH * g.inW * g.channels);
  for (const [suiteName, make] of [
    [`${name} fwd`, (K) => ({ fn: () => K.maxPool(g, x, y), out: y })],
    [`${name} bwd`, (K) => ({ fn: () => K.maxPoolBackward(g, x, dy, dx), out: dx })],
  ]) {
    const file = suiteName.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    await kernelSuite(suiteName, file, make);
    SUITES.push([suiteName, file]);
  }
}

/** Medians and ratios of every suite that ran, as a markdown table (also printed). */
function table() {
  const rows = ['| suite | runner | median | vs bnwasm-wasm |', '|---|---|---|---|'];
  for (const [name, file] of SUITES) {
    const f = path.join(resultsDir('cnn'), `${file}.json`);
    if (!fs.existsSync(f)) continue;
    const { results } = JSON.parse(fs.readFileSync(f, 'utf8'));
    const base = results.find((r) => r.name === 'bnwasm-wasm')?.details.median;
    for (const r of results) {
      const t = r.details.median;
      const shown = t >= 1 ? `${t.toFixed(2)} s` : `${(t * 1e3).toFixed(2)} ms`;
      rows.push(`| ${name} | ${r.name} | ${shown} | ${base ? `${(t / base).toFixed(1)}x` : ''} |`);
    }
  }
  return rows.join('\n');
}
const md = `# CNN bench (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${QUICK ? ', quick' : ''})\n\n${table()}\n`;
fs.writeFileSync(path.join(resultsDir('cnn'), 'CNN.md'), md);
console.log(`\n${md}`);
finish();
