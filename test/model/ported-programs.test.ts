/**
 * Two TF.js programs of bnwasm's scope, each written once against a library object `lib` and run with
 * `lib` = TensorFlow.js and `lib` = bnwasm: porting them is changing the import. (1) Classification with
 * an L2 regularizer, BatchNormalization, class weights and EarlyStopping (on the training loss: TF.js's
 * val_loss leaves the L2 penalty out, Keras 3's and bnwasm's include it); (2) regression with RMSprop and a
 * per-epoch learning-rate schedule set from a callback, as TF.js users write it. Both start from the same
 * weights (set layer by layer through the common API); losses, the stopping epoch and the predictions
 * must agree with TF.js's. (evaluate is left out: TF.js returns Scalars, bnwasm's contract a { loss, … } object.)
 */
import { beforeAll, expect, test } from 'vitest';
import { bw, expectClose, setupBoth, tf } from '../helpers/tfjs.js';
import { mulberry32 } from '../helpers/rng.js';

beforeAll(setupBoth);

/* eslint-disable @typescript-eslint/no-explicit-any -- the programs are plain JavaScript, as a user writes them */
type Lib = any;

/** Seeded initial weights for a layer's [kernel, bias] (Dense) or [gamma, beta, mean, variance] (BN). */
function initial(lib: Lib, shapes: number[][], seed: number) {
  const r = mulberry32(seed);
  return shapes.map((s) => lib.tensor(Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => (r() - 0.5) * 0.8), s));
}

function classificationData() {
  const r = mulberry32(42), rows = 240, x: number[][] = [], y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const c = r() < 0.7 ? 0 : r() < 0.6 ? 1 : 2; // imbalanced: 70% / 18% / 12%
    x.push([0, 1, 2, 3].map((j) => (j === c ? 1.2 : 0) + (r() - 0.5) * 2 + 5)); // a large offset BN takes out
    y.push(c);
  }
  return { x, y };
}

// ---- program 1: as a TF.js user writes it; only `lib` differs ----
async function classify(lib: Lib) {
  const { x, y } = classificationData();
  const xs = lib.tensor(x), ys = lib.tensor(y.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))));
  const model = lib.sequential();
  model.add(lib.layers.dense({ units: 12, activation: 'relu', inputShape: [4], kernelRegularizer: lib.regularizers.l2({ l2: 0.01 }) }));
  model.add(lib.layers.batchNormalization({ momentum: 0.9 }));
  model.add(lib.layers.dense({ units: 3, activation: 'softmax' }));
  model.layers[0].setWeights(initial(lib, [[4, 12], [12]], 1));
  model.layers[2].setWeights(initial(lib, [[12, 3], [3]], 2));
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(xs, ys, {
    epochs: 60, batchSize: 32, shuffle: false, validationSplit: 0.25, verbose: 0,
    classWeight: { 0: 1, 1: 3, 2: 5 },
    callbacks: [lib.callbacks.earlyStopping({ monitor: 'loss', patience: 2, minDelta: 0.02 })],
  });
  const probs = lib.tidy(() => model.predict(xs));
  const predictions = await probs.array();
  probs.dispose();
  return { epochs: history.history.loss.length, loss: history.history.loss, valLoss: history.history.val_loss, predictions };
}

// ---- program 2 ----
async function regress(lib: Lib) {
  const r = mulberry32(7), x: number[][] = [], y: number[][] = [];
  for (let i = 0; i < 200; i++) {
    const a = r() * 4 - 2, b = r() * 4 - 2;
    x.push([a, b, a * b]);
    y.push([3 * a - 2 * b + 0.5 * a * b + (r() - 0.5) * 0.2]);
  }
  const model = lib.sequential({ layers: [
    lib.layers.dense({ units: 8, activation: 'relu', inputShape: [3] }),
    lib.layers.batchNormalization({ momentum: 0.9 }),
    lib.layers.dense({ units: 1 }),
  ] });
  model.layers[0].setWeights(initial(lib, [[3, 8], [8]], 3));
  model.layers[2].setWeights(initial(lib, [[8, 1], [1]], 4));
  model.compile({ optimizer: 'rmsprop', loss: 'meanSquaredError' });
  const rates: number[] = [];
  const history = await model.fit(lib.tensor(x), lib.tensor(y), {
    epochs: 12, batchSize: 20, shuffle: false, validationSplit: 0.2, verbose: 0,
    callbacks: { onEpochBegin: async (epoch: number) => { model.optimizer.learningRate = 0.02 * 0.8 ** epoch; rates.push(model.optimizer.learningRate); } },
  });
  const predictions = await model.predict(lib.tensor(x.slice(0, 10))).data();
  return { loss: history.history.loss, valLoss: history.history.val_loss, rates, predictions: Array.from(predictions) as number[] };
}

test('classification with L2, BatchNormalization, class weights and EarlyStopping: bnwasm gives TF.js\'s results', async () => {
  const [mine, theirs] = [await classify(bw), await classify(tf)];
  expect(mine.epochs).toBeLessThan(60); // early stopping fired
  expect(mine.epochs).toBe(theirs.epochs);
  // per step the two agree to ~1e-5 (the trainOnBatch parity tests); over ~300 Adam steps float32 rounding
  // differences grow to a few 1e-3 in mid-training and shrink again as both converge
  expectClose(mine.loss, theirs.loss, 'training loss per epoch (weighted, with the L2 penalty)', 1e-2, 1e-5);
  // val_loss: Keras 3 (and bnwasm) add the L2 penalty as in the training loss; TF.js's validation leaves it out
  // (the penalty is largest early on, before the L2 term has shrunk the kernel)
  mine.valLoss.forEach((v: number, e: number) => {
    if (e < 5) expect(v - theirs.valLoss[e]).toBeGreaterThan(0.005);
    expect(Math.abs(v - theirs.valLoss[e])).toBeLessThan(0.05);
  });
  // after ~48 epochs (~300 steps) the class probabilities agree to about 0.03 and the predicted classes to over
  // 98%: this problem amplifies float32 rounding (the same program without class weights and without L2 parts
  // as far, 1e-2, while without class weights alone the two stay within 2e-5), not one feature computed differently.
  // Rounding alone moves the largest difference between 0.029 and 0.033 (the same BN arithmetic with float64
  // column sums, as on the js backend, gives 0.032): 0.035 bounds that, not one particular rounding.
  expectClose((mine.predictions as number[][]).flat(), (theirs.predictions as number[][]).flat(), 'predictions', 0, 0.035);
  const argmax = (p: number[]) => p.indexOf(Math.max(...p));
  const same = (mine.predictions as number[][]).filter((p, i) => argmax(p) === argmax((theirs.predictions as number[][])[i])).length;
  expect(same / mine.predictions.length).toBeGreaterThan(0.98);
});

test('regression with RMSprop and a per-epoch learning-rate schedule: bnwasm gives TF.js\'s results', async () => {
  const [mine, theirs] = [await regress(bw), await regress(tf)];
  expect(mine.rates).toEqual(theirs.rates);
  expect(mine.loss[mine.loss.length - 1]).toBeLessThan(mine.loss[0] / 4); // it learned
  expectClose(mine.loss, theirs.loss, 'training loss per epoch', 1e-3, 1e-5);
  expectClose(mine.valLoss, theirs.valLoss, 'val_loss per epoch', 1e-3, 1e-5);
  expectClose(mine.predictions, theirs.predictions, 'predictions', 1e-3, 1e-4);
});
