/**
 * Batch normalization, float64: the spec for assembly/bnorm/ and src/backend/js/bnorm.ts (Keras conventions:
 * biased batch variance, moving = moving·momentum + batch·(1 − momentum)). gamma/beta null = 1/0.
 *   forward:  invStd = 1/√(var + eps), y = gamma·(x − mean)·invStd + beta
 *   backward: x̂ = (x − x̄)·invStd, dbeta = Σ dy, dgamma = Σ dy·x̂, dx = gamma·invStd·(dy − dbeta/rows − x̂·dgamma/rows),
 *             x̄ = mean + Σ(x − mean)/rows: the column mean of x itself; the `mean` given (the forward's float32
 *             rounding of it) is only where the kernels centre their sums
 */
import { batchStats } from './batch-stats.js';

type Vec = ArrayLike<number>;

export function forwardTrain(rows: number, cols: number, x: Vec, gamma: Vec | null, beta: Vec | null, eps: number) {
  const { mean, variance } = batchStats(rows, cols, x);
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps));
  const y = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      y[i * cols + j] = (gamma ? gamma[j] : 1) * (x[i * cols + j] - mean[j]) * invStd[j] + (beta ? beta[j] : 0);
    }
  }
  return { y, mean, variance, invStd };
}

/** scale = gamma/√(var + eps), shift = beta − mean·scale. */
export function fold(cols: number, mean: Vec, variance: Vec, gamma: Vec | null, beta: Vec | null, eps: number) {
  const scale = new Float64Array(cols), shift = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    scale[j] = (gamma ? gamma[j] : 1) / Math.sqrt(variance[j] + eps);
    shift[j] = (beta ? beta[j] : 0) - mean[j] * scale[j];
  }
  return { scale, shift };
}

/** y = (x − center)·scale + shift (center, shift null = 0). */
export function scaleShift(rows: number, cols: number, x: Vec, center: Vec | null, scale: Vec, shift: Vec | null): Float64Array {
  return Float64Array.from({ length: rows * cols }, (_, i) => {
    const j = i % cols;
    return (x[i] - (center ? center[j] : 0)) * scale[j] + (shift ? shift[j] : 0);
  });
}

export function backward(rows: number, cols: number, dy: Vec, x: Vec, mean: Vec, invStd: Vec, gamma: Vec | null) {
  const dbeta = new Float64Array(cols), dgamma = new Float64Array(cols), dx = new Float64Array(rows * cols);
  const xbar = Float64Array.from({ length: cols }, (_, j) => {
    let r = 0;
    for (let i = 0; i < rows; i++) r += x[i * cols + j] - mean[j];
    return mean[j] + r / rows;
  });
  const xhat = (i: number, j: number) => (x[i * cols + j] - xbar[j]) * invStd[j];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      dbeta[j] += dy[i * cols + j];
      dgamma[j] += dy[i * cols + j] * xhat(i, j);
    }
  }
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const g = (gamma ? gamma[j] : 1) * invStd[j];
      dx[i * cols + j] = g * (dy[i * cols + j] - dbeta[j] / rows - xhat(i, j) * dgamma[j] / rows);
    }
  }
  return { dx, dgamma, dbeta };
}

/** L = Σ w·y(x, gamma, beta): the scalar whose gradients backward() must give for dy = w. */
export function trainLoss(rows: number, cols: number, x: Vec, gamma: Vec, beta: Vec, eps: number, w: Vec): number {
  const { y } = forwardTrain(rows, cols, x, gamma, beta, eps);
  return y.reduce((s, v, i) => s + v * w[i], 0);
}

export function movingAverage(batch: Vec, moving: Vec, momentum: number): Float64Array {
  return Float64Array.from(moving, (m, j) => m * momentum + batch[j] * (1 - momentum));
}

/** Inference-mode BN: y = gamma·(x − moving mean)/√(moving variance + eps) + beta. */
export function infer(rows: number, cols: number, x: Vec, gamma: Vec | null, beta: Vec | null, movingMean: Vec,
  movingVariance: Vec, eps: number): Float64Array {
  return Float64Array.from({ length: rows * cols }, (_, i) => {
    const j = i % cols;
    return (gamma ? gamma[j] : 1) * (x[i] - movingMean[j]) / Math.sqrt(movingVariance[j] + eps) + (beta ? beta[j] : 0);
  });
}
