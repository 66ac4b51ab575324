import { Tensor, toTensor } from '../tensor/tensor.js';
import type { Loss } from './losses.js';

/** A dataset as the model trains on it: row-major inputs and targets (sparse labels already one-hot). */
export interface Dataset {
  x: Float32Array;
  y: Float32Array;
  rows: number;
  xRow: number; // floats per input row
  yRow: number; // floats per target row
}

export function checkInputs(x: unknown, name: string, inputShape: number[] | null): Tensor {
  const t = toTensor(x, name);
  if (t.rank < 2) throw new Error(`${name}: expected a batch of inputs (rank >= 2, [batch, ...features]), got shape [${t.shape.join(', ')}]`);
  if (t.shape[0] < 1) throw new Error(`${name}: expected at least one sample, got shape [${t.shape.join(', ')}]`);
  if (inputShape && t.shape.slice(1).join() !== inputShape.join()) {
    throw new Error(`${name}: expected inputs of shape [batch, ${inputShape.join(', ')}], got [${t.shape.join(', ')}]`);
  }
  return t;
}

/**
 * Validates targets against the loss and the model's output shape, and returns them as the kernels want
 * them: sparse integer labels become one-hot rows (checked to be integers in [0, classes)).
 */
export function prepareTargets(y: unknown, name: string, rows: number, loss: Loss, outputShape: number[]): Float32Array {
  const t = toTensor(y, name);
  if (t.shape[0] !== rows) {
    throw new Error(`${name}: expected ${rows} targets (one per input row), got shape [${t.shape.join(', ')}]`);
  }
  const width = outputShape.reduce((a, b) => a * b, 1);
  if (loss === 'sparseCategoricalCrossentropy') {
    // one label per position of the output's leading axes, a class index over its last axis (Keras)
    const classes = outputShape[outputShape.length - 1], positions = outputShape.slice(0, -1);
    const labelShape = t.shape.slice(1), want = [rows, ...positions];
    const fits = labelShape.join() === positions.join() || labelShape.join() === [...positions, 1].join();
    if (!fits) {
      throw new Error(`${name}: sparseCategoricalCrossentropy expects integer class labels of shape [${want.join(', ')}] or [${[...want, 1].join(', ')}], got [${t.shape.join(', ')}]`);
    }
    const onehot = new Float32Array(rows * width);
    for (let i = 0; i < t.size; i++) {
      const label = t.values[i];
      if (!Number.isInteger(label) || label < 0 || label >= classes) {
        const where = positions.length ? `label ${i}` : `label at row ${i}`;
        throw new Error(`${name}: ${where} must be an integer in [0, ${classes - 1}] (the model has ${classes} outputs), got ${label}`);
      }
      onehot[i * classes + label] = 1;
    }
    return onehot;
  }
  if (t.shape.slice(1).join() !== outputShape.join()) {
    throw new Error(`${name}: expected targets of shape [${rows}, ${outputShape.join(', ')}] to match the model's output, got [${t.shape.join(', ')}]`);
  }
  if (loss === 'categoricalCrossentropy' && outputShape.length === 1 && outputShape[0] === 1) {
    throw new Error(`${name}: categoricalCrossentropy needs one-hot targets with at least 2 classes; use binaryCrossentropy for one output`);
  }
  return t.values;
}

/** Rows [from, to) of a dataset, copied (used for validationSplit). */
export function sliceRows(d: Dataset, from: number, to: number): Dataset {
  return {
    x: d.x.slice(from * d.xRow, to * d.xRow),
    y: d.y.slice(from * d.yRow, to * d.yRow),
    rows: to - from,
    xRow: d.xRow,
    yRow: d.yRow,
  };
}
