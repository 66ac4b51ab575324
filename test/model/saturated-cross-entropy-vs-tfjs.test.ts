/**
 * Cross-entropy on saturated probabilities against TensorFlow.js: Keras and TF.js clip p to
 * [1e-7, 1 − 1e-7] in float32, where 1 − 1e-7 rounds to 1 − 2⁻²³, so a confident wrong sigmoid costs
 * log(2²³) ≈ 15.94 per output, not log(1e7) ≈ 16.12. Losses and gradients must agree on such rows.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, bw, copyWeightsToTf, expectClose, expectSameWeights, setupBoth, tf, tfTrainOnBatch } from '../helpers/tfjs.js';

beforeAll(setupBoth);

const ROWS = 6, IN = 3, OUT = 2;
// inputs of ±40 drive the sigmoid to exactly 0 and 1 in float32; the targets are wrong on half of them
const x = [40, -40, 1, -40, 40, 0.5, 0.2, -0.1, 0.3, 40, 40, -40, -40, -40, 40, 0, 0, 0];
const y = [0, 1, 1, 0, 0.5, 1, 1, 1, 0, 0, 1, 0];

describe.each(BACKENDS)('on the %s backend', (backend) => {
  beforeAll(() => bw.setBackend(backend));

  test.each(['sigmoid', 'softmax'] as const)('binaryCrossentropy after a saturated %s matches TF.js', async (activation) => {
    const m = bw.sequential({ layers: [bw.layers.dense({ units: OUT, activation, inputShape: [IN] })] });
    const t = tf.sequential({ layers: [tf.layers.dense({ units: OUT, activation, inputShape: [IN] })] });
    m.build([IN]);
    m.setWeights([bw.tensor([[1, -1], [0.5, 0], [0, 1]]), bw.tensor([0.1, -0.2])]);
    copyWeightsToTf(m, t);
    m.compile({ optimizer: bw.optimizers.sgd({ learningRate: 0.1 }), loss: 'binaryCrossentropy' });
    t.compile({ optimizer: tf.train.sgd(0.1), loss: 'binaryCrossentropy' });
    const xb = bw.tensor(x, [ROWS, IN]), yb = bw.tensor(y, [ROWS, OUT]);
    const xt = tf.tensor(x, [ROWS, IN]), yt = tf.tensor(y, [ROWS, OUT]);
    const want = (t.evaluate(xt, yt) as tf.Scalar).dataSync()[0];
    expect(want).toBeGreaterThan(5); // the rows really are saturated
    expectClose([m.evaluate(xb, yb).loss], [want], 'evaluate', 1e-5, 0);
    for (let s = 0; s < 3; s++) {
      expectClose([m.trainOnBatch(xb, yb)], [await tfTrainOnBatch(t, xt, yt)], `step ${s}`, 1e-5, 0);
    }
    expectSameWeights(m, t, 1e-5, 1e-6);
  });
});
