import type { Kernels } from '../kernels.js';
import { activation, activationBackward } from './activation.js';
import { batchStats, sumRows } from './batch-stats.js';
import { avgPool, avgPoolBackward, col2im, conv2dDirect, im2col, maxPool, maxPoolBackward } from './conv.js';
import { bnormBackward, bnormFold, bnormForwardTrain, bnormScale, scaleShift } from './bnorm.js';
import { movingAverage } from './moving-average.js';
import { multiply, transpose } from './elementwise.js';
import { dense, gemm } from './gemm.js';
import { binaryCrossEntropy, crossEntropy, meanSquaredError } from './losses.js';
import { adam, sgd } from './optimizers.js';
import { adagrad } from './adagrad.js';
import { adamw } from './adamw.js';
import { rmsprop } from './rmsprop.js';
import { regressionLoss } from './regression-losses.js';
import { regularize } from './regularize.js';
import { allFinite } from './all-finite.js';
import { unary, unaryBackward } from './unary.js';
import { relu, reluBackward } from './relu.js';
import { prelu, preluBackward } from './prelu.js';
import { softmax, softmaxBackward, softmaxCrossEntropy } from './softmax.js';
import { renormCorrection, renormGammaGrad, renormUpdate } from './bnorm-renorm.js';
import { groupRows } from './group-rows.js';
import type { View } from './view.js';

/** The plain TypeScript kernels: the benchmark baseline, reading the shared memory through fresh views. */
export function jsKernels(v: View): Kernels {
  return {
    name: 'js',
    gemm: (...a) => gemm(v, ...a),
    dense: (...a) => dense(v, ...a),
    // the JS GEMM reads W in place: nothing to pack
    packedWeightsLength: () => 0,
    packWeights: () => undefined,
    densePacked: (m, n, k, x, w, _packed, bias, y, act) => dense(v, m, n, k, x, w, bias, y, act),
    sumRows: (...a) => sumRows(v, ...a),
    batchStats: (...a) => batchStats(v, ...a),
    bnormForwardTrain: (...a) => bnormForwardTrain(v, ...a),
    bnormScale: (...a) => bnormScale(v, ...a),
    bnormFold: (...a) => bnormFold(v, ...a),
    scaleShift: (...a) => scaleShift(v, ...a),
    bnormBackward: (...a) => bnormBackward(v, ...a),
    movingAverage: (...a) => movingAverage(v, ...a),
    activation: (...a) => activation(v, ...a),
    activationBackward: (...a) => activationBackward(v, ...a),
    softmax: (...a) => softmax(v, ...a),
    softmaxBackward: (...a) => softmaxBackward(v, ...a),
    softmaxCrossEntropy: (...a) => softmaxCrossEntropy(v, ...a),
    crossEntropy: (...a) => crossEntropy(v, ...a),
    binaryCrossEntropy: (...a) => binaryCrossEntropy(v, ...a),
    meanSquaredError: (...a) => meanSquaredError(v, ...a),
    sgd: (...a) => sgd(v, ...a),
    adam: (...a) => adam(v, ...a),
    regressionLoss: (...a) => regressionLoss(v, ...a),
    regularize: (...a) => regularize(v, ...a),
    allFinite: (...a) => allFinite(v, ...a),
    unary: (...a) => unary(v, ...a),
    unaryBackward: (...a) => unaryBackward(v, ...a),
    adamw: (...a) => adamw(v, ...a),
    rmsprop: (...a) => rmsprop(v, ...a),
    adagrad: (...a) => adagrad(v, ...a),
    multiply: (...a) => multiply(v, ...a),
    transpose: (...a) => transpose(v, ...a),
    renormCorrection: (...a) => renormCorrection(v, ...a),
    renormGammaGrad: (...a) => renormGammaGrad(v, ...a),
    renormUpdate: (...a) => renormUpdate(v, ...a),
    groupRows: (...a) => groupRows(v, ...a),
    im2col: (...a) => im2col(v, ...a),
    col2im: (...a) => col2im(v, ...a),
    conv2dDirect: (...a) => conv2dDirect(v, ...a),
    maxPool: (...a) => maxPool(v, ...a),
    maxPoolBackward: (...a) => maxPoolBackward(v, ...a),
    avgPool: (...a) => avgPool(v, ...a),
    avgPoolBackward: (...a) => avgPoolBackward(v, ...a),
    relu: (...a) => relu(v, ...a),
    reluBackward: (...a) => reluBackward(v, ...a),
    prelu: (...a) => prelu(v, ...a),
    preluBackward: (...a) => preluBackward(v, ...a),
  };
}
