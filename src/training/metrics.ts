/**
 * Keras's metrics, accumulated over an epoch (or an evaluate call) from the model's outputs p and the
 * targets t as the model trains on them (sparse labels arrive one-hot): reset(), update() per batch,
 * result() at any time is the value over everything seen since reset. Means are over samples; precision,
 * recall and AUC pool every output element, as Keras does with one output. A weighted metric (compile's
 * weightedMetrics) counts each sample with its weight, as Keras's sample_weight: a mean becomes Σ w·v / Σ w,
 * a confusion count Σ w.
 */
export interface Metric {
  /** The name it is logged under (the string given to compile). */
  readonly name: string;
  /** Whether larger is better. */
  readonly direction: 'up' | 'down';
  /** Whether it takes the samples' weights (one per row) in update. */
  readonly weighted: boolean;
  reset(): void;
  update(rows: number, cols: number, p: Float32Array, t: Float32Array, weights?: Float32Array | null): void;
  result(): number;
}

/** The mean over samples of a per-sample value. */
class SampleMean implements Metric {
  private sum = 0;
  private count = 0;
  constructor(readonly name: string, readonly direction: 'up' | 'down', readonly weighted: boolean,
    private readonly perSample: (p: Float32Array, t: Float32Array, at: number, cols: number) => number) {}
  reset() { this.sum = 0; this.count = 0; }
  update(rows: number, cols: number, p: Float32Array, t: Float32Array, weights: Float32Array | null = null) {
    if (!weights) {
      for (let i = 0; i < rows; i++) this.sum += this.perSample(p, t, i * cols, cols);
      this.count += rows;
      return;
    }
    for (let i = 0; i < rows; i++) {
      this.sum += weights[i] * this.perSample(p, t, i * cols, cols);
      this.count += weights[i];
    }
  }
  result() { return this.count ? this.sum / this.count : 0; }
}

function argmax(v: Float32Array, at: number, cols: number): number {
  let best = 0;
  for (let j = 1; j < cols; j++) if (v[at + j] > v[at + best]) best = j;
  return best;
}

const meanAbsolute = (p: Float32Array, t: Float32Array, at: number, cols: number) => {
  let s = 0;
  for (let j = 0; j < cols; j++) s += Math.abs(p[at + j] - t[at + j]);
  return s / cols;
};
const meanSquared = (p: Float32Array, t: Float32Array, at: number, cols: number) => {
  let s = 0;
  for (let j = 0; j < cols; j++) s += (p[at + j] - t[at + j]) ** 2;
  return s / cols;
};
/**
 * Keras: the share of elements where (p > 0.5) equals t. A NaN prediction is never a hit (TF.js counts it as
 * class 0, which would credit a model for NaN outputs).
 */
const binaryHits = (p: Float32Array, t: Float32Array, at: number, cols: number) => {
  let s = 0;
  for (let j = 0; j < cols; j++) if (p[at + j] === p[at + j] && (p[at + j] > 0.5 ? 1 : 0) === t[at + j]) s++;
  return s / cols;
};
/** argmax(p) = argmax(t); a row with a NaN prediction is never a hit (a first-index argmax would land on 0). */
const categoricalHit = (p: Float32Array, t: Float32Array, at: number, cols: number) => {
  for (let j = 0; j < cols; j++) if (p[at + j] !== p[at + j]) return 0;
  return argmax(p, at, cols) === argmax(t, at, cols) ? 1 : 0;
};

