/**
 * The kernel contract: every hot operation bnwasm runs, as plain functions over float32 arrays that
 * live in the one shared WebAssembly.Memory. Two implementations exist: `js/` (the plain TypeScript
 * baseline, which reads the memory through fresh views) and `wasm/` (AssemblyScript SIMD, which gets
 * the byte addresses). Both compute the same math; `test/reference/` is the float64 spec for both.
 *
 * Conventions (shared with assembly/index.ts):
 * - matrices are row-major; `rows x cols` means `cols` floats per row, no padding;
 * - arguments follow the one ABI rule stated in assembly/index.ts: dims, then inputs, then outputs (arrays
 *   updated in place count as outputs), then scalars (hyper-parameters, then flags, GEMM op, activation);
 * - an optional vector (gamma, beta, bias, shift) is passed as `null` (pointer 0 in WASM);
 * - outputs never alias inputs unless the kernel says so;
 * - kernels never allocate and keep no state between calls (scratch lives below the host's heap_base).
 */

import {
  ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH, GEMM_NN, GEMM_NT, GEMM_TN, LOSS_HUBER, LOSS_LOG_COSH, LOSS_MAE,
  UNARY_ELU, UNARY_GELU, UNARY_HARD_SIGMOID, UNARY_LEAKY_RELU, UNARY_SELU, UNARY_SOFTPLUS, UNARY_SOFTSIGN, UNARY_SWISH,
} from './abi.js';
import type { F32 } from '../memory/heap.js';

export type { F32 };
import type { Window2D } from './window2d.js';

/** 'nn': C = A·B (A m×k, B k×n)   'tn': C = Aᵀ·B (A k×m)   'nt': C = A·Bᵀ (B n×k).  C is m×n. */
export type GemmOp = 'nn' | 'tn' | 'nt';
export const GEMM_OP: Record<GemmOp, number> = { nn: GEMM_NN, tn: GEMM_TN, nt: GEMM_NT };

/** Element-wise activations fused into Dense. Backward is written in terms of the output y. */
export type Act = 'linear' | 'relu' | 'sigmoid' | 'tanh';
export const ACT: Record<Act, number> = { linear: ACT_LINEAR, relu: ACT_RELU, sigmoid: ACT_SIGMOID, tanh: ACT_TANH };

/**
 * The activations that are not fused into Dense (assembly/vunary/f32-unary.ts). Their backward
 * needs the input x, not the output. `alpha` is leakyRelu's negative slope and elu's α (ignored by the rest).
 */
export type UnaryOp = 'leakyRelu' | 'elu' | 'selu' | 'gelu' | 'swish' | 'softplus' | 'softsign' | 'hardSigmoid';
export const UNARY_OP: Record<UnaryOp, number> = {
  leakyRelu: UNARY_LEAKY_RELU, elu: UNARY_ELU, selu: UNARY_SELU, gelu: UNARY_GELU, swish: UNARY_SWISH,
  softplus: UNARY_SOFTPLUS, softsign: UNARY_SOFTSIGN, hardSigmoid: UNARY_HARD_SIGMOID,
};

/** The robust regression losses of regressionLoss (assembly/loss/f32-regression.ts). */
export type RegressionLoss = 'meanAbsoluteError' | 'huber' | 'logCosh';
export const REGRESSION_LOSS: Record<RegressionLoss, number> = { meanAbsoluteError: LOSS_MAE, huber: LOSS_HUBER, logCosh: LOSS_LOG_COSH };

/** Keras's clip for probabilities inside cross-entropy (backend.epsilon()). */
export const PROB_EPSILON = 1e-7;
/**
 * The upper clip bound, 1 − 1e-7 as a float32 (1 − 2⁻²³), as Keras and TF.js clip float32 tensors: a saturated
 * wrong prediction costs log(2²³) in binary cross-entropy, not log(1e7). p ≤ PROB_HI ⇔ p < 1 − 1e-7 for a float32 p.
 */
export const PROB_HI = Math.fround(1 - PROB_EPSILON);

export interface Kernels {
  readonly name: 'js' | 'wasm';

