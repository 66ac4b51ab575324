/**
 * Ghost Batch Normalization (tf.keras 2's virtual_batch_size), float64: the spec for f32_group_rows and the
 * layer's virtualBatchSize option. tf.keras reshapes a batch of B samples to [V, B/V, ...] and reduces over
 * the first axis, so sample i is in virtual batch i mod (B/V). bnwasm extends this to any B: G = ⌈B/V⌉ virtual
 * batches, sample i in virtual batch i mod G (sizes ⌊B/G⌋ or ⌈B/G⌉, never above V; tf.keras's grouping when V
 * divides B). Each virtual batch is normalized with its own statistics; the moving statistics move once per
 * batch towards the size-weighted mean of the virtual batches' means and biased variances (tf.keras: the plain
 * mean, the same when the sizes are equal).
 */
import * as bn from './bnorm.js';

type Vec = ArrayLike<number>;

/** The rows of each group (index mod groups), in order. */
export function groups(rows: number, count: number): number[][] {
  return Array.from({ length: count }, (_, g) => Array.from({ length: Math.ceil((rows - g) / count) }, (_, k) => g + k * count));
}

export function groupRows(rows: number, count: number, width: number, x: Vec, inverse: boolean): Float64Array {
  const y = new Float64Array(rows * width), order = groups(rows, count).flat();
  order.forEach((i, k) => {
    const [from, to] = inverse ? [k, i] : [i, k];
    for (let e = 0; e < width; e++) y[to * width + e] = x[from * width + e];
  });
  return y;
}

/** The rows (of `cols` floats) of the samples in `ids`, each sample `per` rows. */
function gather(x: Vec, ids: number[], per: number, cols: number): Float64Array {
  const out = new Float64Array(ids.length * per * cols);
  ids.forEach((i, k) => { for (let e = 0; e < per * cols; e++) out[k * per * cols + e] = x[i * per * cols + e]; });
  return out;
}

function scatter(into: Float64Array, part: Vec, ids: number[], per: number, cols: number): void {
  ids.forEach((i, k) => { for (let e = 0; e < per * cols; e++) into[i * per * cols + e] = part[k * per * cols + e]; });
}

/**
 * Training forward of `samples` samples, each `per` rows of `cols` features (x in rows layout), with virtual
 * batches of at most `virtual` samples. Returns y, the per-group statistics and what the moving averages move towards.
 */
export function forwardTrain(samples: number, per: number, cols: number, x: Vec, gamma: Vec | null, beta: Vec | null, eps: number, virtual: number) {
  const gs = groups(samples, Math.ceil(samples / virtual));
  const y = new Float64Array(samples * per * cols), towardsMean = new Float64Array(cols), towardsVariance = new Float64Array(cols);
  const stats = gs.map((ids) => {
    const f = bn.forwardTrain(ids.length * per, cols, gather(x, ids, per, cols), gamma, beta, eps);
    scatter(y, f.y, ids, per, cols);
    for (let j = 0; j < cols; j++) {
      towardsMean[j] += f.mean[j] * ids.length / samples;
      towardsVariance[j] += f.variance[j] * ids.length / samples;
    }
    return { ids, mean: f.mean, invStd: f.invStd };
  });
  return { y, stats, towardsMean, towardsVariance };
}

export function backward(samples: number, per: number, cols: number, dy: Vec, x: Vec, gamma: Vec | null, eps: number, virtual: number) {
  const { stats } = forwardTrain(samples, per, cols, x, gamma, null, eps, virtual);
  const dx = new Float64Array(samples * per * cols), dgamma = new Float64Array(cols), dbeta = new Float64Array(cols);
  for (const s of stats) {
    const n = s.ids.length * per;
    const b = bn.backward(n, cols, gather(dy, s.ids, per, cols), gather(x, s.ids, per, cols), s.mean, s.invStd, gamma);
    scatter(dx, b.dx, s.ids, per, cols);
    for (let j = 0; j < cols; j++) { dgamma[j] += b.dgamma[j]; dbeta[j] += b.dbeta[j]; }
  }
  return { dx, dgamma, dbeta };
}

export function trainLoss(samples: number, per: number, cols: number, x: Vec, gamma: Vec, beta: Vec, eps: number, virtual: number, w: Vec): number {
  return forwardTrain(samples, per, cols, x, gamma, beta, eps, virtual).y.reduce((s, v, i) => s + v * w[i], 0);
}
