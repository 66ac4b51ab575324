import { GEMM_NN } from '../abi.js';
import { ACT, GEMM_OP, REGRESSION_LOSS, UNARY_OP, type F32, type Kernels } from '../kernels.js';
import { windowArgs } from '../window2d.js';
import type { GemmPart, ThreadPool } from '../threads/pool.js';
import { byColumns, byElements, byRows } from '../threads/jobs.js';

/** The WASM module's exports (assembly/index.ts). Pointers are byte addresses; 0 = absent. */
export interface KernelExports {
  heap_base(): number;
  scratch_bytes(): number;
  set_scratch(at: number): void;
  f32_gemm_part: GemmPart;
  f32_gemm(m: number, n: number, k: number, a: number, b: number, c: number, op: number, acc: number): void;
  f32_dense(m: number, n: number, k: number, x: number, w: number, bias: number, y: number, act: number): void;
  f32_packed_b_length(k: number, n: number): number;
  f32_pack_b(k: number, n: number, w: number, packed: number): void;
  f32_dense_packed(m: number, n: number, k: number, x: number, w: number, packed: number, bias: number, y: number, act: number): void;
  f32_sum_rows(rows: number, cols: number, x: number, out: number, acc: number): void;
  f32_batch_stats(rows: number, cols: number, x: number, mean: number, variance: number): void;
  /** The *_part exports compute columns [j0, j1) only: a thread's share of the whole call. */
  f32_batch_stats_part(rows: number, cols: number, j0: number, j1: number, x: number, mean: number, variance: number): void;
  f32_bnorm_fwd_train_part(rows: number, cols: number, j0: number, j1: number, x: number, gamma: number, beta: number,
    y: number, mean: number, variance: number, invStd: number, eps: number): void;
  f32_bnorm_bwd_part(rows: number, cols: number, j0: number, j1: number, dy: number, x: number, mean: number, invStd: number,
    gamma: number, dx: number, dgamma: number, dbeta: number): void;
  f32_bnorm_fwd_train(rows: number, cols: number, x: number, gamma: number, beta: number,
    y: number, mean: number, variance: number, invStd: number, eps: number): void;
  f32_bnorm_scale(cols: number, variance: number, gamma: number, scale: number, eps: number): void;
  f32_bnorm_fold(cols: number, mean: number, variance: number, gamma: number, beta: number,
    scale: number, shift: number, eps: number): void;
  f32_scale_shift(rows: number, cols: number, x: number, center: number, scale: number, shift: number, y: number): void;
  f32_bnorm_bwd(rows: number, cols: number, dy: number, x: number, mean: number, invStd: number, gamma: number,
    dx: number, dgamma: number, dbeta: number): void;
  f32_moving_average(cols: number, mean: number, variance: number, mm: number, mv: number, momentum: number): void;
  f32_act(n: number, x: number, y: number, act: number): void;
  f32_act_bwd(n: number, y: number, dy: number, dx: number, act: number): void;
  f32_softmax(rows: number, cols: number, x: number, y: number): void;
  f32_softmax_bwd(rows: number, cols: number, y: number, dy: number, dz: number): void;
  f32_softmax_xent(rows: number, cols: number, logits: number, t: number, probs: number, dlogits: number): number;
  f32_xent(rows: number, cols: number, p: number, t: number, dp: number): number;
  f32_bce(rows: number, cols: number, p: number, t: number, dp: number): number;
  f32_mse(rows: number, cols: number, p: number, t: number, dp: number): number;
  f32_sgd(n: number, g: number, w: number, v: number, lr: number, momentum: number, nesterov: number): void;
  f32_adam(n: number, g: number, w: number, m: number, v: number, lr: number, beta1: number, beta2: number,
    eps: number, bc1: number, bc2: number): void;
  f32_regression_loss(rows: number, cols: number, p: number, t: number, dp: number, delta: number, kind: number): number;
  f32_regularize(n: number, w: number, g: number, l1: number, l2: number): number;
  f32_all_finite(n: number, x: number): number;
  f32_unary(n: number, x: number, y: number, alpha: number, op: number): void;
  f32_unary_bwd(n: number, x: number, dy: number, dx: number, alpha: number, op: number): void;
  f32_adamw(n: number, g: number, w: number, m: number, v: number, vhat: number, lr: number, beta1: number,
    beta2: number, eps: number, bc1: number, bc2: number, decay: number): void;
  f32_rmsprop(n: number, g: number, w: number, ms: number, mg: number, mom: number, lr: number, rho: number,
    momentum: number, eps: number): void;
  f32_adagrad(n: number, g: number, w: number, acc: number, lr: number, eps: number): void;
  f32_multiply(n: number, x: number, mask: number, y: number): void;
  f32_transpose(outer: number, a: number, b: number, x: number, y: number): void;
  f32_renorm_correction(cols: number, mean: number, variance: number, renormMean: number, renormStddev: number, gamma: number,
    beta: number, r: number, d: number, scale: number, shift: number, eps: number, rmin: number, rmax: number, dmax: number): void;
  f32_renorm_gamma_grad(cols: number, r: number, d: number, dbeta: number, dgamma: number): void;
  f32_renorm_update(cols: number, mean: number, variance: number, mm: number, ms: number, mv: number, rm: number, rs: number,
    eps: number, momentum: number, renormMomentum: number): void;
  f32_group_rows(rows: number, groups: number, width: number, x: number, y: number, inverse: number): void;
  f32_im2col(...args: [...WindowArgs, number, number]): void;
  f32_col2im(...args: [...WindowArgs, number, number]): void;
  f32_conv2d(...args: [...WindowArgs, number, number, number, number, number, number]): void;
  f32_max_pool(...args: [...WindowArgs, number, number]): void;
  f32_max_pool_bwd(...args: [...WindowArgs, number, number, number]): void;
  f32_avg_pool(...args: [...WindowArgs, number, number]): void;
  f32_avg_pool_bwd(...args: [...WindowArgs, number, number]): void;
  f32_relu(n: number, x: number, y: number, maxValue: number, slope: number, threshold: number): void;
  f32_relu_bwd(n: number, x: number, dy: number, dx: number, maxValue: number, slope: number, threshold: number): void;
  f32_prelu(rows: number, cols: number, x: number, alpha: number, y: number): void;
  f32_prelu_bwd(rows: number, cols: number, x: number, alpha: number, dy: number, dx: number, dalpha: number): void;
}