  /** C = op(A, B) + (accumulate ? C : 0). */
  gemm(m: number, n: number, k: number, a: F32, b: F32, c: F32, op: GemmOp, accumulate: boolean): void;
  /** Dense forward, fused: Y = act(X·W + bias). X m×k, W k×n, bias n or null, Y m×n. */
  dense(m: number, n: number, k: number, x: F32, w: F32, bias: F32 | null, y: F32, act: Act): void;
  /** Floats packWeights writes for a k×n W in this set's private layout (0: this set reads W as it is). */
  packedWeightsLength(k: number, n: number): number;
  /** Packs W (k×n) once for densePacked, so inference does not repack the same weights for every batch. */
  packWeights(k: number, n: number, w: F32, packed: F32): void;
  /** dense() with W also given as packed by this set's packWeights (W itself may still be read). */
  densePacked(m: number, n: number, k: number, x: F32, w: F32, packed: F32, bias: F32 | null, y: F32, act: Act): void;
  /** out[j] = Σᵢ x[i, j]  (+ out[j] when accumulate). */
  sumRows(rows: number, cols: number, x: F32, out: F32, accumulate: boolean): void;
  /** Per-column mean and biased variance over the rows (two-pass, stable). */
  batchStats(rows: number, cols: number, x: F32, mean: F32, variance: F32): void;

  /**
   * BN training forward: batch statistics, then y = (x − mean)·(gamma·invStd) + beta, invStd = 1/√(var + eps)
   * (centre first, for the same precision reason as scaleShift).
   * Writes mean, variance and invStd (what backward and the moving average need). y may alias x.
   */
  bnormForwardTrain(rows: number, cols: number, x: F32, gamma: F32 | null, beta: F32 | null,
    y: F32, mean: F32, variance: F32, invStd: F32, eps: number): void;
  /** scale = gamma/√(var + eps): inference BN's per-feature scale (then scaleShift centred on the mean). */
  bnormScale(cols: number, variance: F32, gamma: F32 | null, scale: F32, eps: number): void;
  /** bnormScale's scale, and shift = beta − mean·scale: inference BN as one multiply-add per element. */
  bnormFold(cols: number, mean: F32, variance: F32, gamma: F32 | null, beta: F32 | null,
    scale: F32, shift: F32, eps: number): void;
  /**
   * y[i, j] = (x[i, j] − center[j])·scale[j] + shift[j] (center, shift null = 0). y may alias x.
   * Inference BN passes center = moving mean, scale = gamma/√(var + eps), shift = beta: subtracting the
   * mean first keeps precision when |mean| ≫ std, which the folded x·scale + shift would lose.
   */
  scaleShift(rows: number, cols: number, x: F32, center: F32 | null, scale: F32, shift: F32 | null, y: F32): void;
  /**
   * BN training backward through the batch statistics of x:
   * dbeta = Σ dy, dgamma = Σ dy·x̂, dx = gamma·invStd·(dy − dbeta/rows − x̂·dgamma/rows), x̂ = (x − x̄)·invStd.
   * x̄ is x's own column mean: `mean` (its float32 rounding, from the forward) plus Σ(x − mean)/rows, so
   * the rounding of mean, large next to the spread far from zero, does not shift x̂.
   * dgamma, dbeta are overwritten. dx may alias dy.
   */
  bnormBackward(rows: number, cols: number, dy: F32, x: F32, mean: F32, invStd: F32, gamma: F32 | null,
    dx: F32, dgamma: F32, dbeta: F32): void;
  /** moving = moving·momentum + batch·(1 − momentum), for mean and variance. */
  movingAverage(cols: number, mean: F32, variance: F32, movingMean: F32, movingVariance: F32, momentum: number): void;

  /** y = act(x), n elements; y may alias x. */
  activation(n: number, x: F32, y: F32, act: Act): void;
  /** dx = dy · act'(x) written through the output y; dx may alias dy. */
  activationBackward(n: number, y: F32, dy: F32, dx: F32, act: Act): void;
  /** y = op(x), n elements (Keras 3 definitions; ±Inf give the limits). y may alias x. */
  unary(n: number, x: F32, y: F32, alpha: number, op: UnaryOp): void;
  /** dx = dy·op'(x) through the input x; a NaN x gives a NaN dx. dx may alias dy. */
  unaryBackward(n: number, x: F32, dy: F32, dx: F32, alpha: number, op: UnaryOp): void;
  /** Row-wise softmax (max-subtracted). y may alias x. */
  softmax(rows: number, cols: number, x: F32, y: F32): void;
  /** dz = y ⊙ (dy − Σⱼ y·dy) per row. dz may alias dy. */
  softmaxBackward(rows: number, cols: number, y: F32, dy: F32, dz: F32): void;

