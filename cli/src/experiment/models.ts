import * as bw from 'bnwasm';
import { Rng as Random } from 'bnwasm';

const INPUTS = 64, CLASSES = 10;

/**
 * Figure 1's network: 3 hidden layers of 100 sigmoid units. Each hidden layer is Dense (linear) →
 * [BatchNormalization] → Activation(sigmoid), so the sigmoid's input is a layer output the probe can
 * read (the same function as Dense(activation: 'sigmoid') without BN).
 */
export function figure1Network(batchNorm: boolean): bw.Sequential {
  const model = bw.sequential();
  for (let i = 0; i < 3; i++) {
    model.add(bw.layers.dense({ units: 100, ...(i === 0 ? { inputShape: [INPUTS] } : {}) }));
    if (batchNorm) model.add(bw.layers.batchNormalization());
    model.add(bw.layers.activation({ activation: 'sigmoid' }));
  }
  model.add(bw.layers.dense({ units: CLASSES, activation: 'softmax' }));
  return model;
}

/** The seed's model, Dense(64, relu) → BN → Dense(10, softmax), and a deeper one with 4 such blocks. */
export function reluNetwork(blocks: number, batchNorm: boolean, dropout = 0, units = 64): bw.Sequential {
  const model = bw.sequential();
  for (let i = 0; i < blocks; i++) {
    model.add(bw.layers.dense({ units, activation: 'relu', ...(i === 0 ? { inputShape: [INPUTS] } : {}) }));
    if (batchNorm) model.add(bw.layers.batchNormalization());
    if (dropout > 0) model.add(bw.layers.dropout({ rate: dropout }));
  }
  model.add(bw.layers.dense({ units: CLASSES, activation: 'softmax' }));
  return model;
}

/**
 * Every Dense kernel drawn from N(0, std²) and biases zero: the paper's "small random Gaussian
 * values". bnwasm's initializers are the Keras named ones, so the weights are set explicitly; drawing
 * from our own seeded stream gives the with-BN and without-BN networks identical Dense weights.
 */
export function gaussianInit(model: bw.Sequential, std: number, seed: number): void {
  const random = new Random(seed);
  for (const layer of model.layers) {
    if (!(layer instanceof bw.Dense)) continue;
    const [kernel, bias] = layer.getWeights();
    const values = Float32Array.from({ length: kernel.size }, () => std * random.normal());
    layer.setWeights([bw.tensor(values, kernel.shape), bw.tensor(new Float32Array(bias.size), bias.shape)]);
  }
}

export function compileSgd(model: bw.Sequential, learningRate: number): bw.Sequential {
  model.compile({ optimizer: bw.optimizers.sgd({ learningRate }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}