/** The 12 window dimensions every convolution and pooling export takes first (window2d.ts). */
type WindowArgs = ReturnType<typeof windowArgs>;

const p = (h: F32 | null) => (h ? h.ptr : 0);

/** Parameter counts of the exports: a drifted ABI fails at load time, not as silently wrong numbers. */
const ARITY: Record<Exclude<keyof KernelExports, 'heap_base' | 'scratch_bytes'>, number> = {
  set_scratch: 1, f32_gemm_part: 15, f32_gemm: 8, f32_packed_b_length: 2, f32_pack_b: 4, f32_dense_packed: 9, f32_dense: 8, f32_sum_rows: 5, f32_batch_stats: 5, f32_bnorm_fwd_train: 10,
  f32_batch_stats_part: 7, f32_bnorm_fwd_train_part: 12, f32_bnorm_bwd_part: 12,
  f32_bnorm_scale: 5, f32_bnorm_fold: 8, f32_scale_shift: 7, f32_bnorm_bwd: 10, f32_moving_average: 6, f32_act: 4, f32_act_bwd: 5, f32_softmax: 4,
  f32_softmax_bwd: 5, f32_softmax_xent: 6, f32_xent: 5, f32_bce: 5, f32_mse: 5, f32_sgd: 7, f32_adam: 11,
  f32_multiply: 4, f32_transpose: 5,
  f32_renorm_correction: 15, f32_renorm_gamma_grad: 5, f32_renorm_update: 11, f32_group_rows: 6,
  f32_regression_loss: 7, f32_regularize: 5, f32_all_finite: 2, f32_unary: 5, f32_unary_bwd: 6, f32_adamw: 13, f32_rmsprop: 10, f32_adagrad: 6,
  f32_im2col: 14, f32_col2im: 14, f32_conv2d: 18, f32_max_pool: 14, f32_max_pool_bwd: 15, f32_avg_pool: 14, f32_avg_pool_bwd: 14,
  f32_relu: 6, f32_relu_bwd: 7, f32_prelu: 5, f32_prelu_bwd: 7,
};

