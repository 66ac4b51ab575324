import * as bw from 'bnwasm';
import { buildModel } from './model-builder.js';

/**
 * The average of k trained regression networks of the small-table shape (input BatchNormalization →
 * Dense(relu) … → Dense(1)) as one network of the same shape, k times as wide, that predicts exactly
 * their mean. Every member's input BN has the same (calibrated) statistics, so only its scale and
 * offset differ: they are folded into the member's first Dense. Hidden kernels go on the diagonal of a
 * block matrix (members never see each other's units), and the output kernel stacks the members'
 * kernels divided by k. The result saves and loads as any model, with no ensemble logic in predict.
 */
export function averageNetworks(members: bw.Sequential[], inputs: number, hidden: number[]): bw.Sequential {
  const k = members.length;
  const weights = members.map((m) => m.getWeights().map((t) => t.dataSync()));
  const [, , mean, variance] = weights[0];
  for (const w of weights) {
    if (w[2].some((v, i) => v !== mean[i]) || w[3].some((v, i) => v !== variance[i])) {
      throw new Error('averageNetworks: the members were calibrated on different rows');
    }
  }
  const sizes = [inputs, ...hidden, 1];
  const merged: Float32Array[] = [new Float32Array(inputs).fill(1), new Float32Array(inputs), mean, variance];
  for (let layer = 0; layer < sizes.length - 1; layer++) {
    const rows = sizes[layer], cols = sizes[layer + 1], last = layer === sizes.length - 2;
    const inWidth = layer === 0 ? rows : rows * k, outWidth = last ? 1 : cols * k;
    const kernel = new Float32Array(inWidth * outWidth), bias = new Float32Array(outWidth);
    weights.forEach((w, j) => {
      const W = w[4 + 2 * layer], b = w[5 + 2 * layer];
      const gamma = w[0], beta = w[1];
      const rowAt = layer === 0 ? 0 : j * rows, colAt = last ? 0 : j * cols, share = last ? 1 / k : 1;
      for (let c = 0; c < cols; c++) {
        let offset = b[c];
        for (let r = 0; r < rows; r++) {
          // the first Dense absorbs the member's BN scale (gamma) and offset (beta)
          const wrc = W[r * cols + c];
          if (layer === 0) offset += beta[r] * wrc;
          kernel[(rowAt + r) * outWidth + colAt + c] += share * (layer === 0 ? gamma[r] * wrc : wrc);
        }
        bias[colAt + c] += share * offset;
      }
    });
    merged.push(kernel, bias);
  }
  const model = buildModel({ inputs, hidden: hidden.map((h) => h * k), batchNorm: true, hiddenBatchNorm: false, task: 'regression', outputs: 1 });
  model.setWeights(merged.map((v, i) => new bw.Tensor(v, i < 4 ? [inputs] : shapeOf(i, sizes, k))));
  return model;
}

/** The shape of merged weight i (after the four BN weights: kernel, bias per Dense). */
function shapeOf(i: number, sizes: number[], k: number): number[] {
  const layer = (i - 4) >> 1, last = layer === sizes.length - 2;
  const inWidth = layer === 0 ? sizes[0] : sizes[layer] * k, outWidth = last ? 1 : sizes[layer + 1] * k;
  return (i - 4) % 2 === 0 ? [inWidth, outWidth] : [outWidth];
}