  /**
   * Softmax + categorical cross-entropy, fused (Keras clipping of p to [1e-7, 1 − 1e-7]).
   * probs = softmax(logits); returns Σ over rows of −Σⱼ t·log(clip(p)); dlogits = (p·S − t·mask)/rows with
   * S = Σⱼ t·mask, mask = [1e-7 < p < 1 − 1e-7]: the exact gradient of the mean loss, clip included.
   */
  softmaxCrossEntropy(rows: number, cols: number, logits: F32, targets: F32, probs: F32, dlogits: F32): number;
  /** Cross-entropy on probabilities (Keras: p / Σp, clip, −Σ t·log p). Returns the sum over rows; dp = ∂(mean)/∂p. */
  crossEntropy(rows: number, cols: number, p: F32, targets: F32, dp: F32): number;
  /** Binary cross-entropy on probabilities (clip to [1e-7, PROB_HI]); returns Σ over rows of the per-row mean; dp = ∂(mean)/∂p. */
  binaryCrossEntropy(rows: number, cols: number, p: F32, targets: F32, dp: F32): number;
  /** Mean squared error; returns Σ over rows of the per-row mean of (p − t)²; dp = ∂(mean over rows)/∂p. */
  meanSquaredError(rows: number, cols: number, p: F32, targets: F32, dp: F32): number;
  /**
   * Keras's mean absolute error, Huber (threshold delta) and log-cosh, each a mean over the last axis of an
   * element loss of e = p − t. Returns Σ over rows of the per-row mean; dp = ∂(mean over rows)/∂p.
   */
  regressionLoss(rows: number, cols: number, p: F32, targets: F32, dp: F32, delta: number, loss: RegressionLoss): number;

  /** Keras SGD: v = momentum·v − lr·g; w += v (nesterov: w += momentum·v − lr·g). v unused when momentum = 0. */
  sgd(n: number, g: F32, w: F32, v: F32 | null, lr: number, momentum: number, nesterov: boolean): void;
  /** TF.js Adam: m, v moments; w −= lr·(m/bc1)/(√(v/bc2) + eps), bc = 1 − βᵗ given by the caller. */
  adam(n: number, g: F32, w: F32, m: F32, v: F32, lr: number, beta1: number, beta2: number, eps: number,
    bc1: number, bc2: number): void;
  /**
   * Adam with Keras's decoupled weight decay (w −= w·lr·decay first) and optional AMSGrad (vhat non-null:
   * vhat = max(vhat, v) replaces v in the step); the step itself is adam()'s. decay 0 and vhat null = adam().
   */
  adamw(n: number, g: F32, w: F32, m: F32, v: F32, vhat: F32 | null, lr: number, beta1: number, beta2: number,
    eps: number, bc1: number, bc2: number, decay: number): void;
  /**
   * RMSprop (Keras 3 = TF.js): ms = ρ·ms + (1 − ρ)·g²; centered (mg non-null): mg = ρ·mg + (1 − ρ)·g and
   * den = ms − mg² + eps, else ms + eps; inc = lr·g/√den; momentum (mom non-null): mom = momentum·mom + inc,
   * w −= mom; else w −= inc.
   */
  rmsprop(n: number, g: F32, w: F32, ms: F32, mg: F32 | null, mom: F32 | null, lr: number, rho: number,
    momentum: number, eps: number): void;
  /** Adagrad (Keras 3 = TF.js): acc += g²; w −= lr·g/√(acc + eps). */
  adagrad(n: number, g: F32, w: F32, acc: F32, lr: number, eps: number): void;

  /** Keras's weight penalty: returns l1·Σ|w| + l2·Σw² and adds its gradient l1·sign(w) + 2·l2·w into g. */
  regularize(n: number, w: F32, g: F32, l1: number, l2: number): number;
  /** Whether every one of the n floats of x is finite (no NaN, no ±Infinity). */
  allFinite(n: number, x: F32): boolean;

  /** y = x ⊙ mask (dropout, with the 1/(1 − rate) already in the mask). y may alias x. */
  multiply(n: number, x: F32, mask: F32, y: F32): void;
  /** y[o, j, i] = x[o, i, j] for x of shape [outer, a, b] (moves an axis to the end and back). */
  transpose(outer: number, a: number, b: number, x: F32, y: F32): void;

