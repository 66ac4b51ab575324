import * as bw from 'bnwasm';
import type { Data } from './digits.js';

/**
 * The input to one sigmoid of the last hidden layer (the paper's Figure 1(b, c)) on a fixed batch.
 *
 * Method: the probe batch runs through the model's layers up to (not including) the last sigmoid
 * Activation with `layer.apply(x, { training: true })`, so a BatchNormalization normalizes with the
 * batch's own statistics, exactly what the sigmoid sees during a training step. Training-mode apply
 * also moves BN's moving statistics (Keras semantics), so every BN layer's weights are saved before
 * and restored after: the probe leaves the model untouched. Without BN the result is the Dense
 * layer's pre-activation x·W + b.
 */
export function sigmoidInputProbe(batch: Data, unit = 0): (model: bw.Sequential) => Float32Array {
  const x = bw.tensor(batch.x, [batch.rows, batch.width]);
  return (model) => {
    const layers = model.layers;
    let last = -1;
    layers.forEach((l, i) => { if (l instanceof bw.Activation && l.activation === 'sigmoid') last = i; });
    if (last < 0) throw new Error('sigmoidInputProbe: the model has no sigmoid Activation layer');
    const saved = layers.slice(0, last).map((l) => (l instanceof bw.BatchNormalization ? l.getWeights() : null));
    let a = x;
    try {
      for (let i = 0; i < last; i++) a = layers[i].apply(a, { training: true });
    } finally {
      saved.forEach((w, i) => { if (w) layers[i].setWeights(w); });
    }
    const width = a.shape[1], values = a.dataSync(), out = new Float32Array(batch.rows);
    for (let r = 0; r < batch.rows; r++) out[r] = values[r * width + unit];
    return out;
  };
}
