import { GEMM_NN } from '../abi.js';
import { ACT, GEMM_OP, type F32, type Kernels } from '../kernels.js';
import { windowArgs } from '../window2d.js';
import type { GemmPart, ThreadPool } from '../threads/pool.js';

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
  f32_multiply(n: number, x: number, mask: number, y: number): void;
  f32_transpose(outer: number, a: number, b: number, x: number, y: number): void;
  f32_im2col(...args: [...WindowArgs, number, number]): void;
  f32_col2im(...args: [...WindowArgs, number, number]): void;
  f32_conv2d(...args: [...WindowArgs, number, number, number, number, number, number]): void;
  f32_max_pool(...args: [...WindowArgs, number, number]): void;
  f32_max_pool_bwd(...args: [...WindowArgs, number, number, number]): void;
  f32_avg_pool(...args: [...WindowArgs, number, number]): void;
  f32_avg_pool_bwd(...args: [...WindowArgs, number, number]): void;
}

/** The 12 window dimensions every convolution and pooling export takes first (window2d.ts). */
type WindowArgs = ReturnType<typeof windowArgs>;

const p = (h: F32 | null) => (h ? h.ptr : 0);

/** Parameter counts of the exports: a drifted ABI fails at load time, not as silently wrong numbers. */
const ARITY: Record<Exclude<keyof KernelExports, 'heap_base' | 'scratch_bytes'>, number> = {
  set_scratch: 1, f32_gemm_part: 15, f32_gemm: 8, f32_packed_b_length: 2, f32_pack_b: 4, f32_dense_packed: 9, f32_dense: 8, f32_sum_rows: 5, f32_batch_stats: 5, f32_bnorm_fwd_train: 10,
  f32_bnorm_scale: 5, f32_bnorm_fold: 8, f32_scale_shift: 7, f32_bnorm_bwd: 10, f32_moving_average: 6, f32_act: 4, f32_act_bwd: 5, f32_softmax: 4,
  f32_softmax_bwd: 5, f32_softmax_xent: 6, f32_xent: 5, f32_bce: 5, f32_mse: 5, f32_sgd: 7, f32_adam: 11,
  f32_multiply: 4, f32_transpose: 5,
  f32_im2col: 14, f32_col2im: 14, f32_conv2d: 18, f32_max_pool: 14, f32_max_pool_bwd: 15, f32_avg_pool: 14, f32_avg_pool_bwd: 14,
};

/** Where large GEMMs may go: the thread pool and which of its builds this instance is. */
export interface Threads {
  pool: ThreadPool;
  build: number;
}

/**
 * An adapter with no logic: handles become pointers, names become codes; a GEMM goes to the thread
 * pool when it takes it (large enough, threads running), else runs here.
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
    batchStats: (rows, cols, xs, mean, variance) => x.f32_batch_stats(rows, cols, xs.ptr, mean.ptr, variance.ptr),
    bnormForwardTrain: (rows, cols, xs, gamma, beta, y, mean, variance, invStd, eps) =>
      x.f32_bnorm_fwd_train(rows, cols, xs.ptr, p(gamma), p(beta), y.ptr, mean.ptr, variance.ptr, invStd.ptr, eps),
    bnormScale: (cols, variance, gamma, scale, eps) => x.f32_bnorm_scale(cols, variance.ptr, p(gamma), scale.ptr, eps),
    bnormFold: (cols, mean, variance, gamma, beta, scale, shift, eps) =>
      x.f32_bnorm_fold(cols, mean.ptr, variance.ptr, p(gamma), p(beta), scale.ptr, shift.ptr, eps),
    scaleShift: (rows, cols, xs, center, scale, shift, y) =>
      x.f32_scale_shift(rows, cols, xs.ptr, p(center), scale.ptr, p(shift), y.ptr),
    bnormBackward: (rows, cols, dy, xs, mean, invStd, gamma, dx, dgamma, dbeta) =>
      x.f32_bnorm_bwd(rows, cols, dy.ptr, xs.ptr, mean.ptr, invStd.ptr, p(gamma), dx.ptr, dgamma.ptr, dbeta.ptr),
    movingAverage: (cols, mean, variance, mm, mv, momentum) =>
      x.f32_moving_average(cols, mean.ptr, variance.ptr, mm.ptr, mv.ptr, momentum),
    activation: (n, xs, y, act) => x.f32_act(n, xs.ptr, y.ptr, ACT[act]),
    activationBackward: (n, y, dy, dx, act) => x.f32_act_bwd(n, y.ptr, dy.ptr, dx.ptr, ACT[act]),
    softmax: (rows, cols, xs, y) => x.f32_softmax(rows, cols, xs.ptr, y.ptr),
    softmaxBackward: (rows, cols, y, dy, dz) => x.f32_softmax_bwd(rows, cols, y.ptr, dy.ptr, dz.ptr),
    softmaxCrossEntropy: (rows, cols, logits, t, probs, dl) =>
      x.f32_softmax_xent(rows, cols, logits.ptr, t.ptr, probs.ptr, dl.ptr),
    crossEntropy: (rows, cols, pr, t, dp) => x.f32_xent(rows, cols, pr.ptr, t.ptr, dp.ptr),
    binaryCrossEntropy: (rows, cols, pr, t, dp) => x.f32_bce(rows, cols, pr.ptr, t.ptr, dp.ptr),
    meanSquaredError: (rows, cols, pr, t, dp) => x.f32_mse(rows, cols, pr.ptr, t.ptr, dp.ptr),
    sgd: (n, g, w, v, lr, momentum, nesterov) => x.f32_sgd(n, g.ptr, w.ptr, p(v), lr, momentum, nesterov ? 1 : 0),
    adam: (n, g, w, m, v, lr, b1, b2, eps, bc1, bc2) => x.f32_adam(n, g.ptr, w.ptr, m.ptr, v.ptr, lr, b1, b2, eps, bc1, bc2),
    multiply: (n, xs, mask, y) => x.f32_multiply(n, xs.ptr, mask.ptr, y.ptr),
    transpose: (outer, a, b, xs, y) => x.f32_transpose(outer, a, b, xs.ptr, y.ptr),
    im2col: (g, xs, col) => x.f32_im2col(...windowArgs(g), xs.ptr, col.ptr),
    col2im: (g, col, dx) => x.f32_col2im(...windowArgs(g), col.ptr, dx.ptr),
    conv2dDirect: (g, outC, xs, w, bias, y, act) => x.f32_conv2d(...windowArgs(g), outC, xs.ptr, w.ptr, p(bias), y.ptr, ACT[act]),
    maxPool: (g, xs, y) => x.f32_max_pool(...windowArgs(g), xs.ptr, y.ptr),
    maxPoolBackward: (g, xs, dy, dx) => x.f32_max_pool_bwd(...windowArgs(g), xs.ptr, dy.ptr, dx.ptr),
    avgPool: (g, xs, y) => x.f32_avg_pool(...windowArgs(g), xs.ptr, y.ptr),
    avgPoolBackward: (g, dy, dx) => x.f32_avg_pool_bwd(...windowArgs(g), dy.ptr, dx.ptr),
  };
}
