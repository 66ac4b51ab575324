/**
 * Per-feature mean and biased variance of many groups of values, merged exactly in float64: the pooled
 * result is the mean and variance of all the values together, not a mean of the groups' variances
 * (which would drop the spread of the group means). Chan, Golub & LeVeque's pairwise update:
 *   n = nA + nB,  δ = meanB − meanA,  mean = meanA + δ·nB/n,  M2 = M2A + M2B + δ²·nA·nB/n,  var = M2/n
 * Only per-feature numbers pass through here; the sums over the data are the kernels' (batchStats,
 * bnormForwardTrain).
 */
export class PooledMoments {
  /** Values per feature so far. */
  count = 0;
  readonly mean: Float64Array;
  /** Σ (x − mean)² per feature. */
  private readonly m2: Float64Array;

  constructor(readonly features: number) {
    this.mean = new Float64Array(features);
    this.m2 = new Float64Array(features);
  }

  /** Adds a group of `count` values per feature with this mean and biased (÷ count) variance. */
  add(count: number, mean: ArrayLike<number>, variance: ArrayLike<number>): void {
    if (count <= 0) return;
    const n = this.count + count, wa = this.count * count / n, wb = count / n;
    for (let j = 0; j < this.features; j++) {
      const delta = mean[j] - this.mean[j];
      this.mean[j] += delta * wb;
      this.m2[j] += variance[j] * count + delta * delta * wa;
    }
    this.count = n;
  }

  /** Adds everything another pool holds. */
  merge(other: PooledMoments): void {
    this.add(other.count, other.mean, other.variance);
  }

  /** The biased variance of everything added (M2 / count). */
  get variance(): Float64Array {
    return this.m2.map((q) => q / this.count);
  }
}
