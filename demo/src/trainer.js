import * as bw from 'bnwasm';
import { FEATURES, mulberry32, shuffle } from './data.js';

// Two models, trained step by step on the same batches: a network with BatchNormalization and the same
// network without it. Training runs on the main thread in slices of a few milliseconds, yielding to the
// browser between slices, so the page never freezes.

export const MODELS = [
  { key: 'bn', label: 'With BatchNormalization', batchNorm: true },
  { key: 'plain', label: 'Without', batchNorm: false },
];

/**
 * The networks the page offers, each with and without BN. The seed is set before every build and BN layers
 * draw no random numbers, so both models of a pair start from the same kernels.
 */
export const ARCHITECTURES = {
  mlp: {
    label: 'MLP',
    summary: (batchNorm) => `Dense(64, relu) → ${batchNorm ? 'BatchNormalization → ' : ''}Dense(10, softmax)`,
    shape: [FEATURES],
    layers(batchNorm) {
      return [
        bw.layers.dense({ units: 64, activation: 'relu', inputShape: [FEATURES] }),
        ...(batchNorm ? [bw.layers.batchNormalization({})] : []),
        bw.layers.dense({ units: 10, activation: 'softmax' }),
      ];
    },
  },
  cnn: {
    label: 'CNN',
    summary: (batchNorm) => {
      const bn = batchNorm ? 'BN → ' : '';
      return `8×8×1 image → Conv2D(8, 3×3) → ${bn}relu → MaxPooling2D(2) → Conv2D(16, 3×3) → ${bn}relu → Flatten → Dense(10, softmax)`;
    },
    shape: [8, 8, 1],
    layers(batchNorm) {
      const block = (filters, first) => [
        bw.layers.conv2d({ filters, kernelSize: [3, 3], padding: 'same', ...(first ? { inputShape: [8, 8, 1] } : {}) }),
        ...(batchNorm ? [bw.layers.batchNormalization({})] : []),
        bw.layers.activation({ activation: 'relu' }),
      ];
      return [...block(8, true), bw.layers.maxPooling2d({ poolSize: [2, 2] }), ...block(16, false),
        bw.layers.flatten(), bw.layers.dense({ units: 10, activation: 'softmax' })];
    },
  },
};

const SLICE_MS = 20; // training time between yields to the browser
const EVAL_GROWTH = 1.04; // evaluations at geometrically spaced steps: evenly spread on the log-scale charts
const EVAL_MS = 250; // and at least this often, so the numbers stay live
const MAX_POINTS = 1500; // chart points per series; beyond this, later points are thinned

function buildModel(architecture, batchNorm, learningRate) {
  bw.setSeed(42); // both models start from the same kernels
  const model = bw.sequential({ layers: ARCHITECTURES[architecture].layers(batchNorm) });
  compile(model, learningRate);
  return model;
}

