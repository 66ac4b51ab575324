/**
 * Population statistics of BatchNormalization inputs, float64: the spec for model.calibrateBatchNorm.
 * The model runs batch by batch as in a training step (Dense and activations as usual, Dropout off,
 * trainable BN normalizing with its batch's mean and biased variance, frozen BN with its moving
 * statistics); every training-mode input of a trainable BN layer is kept, and its mean and biased
 * variance are computed at the end over all of them at once, two-pass (no pooling formula involved).
 */

/** A layer as the reference sees it (weights as the model's getWeights gives them). */
export type RefLayer =
  | { kind: 'dense'; kernel: ArrayLike<number>; bias: ArrayLike<number> | null; units: number; activation: 'linear' | 'relu' | 'tanh' }
  | { kind: 'bn'; axis: number; epsilon: number; trainable: boolean; gamma: ArrayLike<number> | null; beta: ArrayLike<number> | null;
      movingMean: ArrayLike<number>; movingVariance: ArrayLike<number> }
  | { kind: 'identity' };

const ACT = { linear: (v: number) => v, relu: (v: number) => Math.max(0, v), tanh: Math.tanh };

/** [outer, features, inner] around the feature axis of a per-sample shape (batch excluded). */
function around(shape: number[], axis: number): { outer: number; features: number; inner: number } {
  const rank = shape.length + 1, a = axis < 0 ? rank + axis : axis;
  const prod = (s: number[]) => s.reduce((p, q) => p * q, 1);
  return { outer: prod(shape.slice(0, a - 1)), features: shape[a - 1], inner: prod(shape.slice(a)) };
}

/** Feature index of every element of a batch of `n` samples of `shape`. */
function featureOf(n: number, shape: number[], axis: number): Int32Array {
  const { features, inner } = around(shape, axis), size = shape.reduce((p, q) => p * q, 1);
  return Int32Array.from({ length: n * size }, (_, i) => Math.floor(i / inner) % features);
}

function moments(values: ArrayLike<number>, feature: ArrayLike<number>, features: number) {
  const count = new Float64Array(features), mean = new Float64Array(features), variance = new Float64Array(features);
  for (let i = 0; i < values.length; i++) { count[feature[i]]++; mean[feature[i]] += values[i]; }
  for (let j = 0; j < features; j++) mean[j] /= count[j];
  for (let i = 0; i < values.length; i++) variance[feature[i]] += (values[i] - mean[feature[i]]) ** 2;
  for (let j = 0; j < features; j++) variance[j] /= count[j];
  return { mean, variance };
}

/**
 * The calibrated [mean, variance] of every trainable BN layer (null for the other layers), for x of
 * `rows` samples of `shape` in batches of `batchSize`.
 */
export function populationStatistics(layers: RefLayer[], x: ArrayLike<number>, rows: number, shape: number[], batchSize: number) {
  const seen: number[][] = layers.map(() => []);
  const feats: number[][] = layers.map(() => []);
  const size = shape.reduce((p, q) => p * q, 1);
  for (let start = 0; start < rows; start += batchSize) {
    const n = Math.min(batchSize, rows - start);
    let a = Float64Array.from({ length: n * size }, (_, i) => x[start * size + i]);
    let s = shape;
    layers.forEach((l, li) => {
      if (l.kind === 'dense') {
        const k = s[s.length - 1], lead = a.length / k, out = new Float64Array(lead * l.units);
        for (let r = 0; r < lead; r++) {
          for (let u = 0; u < l.units; u++) {
            let v = l.bias ? l.bias[u] : 0;
            for (let i = 0; i < k; i++) v += a[r * k + i] * l.kernel[i * l.units + u];
            out[r * l.units + u] = ACT[l.activation](v);
          }
        }
        a = out;
        s = [...s.slice(0, -1), l.units];
      } else if (l.kind === 'bn') {
        const { features } = around(s, l.axis), f = featureOf(n, s, l.axis);
        let mean: ArrayLike<number> = l.movingMean, variance: ArrayLike<number> = l.movingVariance;
        if (l.trainable) {
          ({ mean, variance } = moments(a, f, features));
          for (let i = 0; i < a.length; i++) { seen[li].push(a[i]); feats[li].push(f[i]); }
        }
        a = a.map((v, i) => {
          const j = f[i];
          return (l.gamma ? l.gamma[j] : 1) * (v - mean[j]) / Math.sqrt(variance[j] + l.epsilon) + (l.beta ? l.beta[j] : 0);
        });
      }
    });
  }
  return layers.map((l, li) => {
    if (l.kind !== 'bn' || !l.trainable) return null;
    return moments(seen[li], feats[li], l.movingMean.length);
  });
}