  /**
   * Batch Renormalization's per-feature correction (Keras 3): σ = √(variance + eps), ρ = max(renormStddev, √eps),
   * r = clip(σ/ρ, rmin, rmax), d = clip((mean − renormMean)/ρ, −dmax, dmax), scale = gamma·r,
   * shift = gamma·d + beta: the training output is x̂·scale + shift. No clipping: rmin 0, rmax/dmax +Infinity.
   */
  renormCorrection(cols: number, mean: F32, variance: F32, renormMean: F32, renormStddev: F32, gamma: F32 | null,
    beta: F32 | null, r: F32, d: F32, scale: F32, shift: F32, eps: number, rmin: number, rmax: number, dmax: number): void;
  /** dgamma ← r·dgamma + d·dbeta: renorm's gamma gradient from bnormBackward's Σdy·x̂ and Σdy (r, d constants). */
  renormGammaGrad(cols: number, r: F32, d: F32, dbeta: F32, dgamma: F32): void;
  /**
   * Renorm's statistics after a batch, in place: renormMean/renormStddev move by 1 − renormMomentum towards the
   * batch mean and √(variance + eps), movingMean/movingStddev by 1 − momentum, movingVariance = max(movingStddev² − eps, 0).
   */
  renormUpdate(cols: number, mean: F32, variance: F32, movingMean: F32, movingStddev: F32, movingVariance: F32,
    renormMean: F32, renormStddev: F32, eps: number, momentum: number, renormMomentum: number): void;
  /**
   * Rows (`width` floats each) regrouped by index modulo `groups`: group 0's rows (0, groups, 2·groups, …) first,
   * then group 1's, …; `inverse` puts them back. Ghost BN's virtual batches. y must not alias x.
   */
  groupRows(rows: number, groups: number, width: number, x: F32, y: F32, inverse: boolean): void;
  /**
   * Convolution as one GEMM (backend/conv2d.ts): the image patches under the window as the rows of
   * col [batch·outH·outW, kH·kW·channels] (0 in the padding), and the adjoint col2im, which overwrites dx
   * with the sum of every col element at the pixel it came from. NHWC; geometry in window2d.ts.
   */
  im2col(g: Window2D, x: F32, col: F32): void;
  col2im(g: Window2D, col: F32, dx: F32): void;
  /**
   * Direct convolution with the fused epilogue: y = act(conv(x, w) + bias) without im2col (for few input
   * channels; backend/conv2d.ts chooses). w [kH, kW, channels, outC], y [batch, outH, outW, outC].
   */
  conv2dDirect(g: Window2D, outC: number, x: F32, w: F32, bias: F32 | null, y: F32, act: Act): void;
  /** Max pooling (first maximum in window order; a NaN in the window wins) over the in-image positions. */
  maxPool(g: Window2D, x: F32, y: F32): void;
  /** dx = 0, then each dy goes to the position maxPool took (found again from x). */
  maxPoolBackward(g: Window2D, x: F32, dy: F32, dx: F32): void;
  /** Average pooling over the in-image positions of each window (padding left out of the count, as TF). */
  avgPool(g: Window2D, x: F32, y: F32): void;
  /** dx = 0, then dy / count added to every in-image position of its window. */
  avgPoolBackward(g: Window2D, dy: F32, dx: F32): void;
  /**
   * Keras 3's ReLU(maxValue, negativeSlope, threshold) (the ReLU and ThresholdedReLU layers):
   * y = x > threshold ? min(x, maxValue) : negativeSlope·(x − threshold); maxValue Infinity: no cap.
   * A NaN x gives NaN. y may alias x.
   */
  relu(n: number, x: F32, y: F32, maxValue: number, negativeSlope: number, threshold: number): void;
  /** dx = dy·f'(x), f' = x > threshold ? (x <= maxValue ? 1 : 0) : negativeSlope; a NaN x gives a NaN dx. dx may alias dy. */
  reluBackward(n: number, x: F32, dy: F32, dx: F32, maxValue: number, negativeSlope: number, threshold: number): void;
  /** PReLU with one slope per column: y = x > 0 ? x : alpha[j]·x over rows × cols; a NaN x gives NaN. y may alias x. */
  prelu(rows: number, cols: number, x: F32, alpha: F32, y: F32): void;
  /**
   * dx = dy·(x > 0 ? 1 : alpha[j]); dalpha[j] = Σ over rows of dy·(x > 0 ? 0 : x), overwritten. dx may alias dy;
   * a NaN x gives a NaN dx (and dalpha in its column).
   */
  preluBackward(rows: number, cols: number, x: F32, alpha: F32, dy: F32, dx: F32, dalpha: F32): void;
}