/** Counts of the confusion matrix at one or more thresholds: prediction positive when p > threshold, label when t ≠ 0. */
class Confusion {
  readonly tp: Float64Array;
  readonly fp: Float64Array;
  readonly fn: Float64Array;
  readonly tn: Float64Array;
  constructor(readonly thresholds: number[]) {
    const n = thresholds.length;
    this.tp = new Float64Array(n); this.fp = new Float64Array(n); this.fn = new Float64Array(n); this.tn = new Float64Array(n);
  }
  reset() { for (const a of [this.tp, this.fp, this.fn, this.tn]) a.fill(0); }
  /** Elements [0, rows·cols); with weights, each counts its row's weight instead of 1. */
  update(rows: number, cols: number, p: Float32Array, t: Float32Array, weights: Float32Array | null) {
    const th = this.thresholds;
    for (let e = 0; e < rows * cols; e++) {
      const label = t[e] !== 0, score = p[e], w = weights ? weights[Math.floor(e / cols)] : 1;
      for (let k = 0; k < th.length; k++) {
        const pos = score > th[k];
        if (label) { if (pos) this.tp[k] += w; else this.fn[k] += w; } else if (pos) this.fp[k] += w; else this.tn[k] += w;
      }
    }
  }
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

class Thresholded implements Metric {
  readonly direction = 'up';
  private readonly counts = new Confusion([0.5]);
  constructor(readonly name: string, readonly weighted: boolean, private readonly kind: 'precision' | 'recall') {}
  reset() { this.counts.reset(); }
  update(rows: number, cols: number, p: Float32Array, t: Float32Array, weights: Float32Array | null = null) {
    this.counts.update(rows, cols, p, t, weights);
  }
  result() {
    const { tp, fp, fn } = this.counts;
    return this.kind === 'precision' ? ratio(tp[0], tp[0] + fp[0]) : ratio(tp[0], tp[0] + fn[0]);
  }
}

/**
 * Keras's AUC with its defaults: ROC curve, 200 thresholds evenly spaced over [0, 1] (the end ones just
 * outside, so every prediction falls inside), trapezoids between consecutive thresholds.
 */
class Auc implements Metric {
  readonly direction = 'up';
  private readonly counts: Confusion;
  constructor(readonly name: string, readonly weighted: boolean, numThresholds = 200) {
    const inner = Array.from({ length: numThresholds - 2 }, (_, i) => (i + 1) / (numThresholds - 1));
    this.counts = new Confusion([-1e-7, ...inner, 1 + 1e-7]);
  }
  reset() { this.counts.reset(); }
  update(rows: number, cols: number, p: Float32Array, t: Float32Array, weights: Float32Array | null = null) {
    this.counts.update(rows, cols, p, t, weights);
  }
  result() {
    const { tp, fp, fn, tn } = this.counts;
    let area = 0;
    for (let k = 0; k + 1 < tp.length; k++) {
      const x0 = ratio(fp[k], fp[k] + tn[k]), x1 = ratio(fp[k + 1], fp[k + 1] + tn[k + 1]);
      const y0 = ratio(tp[k], tp[k] + fn[k]), y1 = ratio(tp[k + 1], tp[k + 1] + fn[k + 1]);
      area += (x0 - x1) * (y0 + y1) / 2;
    }
    return area;
  }
}

/** The metric names compile accepts (TF.js's and Keras's spellings). */
export const METRIC_NAMES = ['accuracy', 'acc', 'mae', 'meanAbsoluteError', 'mse', 'meanSquaredError', 'binaryAccuracy',
  'categoricalAccuracy', 'sparseCategoricalAccuracy', 'precision', 'recall', 'auc'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/**
 * A fresh accumulator for a metric name. 'accuracy' (or 'acc') becomes the accuracy Keras picks for the
 * loss: binary for binary cross-entropy or a one-unit output, sparse or categorical otherwise. A weighted
 * one is logged under `logName` (weightedMetricNames).
 */
export function makeMetric(name: MetricName, loss: string, outputWidth: number, weighted = false, logName: string = name): Metric {
  switch (name) {
    case 'accuracy': case 'acc': {
      const binary = loss === 'binaryCrossentropy' || outputWidth === 1;
      return new SampleMean(logName, 'up', weighted, binary ? binaryHits : categoricalHit);
    }
    case 'mae': case 'meanAbsoluteError': return new SampleMean(logName, 'down', weighted, meanAbsolute);
    case 'mse': case 'meanSquaredError': return new SampleMean(logName, 'down', weighted, meanSquared);
    case 'binaryAccuracy': return new SampleMean(logName, 'up', weighted, binaryHits);
    case 'categoricalAccuracy': case 'sparseCategoricalAccuracy': return new SampleMean(logName, 'up', weighted, categoricalHit);
    case 'precision': case 'recall': return new Thresholded(logName, weighted, name);
    case 'auc': return new Auc(logName, weighted);
  }
}

/**
 * The log names of compile's weightedMetrics, as Keras 3 names them: a metric's own name, or `weighted_<name>`
 * when the plain metrics (or an earlier weighted one) already log under that name.
 */
export function weightedMetricNames(plain: readonly string[], weighted: readonly string[]): string[] {
  const taken = new Set(plain);
  return weighted.map((name) => {
    const logName = taken.has(name) ? `weighted_${name}` : name;
    taken.add(logName);
    return logName;
  });
}
