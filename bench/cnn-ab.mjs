/**
 * Interleaved A/B for the CNN targets on a shared machine: rounds of [bnwasm on 1 thread, bnwasm on 2
 * threads, TF.js], so a change in load hits all three alike, and the per-round ratios are reported with
 * their median. benny (cnn.bench.mjs) times each runner in one stretch, which load drift can skew by
 * several times on a busy machine.
 *   node --experimental-wasm-relaxed-simd bench/cnn-ab.mjs train [rounds]     Adam step of 64 vs TF.js cpu
 *   node --experimental-wasm-relaxed-simd bench/cnn-ab.mjs predict [rounds]   1,024 images vs TF.js wasm
 * The network and data are cnn.bench.mjs's; both libraries start from the same weights.
 */
import * as bw from '../dist/index.js';
import { loadTf, oneHot, uniform } from './lib.mjs';
await bw.ready();
const T = await loadTf();
const IMAGE = [28, 28, 1];
const stack = (L) => [
  L.conv2d({ filters: 8, kernelSize: 3, inputShape: IMAGE }), L.batchNormalization(), L.activation({ activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }),
  L.conv2d({ filters: 16, kernelSize: 3 }), L.batchNormalization(), L.activation({ activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }),
  L.flatten(), L.dense({ units: 10, activation: 'softmax' }),
];
bw.setSeed(1);
const m = bw.sequential({ layers: stack(bw.layers) });
m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
const t = T.tf.sequential({ layers: stack(T.tf.layers) });
t.layers.forEach((l, i) => l.setWeights(m.layers[i].getWeights().map((w) => T.tf.tensor(w.dataSync(), w.shape))));
t.compile({ optimizer: T.tf.train.adam(0.001, 0.9, 0.999, 1e-7), loss: 'categoricalCrossentropy' });
const xb = uniform(64 * 784, 10, 0, 1), yb = oneHot(64, 10, 11), xp = uniform(1024 * 784, 20, 0, 1);
const bx = bw.tensor(xb, [64, ...IMAGE]), by = bw.tensor(yb, [64, 10]), bp = bw.tensor(xp, [1024, ...IMAGE]);
const tx = T.tf.tensor(xb, [64, ...IMAGE]), ty = T.tf.tensor2d(yb, [64, 10]), tp = T.tf.tensor(xp, [1024, ...IMAGE]);
const med = (a) => [...a].sort((p, q) => p - q)[a.length >> 1];
async function timeIt(f, n) { const ts = []; for (let i = 0; i < n; i++) { const t0 = performance.now(); await f(); ts.push(performance.now() - t0); } return med(ts); }
const what = process.argv[2] ?? 'train', rounds = Number(process.argv[3] ?? 5);
const rows = [];
for (let r = 0; r < rounds; r++) {
  await bw.setThreads(1);
  const one = what === 'train' ? await timeIt(() => m.trainOnBatch(bx, by), 15) : await timeIt(() => m.predict(bp), 5);
  await bw.setThreads(2);
  const two = what === 'train' ? await timeIt(() => m.trainOnBatch(bx, by), 15) : await timeIt(() => m.predict(bp), 5);
  let tf;
  if (what === 'train') { T.use('cpu'); tf = await timeIt(() => t.trainOnBatch(tx, ty), 1); }
  else { T.use('wasm'); tf = await timeIt(() => t.predict(tp).dispose(), 3); }
  rows.push([one, two, tf]);
  console.log(`round ${r}: bnwasm 1 thread ${one.toFixed(2)} ms, 2 threads ${two.toFixed(2)} ms, TF.js ${what === 'train' ? 'cpu' : 'wasm'} ${tf.toFixed(1)} ms; ratios ${(tf / one).toFixed(1)}x / ${(tf / two).toFixed(1)}x`);
}
console.log('median ratio 1 thread', med(rows.map(([a, , c]) => c / a)).toFixed(1), '2 threads', med(rows.map(([, b, c]) => c / b)).toFixed(1));
console.log('median ms 1 thread', med(rows.map((x) => x[0])).toFixed(2), '2 threads', med(rows.map((x) => x[1])).toFixed(2), 'tf', med(rows.map((x) => x[2])).toFixed(1));
process.exit(0);