/** Where large GEMMs may go: the thread pool and which of its builds this instance is. */
export interface Threads {
  pool: ThreadPool;
  build: number;
}

/**
 * An adapter with no logic: handles become pointers, names become codes; a GEMM or a large element-wise
 * or row-wise kernel goes to the thread pool when it takes it (large enough, threads running), else runs here.
 */
export function wasmKernels(x: KernelExports, threads?: Threads): Kernels {
  for (const [name, arity] of Object.entries(ARITY)) {
    const fn = (x as unknown as Record<string, unknown>)[name];
    if (typeof fn !== 'function' || fn.length !== arity) {
      throw new Error(`bnwasm: the WASM module's ${name} takes ${typeof fn === 'function' ? fn.length : 'no'} arguments, the adapter passes ${arity}; rebuild with npm run build`);
    }
  }
  return {
    name: 'wasm',
    gemm: (m, n, k, a, b, c, op, acc) => {
      if (!threads?.pool.gemm(threads.build, x.f32_gemm_part, GEMM_OP[op], m, n, k, a.ptr, b.ptr, c.ptr, acc ? 1 : 0, 0, 0, 0)) {
        x.f32_gemm(m, n, k, a.ptr, b.ptr, c.ptr, GEMM_OP[op], acc ? 1 : 0);
      }
    },
    dense: (m, n, k, xs, w, bias, y, act) => {
      if (!threads?.pool.gemm(threads.build, x.f32_gemm_part, GEMM_NN, m, n, k, xs.ptr, w.ptr, y.ptr, 0, p(bias), ACT[act], 0)) {
        x.f32_dense(m, n, k, xs.ptr, w.ptr, p(bias), y.ptr, ACT[act]);
      }
    },
    packedWeightsLength: (k, n) => x.f32_packed_b_length(k, n),
    packWeights: (k, n, w, packed) => x.f32_pack_b(k, n, w.ptr, packed.ptr),
    densePacked: (m, n, k, xs, w, packed, bias, y, act) => {
      if (!threads?.pool.gemm(threads.build, x.f32_gemm_part, GEMM_NN, m, n, k, xs.ptr, w.ptr, y.ptr, 0, p(bias), ACT[act], packed.ptr)) {
        x.f32_dense_packed(m, n, k, xs.ptr, w.ptr, packed.ptr, p(bias), y.ptr, ACT[act]);
      }
    },
    sumRows: (rows, cols, xs, out, acc) => x.f32_sum_rows(rows, cols, xs.ptr, out.ptr, acc ? 1 : 0),
    batchStats: (rows, cols, xs, mean, variance) => {
      if (!byColumns(threads, 'f32_batch_stats_part', x.f32_batch_stats_part, [rows, cols, 0, cols, xs.ptr, mean.ptr, variance.ptr], rows)) {
        x.f32_batch_stats(rows, cols, xs.ptr, mean.ptr, variance.ptr);
      }
    },
    bnormForwardTrain: (rows, cols, xs, gamma, beta, y, mean, variance, invStd, eps) => {
      const args = [rows, cols, 0, cols, xs.ptr, p(gamma), p(beta), y.ptr, mean.ptr, variance.ptr, invStd.ptr, eps];
      if (!byColumns(threads, 'f32_bnorm_fwd_train_part', x.f32_bnorm_fwd_train_part, args, rows)) {
        x.f32_bnorm_fwd_train(rows, cols, xs.ptr, p(gamma), p(beta), y.ptr, mean.ptr, variance.ptr, invStd.ptr, eps);
      }
    },
    bnormScale: (cols, variance, gamma, scale, eps) => x.f32_bnorm_scale(cols, variance.ptr, p(gamma), scale.ptr, eps),
    bnormFold: (cols, mean, variance, gamma, beta, scale, shift, eps) =>
      x.f32_bnorm_fold(cols, mean.ptr, variance.ptr, p(gamma), p(beta), scale.ptr, shift.ptr, eps),
    scaleShift: (rows, cols, xs, center, scale, shift, y) => {
      const args = [rows, cols, xs.ptr, p(center), scale.ptr, p(shift), y.ptr];
      if (!byRows(threads, 'f32_scale_shift', x.f32_scale_shift, args, 0, [2, 6], cols)) x.f32_scale_shift(rows, cols, xs.ptr, p(center), scale.ptr, p(shift), y.ptr);
    },
    bnormBackward: (rows, cols, dy, xs, mean, invStd, gamma, dx, dgamma, dbeta) => {
      const args = [rows, cols, 0, cols, dy.ptr, xs.ptr, mean.ptr, invStd.ptr, p(gamma), dx.ptr, dgamma.ptr, dbeta.ptr];
      if (!byColumns(threads, 'f32_bnorm_bwd_part', x.f32_bnorm_bwd_part, args, rows)) {
        x.f32_bnorm_bwd(rows, cols, dy.ptr, xs.ptr, mean.ptr, invStd.ptr, p(gamma), dx.ptr, dgamma.ptr, dbeta.ptr);
      }
    },
    movingAverage: (cols, mean, variance, mm, mv, momentum) =>
      x.f32_moving_average(cols, mean.ptr, variance.ptr, mm.ptr, mv.ptr, momentum),
    activation: (n, xs, y, act) => {
      if (!byElements(threads, 'f32_act', x.f32_act, [n, xs.ptr, y.ptr, ACT[act]], 0, [1, 2])) x.f32_act(n, xs.ptr, y.ptr, ACT[act]);
    },
    activationBackward: (n, y, dy, dx, act) => {
      if (!byElements(threads, 'f32_act_bwd', x.f32_act_bwd, [n, y.ptr, dy.ptr, dx.ptr, ACT[act]], 0, [1, 2, 3])) x.f32_act_bwd(n, y.ptr, dy.ptr, dx.ptr, ACT[act]);
    },
    softmax: (rows, cols, xs, y) => {
      if (!byRows(threads, 'f32_softmax', x.f32_softmax, [rows, cols, xs.ptr, y.ptr], 0, [2, 3], cols)) x.f32_softmax(rows, cols, xs.ptr, y.ptr);
    },
    softmaxBackward: (rows, cols, y, dy, dz) => {
      if (!byRows(threads, 'f32_softmax_bwd', x.f32_softmax_bwd, [rows, cols, y.ptr, dy.ptr, dz.ptr], 0, [2, 3, 4], cols)) x.f32_softmax_bwd(rows, cols, y.ptr, dy.ptr, dz.ptr);
    },
    softmaxCrossEntropy: (rows, cols, logits, t, probs, dl) =>
      x.f32_softmax_xent(rows, cols, logits.ptr, t.ptr, probs.ptr, dl.ptr),
    crossEntropy: (rows, cols, pr, t, dp) => x.f32_xent(rows, cols, pr.ptr, t.ptr, dp.ptr),
    binaryCrossEntropy: (rows, cols, pr, t, dp) => x.f32_bce(rows, cols, pr.ptr, t.ptr, dp.ptr),
    meanSquaredError: (rows, cols, pr, t, dp) => x.f32_mse(rows, cols, pr.ptr, t.ptr, dp.ptr),
    sgd: (n, g, w, v, lr, momentum, nesterov) => {
      const args = [n, g.ptr, w.ptr, p(v), lr, momentum, nesterov ? 1 : 0];
      if (!byElements(threads, 'f32_sgd', x.f32_sgd, args, 0, [1, 2, 3])) x.f32_sgd(n, g.ptr, w.ptr, p(v), lr, momentum, nesterov ? 1 : 0);
    },
    adam: (n, g, w, m, v, lr, b1, b2, eps, bc1, bc2) => {
      const args = [n, g.ptr, w.ptr, m.ptr, v.ptr, lr, b1, b2, eps, bc1, bc2];
      if (!byElements(threads, 'f32_adam', x.f32_adam, args, 0, [1, 2, 3, 4])) x.f32_adam(n, g.ptr, w.ptr, m.ptr, v.ptr, lr, b1, b2, eps, bc1, bc2);
    },
    multiply: (n, xs, mask, y) => {
      if (!byElements(threads, 'f32_multiply', x.f32_multiply, [n, xs.ptr, mask.ptr, y.ptr], 0, [1, 2, 3])) x.f32_multiply(n, xs.ptr, mask.ptr, y.ptr);
    },
    regressionLoss: (rows, cols, pr, t, dp, delta, loss) =>
      x.f32_regression_loss(rows, cols, pr.ptr, t.ptr, dp.ptr, delta, REGRESSION_LOSS[loss]),
    regularize: (n, w, g, l1, l2) => x.f32_regularize(n, w.ptr, g.ptr, l1, l2),
    allFinite: (n, xs) => x.f32_all_finite(n, xs.ptr) === 1,
    unary: (n, xs, y, alpha, op) => x.f32_unary(n, xs.ptr, y.ptr, alpha, UNARY_OP[op]),
    unaryBackward: (n, xs, dy, dx, alpha, op) => x.f32_unary_bwd(n, xs.ptr, dy.ptr, dx.ptr, alpha, UNARY_OP[op]),
    adamw: (n, g, w, m, v, vhat, lr, b1, b2, eps, bc1, bc2, decay) =>
      x.f32_adamw(n, g.ptr, w.ptr, m.ptr, v.ptr, p(vhat), lr, b1, b2, eps, bc1, bc2, decay),
    rmsprop: (n, g, w, ms, mg, mom, lr, rho, momentum, eps) =>
      x.f32_rmsprop(n, g.ptr, w.ptr, ms.ptr, p(mg), p(mom), lr, rho, momentum, eps),
    adagrad: (n, g, w, acc, lr, eps) => x.f32_adagrad(n, g.ptr, w.ptr, acc.ptr, lr, eps),
    transpose: (outer, a, b, xs, y) => x.f32_transpose(outer, a, b, xs.ptr, y.ptr),
    renormCorrection: (cols, mean, variance, rm, rs, gamma, beta, r, d, scale, shift, eps, rmin, rmax, dmax) =>
      x.f32_renorm_correction(cols, mean.ptr, variance.ptr, rm.ptr, rs.ptr, p(gamma), p(beta), r.ptr, d.ptr, scale.ptr, shift.ptr, eps, rmin, rmax, dmax),
    renormGammaGrad: (cols, r, d, dbeta, dgamma) => x.f32_renorm_gamma_grad(cols, r.ptr, d.ptr, dbeta.ptr, dgamma.ptr),
    renormUpdate: (cols, mean, variance, mm, ms, mv, rm, rs, eps, momentum, renormMomentum) =>
      x.f32_renorm_update(cols, mean.ptr, variance.ptr, mm.ptr, ms.ptr, mv.ptr, rm.ptr, rs.ptr, eps, momentum, renormMomentum),
    groupRows: (rows, groups, width, xs, y, inverse) => x.f32_group_rows(rows, groups, width, xs.ptr, y.ptr, inverse ? 1 : 0),
    im2col: (g, xs, col) => x.f32_im2col(...windowArgs(g), xs.ptr, col.ptr),
    col2im: (g, col, dx) => x.f32_col2im(...windowArgs(g), col.ptr, dx.ptr),
    conv2dDirect: (g, outC, xs, w, bias, y, act) => x.f32_conv2d(...windowArgs(g), outC, xs.ptr, w.ptr, p(bias), y.ptr, ACT[act]),
    maxPool: (g, xs, y) => x.f32_max_pool(...windowArgs(g), xs.ptr, y.ptr),
    maxPoolBackward: (g, xs, dy, dx) => x.f32_max_pool_bwd(...windowArgs(g), xs.ptr, dy.ptr, dx.ptr),
    avgPool: (g, xs, y) => x.f32_avg_pool(...windowArgs(g), xs.ptr, y.ptr),
    avgPoolBackward: (g, dy, dx) => x.f32_avg_pool_bwd(...windowArgs(g), dy.ptr, dx.ptr),
    relu: (n, xs, y, max, slope, threshold) => x.f32_relu(n, xs.ptr, y.ptr, max, slope, threshold),
    reluBackward: (n, xs, dy, dx, max, slope, threshold) => x.f32_relu_bwd(n, xs.ptr, dy.ptr, dx.ptr, max, slope, threshold),
    prelu: (rows, cols, xs, alpha, y) => x.f32_prelu(rows, cols, xs.ptr, alpha.ptr, y.ptr),
    preluBackward: (rows, cols, xs, alpha, dy, dx, dalpha) => x.f32_prelu_bwd(rows, cols, xs.ptr, alpha.ptr, dy.ptr, dx.ptr, dalpha.ptr),
  };
}