function compile(model, learningRate) {
  model.compile({
    optimizer: bw.optimizers.sgd({ learningRate, momentum: 0.9 }),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
}

const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

export class Trainer {
  /** @param {{ train, test }} data  @param {(t: Trainer) => void} onUpdate called after every slice */
  constructor(data, onUpdate) {
    this.data = data;
    this.onUpdate = onUpdate;
    this.learningRate = 0.02;
    this.batchSize = 32;
    this.architecture = 'mlp';
    this.testY = bw.tensor(data.test.y, [data.test.n]);
    this.running = false;
    this.generation = 0; // a training loop stops when a reset starts a new generation
    this.reset();
  }

  /** The shape of one input row for the current architecture: [64] or [8, 8, 1]. */
  get shape() {
    return ARCHITECTURES[this.architecture].shape;
  }

  reset() {
    this.running = false;
    this.generation++;
    this.testX = bw.tensor(this.data.test.x, [this.data.test.n, ...this.shape]);
    this.random = mulberry32(1);
    this.order = shuffle([...Array(this.data.train.n).keys()], this.random);
    this.cursor = 0;
    this.epoch = 0;
    this.steps = 0;
    this.samples = 0;
    this.nextEval = 1;
    this.lastEval = 0;
    this.rate = 0;
    this.rateWindow = [];
    this.runs = MODELS.map((m) => ({
      ...m,
      model: buildModel(this.architecture, m.batchNorm, this.learningRate),
      lossSum: 0,
      lossCount: 0,
      loss: NaN,
      accuracy: NaN,
      diverged: null,
      lossPoints: [],
      accPoints: [],
    }));
    this.evaluate();
  }

  /** Switches to another pair of networks ('mlp' or 'cnn'), new and untrained. */
  setArchitecture(name) {
    if (!(name in ARCHITECTURES)) throw new Error(`setArchitecture: expected one of ${Object.keys(ARCHITECTURES).join(', ')}, got ${name}`);
    this.architecture = name;
    this.reset();
  }

  setLearningRate(lr) {
    this.learningRate = lr;
    for (const r of this.runs) compile(r.model, lr); // keeps the weights; momentum restarts
  }

  setBatchSize(n) {
    this.batchSize = n;
    this.rateWindow = [];
  }

  /** Fractional epochs seen so far: the charts' x axis, comparable across batch sizes. */
  get epochs() {
    return this.samples / this.data.train.n;
  }

  async start() {
    if (this.running) return;
    this.running = true;
    this.rateWindow = [];
    const generation = this.generation;
    while (this.running && this.generation === generation) {
      const t0 = performance.now();
      let batches = 0;
      do {
        this.step();
        batches++;
      } while (this.running && performance.now() - t0 < SLICE_MS && this.runs.some((r) => !r.diverged));
      this.measure(t0, batches);
      this.onUpdate(this);
      if (this.runs.every((r) => r.diverged)) this.running = false;
      await nextTask();
    }
    this.onUpdate(this);
  }

  pause() {
    this.running = false;
  }

  /** One batch through both models (the same rows, the same order). */
  step() {
    const bs = this.batchSize, train = this.data.train;
    if (this.cursor + bs > train.n) {
      shuffle(this.order, this.random);
      this.cursor = 0;
      this.epoch++;
    }
    const x = new Float32Array(bs * FEATURES), y = new Float32Array(bs);
    for (let i = 0; i < bs; i++) {
      const row = this.order[this.cursor + i];
      x.set(train.x.subarray(row * FEATURES, (row + 1) * FEATURES), i * FEATURES);
      y[i] = train.y[row];
    }
    this.cursor += bs;
    const xt = bw.tensor(x, [bs, ...this.shape]), yt = bw.tensor(y, [bs]);
    for (const r of this.runs) {
      if (r.diverged) continue;
      try {
        const loss = r.model.trainOnBatch(xt, yt);
        r.lossSum += loss;
        r.lossCount++;
      } catch (e) {
        r.diverged = { step: this.steps + 1, message: e instanceof Error ? e.message : String(e) };
      }
    }
    this.steps++;
    this.samples += bs;
    if (this.steps >= this.nextEval || performance.now() - this.lastEval > EVAL_MS) {
      this.evaluate();
      this.nextEval = Math.ceil(this.steps * EVAL_GROWTH) + 1;
    }
  }

  /** Held-out accuracy of both models, and one chart point each (mean batch loss since the last point). */
  evaluate() {
    const x = this.epochs;
    this.lastEval = performance.now();
    for (const r of this.runs) {
      if (r.diverged) continue;
      const { accuracy } = r.model.evaluate(this.testX, this.testY, { batchSize: 128 });
      r.accuracy = accuracy;
      if (x === 0) continue; // before any training: no point on the log-scale charts
      r.accPoints.push({ x, y: accuracy });
      if (r.lossCount > 0) {
        r.loss = r.lossSum / r.lossCount;
        r.lossPoints.push({ x, y: r.loss });
        r.lossSum = 0;
        r.lossCount = 0;
      }
    }
    if (this.runs.some((r) => r.accPoints.length > MAX_POINTS)) {
      // a long run: drop every other point of the later half, the chart stays light
      const thin = (points) => points.filter((_, i) => i < points.length / 2 || i % 2 === 0);
      for (const r of this.runs) {
        r.accPoints = thin(r.accPoints);
        r.lossPoints = thin(r.lossPoints);
      }
    }
  }

  /** Samples per second over the last second or so of training time (each sample runs through both models). */
  measure(t0, batches) {
    const now = performance.now();
    this.rateWindow.push({ t: now, dt: now - t0, samples: batches * this.batchSize });
    while (this.rateWindow.length > 1 && now - this.rateWindow[0].t > 1000) this.rateWindow.shift();
    const ms = this.rateWindow.reduce((s, w) => s + w.dt, 0), n = this.rateWindow.reduce((s, w) => s + w.samples, 0);
    // wall-clock rate: includes the time the page spends between slices (drawing, charts)
    const span = now - this.rateWindow[0].t + this.rateWindow[0].dt;
    this.rate = ms > 0 ? (n / Math.max(span, ms)) * 1000 : 0;
  }

  /** Both models' class probabilities for one 8×8 image (values 0..16, like the data). */
  predict(features) {
    const x = bw.tensor(features, [1, ...this.shape]);
    return this.runs.map((r) => Array.from(r.model.predict(x).dataSync()));
  }
}
