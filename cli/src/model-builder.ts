import * as bw from 'bnwasm';
import type { Task } from './dataset.js';

export interface ModelSpec {
  inputs: number;
  hidden: number[];
  batchNorm: boolean;
  /** With batchNorm: whether each hidden Dense is followed by a BatchNormalization (default true). */
  hiddenBatchNorm?: boolean;
  task: Task;
  /** Output units: the number of classes, or 1 for regression. */
  outputs: number;
}

/**
 * The default `train` model. With batch normalization: BN on the raw inputs (so unscaled features
 * train well without a separate standardization step), then per hidden layer Dense → BN → ReLU, the
 * order of Ioffe & Szegedy (BN normalizes the pre-activation; the Dense bias is then redundant but
 * harmless and kept for Keras parity), or Dense(relu) without `hiddenBatchNorm`. Without batch
 * normalization: Dense(relu) layers on standardized inputs.
 */
export function buildModel(spec: ModelSpec): bw.Sequential {
  const model = bw.sequential();
  const input = { inputShape: [spec.inputs] };
  const inputBN = spec.batchNorm;
  if (inputBN) model.add(bw.layers.batchNormalization({ ...input, name: 'input_batch_norm' }));
  spec.hidden.forEach((units, i) => {
    const first = i === 0 && !inputBN ? input : {};
    if (spec.batchNorm && spec.hiddenBatchNorm !== false) {
      model.add(bw.layers.dense({ units, ...first, name: `dense_${i + 1}` }));
      model.add(bw.layers.batchNormalization({ name: `batch_norm_${i + 1}` }));
      model.add(bw.layers.activation({ activation: 'relu', name: `relu_${i + 1}` }));
    } else {
      model.add(bw.layers.dense({ units, activation: 'relu', ...first, name: `dense_${i + 1}` }));
    }
  });
  const first = spec.hidden.length === 0 && !inputBN ? input : {};
  model.add(bw.layers.dense({
    units: spec.outputs,
    activation: spec.task === 'classification' ? 'softmax' : 'linear',
    ...first,
    name: 'output',
  }));
  return model;
}
