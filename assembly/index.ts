/**
 * bnwasm kernels: the whole WASM ABI on one screen.
 *
 * THE RULE every export follows (and every new kernel must): arguments in this order —
 *   1. dimensions (i32): m, n, k, rows, cols, counts, and index ranges (i0, i1, j0, j1);
 *   2. input pointers: arrays only read;
 *   3. output pointers: arrays written, including those updated in place (C when accumulating, weights,
 *      optimizer state, moving statistics);
 *   4. scalars: f32 hyper-parameters (eps, momentum, learning rate, …), then i32 flags and codes
 *      (accumulate, nesterov, GEMM op, activation).
 * The plain-TS twins (src/backend/kernels.ts) take the same arguments in the same order.
 *
 * Conventions (shared with src/backend/kernels.ts):
 * - pointers are byte addresses (usize) into the imported memory; base pointers are 16-byte aligned,
 *   lengths are arbitrary (tails are handled; nothing outside an array is read or written);
 * - matrices are row-major, `rows × cols` = `cols` floats per row, no padding;
 * - pointer 0 = an absent optional vector (gamma, beta, bias, center, shift, v);
 * - codes and shared tuning constants are defined once in src/backend/abi.ts (imported here and by the
 *   host): GEMM ops GEMM_NN/TN/NT, activations ACT_LINEAR/RELU/SIGMOID/TANH, GEMM_PACK_MIN_ROWS;
 * - kernels never allocate and keep no state; GEMM and BN use the scratch region below heap_base(),
 *   so the host's heap must start at heap_base(); a worker-thread instance on the same (shared) memory
 *   gets its own region from the host through set_scratch (scratch_bytes() long, 64-byte aligned);
 * - losses return f64: the sum over rows of the per-row loss.
 */
export { heap_base, scratch_bytes, set_scratch } from './common/scratch';
export { f32_gemm, f32_dense, f32_gemm_part, f32_packed_b_length, f32_pack_b, f32_dense_packed } from './gemm/f32-gemm';
export { f32_sum_rows } from './reduce/f32-sum-rows';
export { f32_batch_stats, f32_batch_stats_part } from './reduce/f32-batch-stats';
export { f32_bnorm_fwd_train, f32_bnorm_fwd_train_part } from './bnorm/f32-bnorm-fwd';
export { f32_bnorm_scale, f32_bnorm_fold, f32_scale_shift } from './bnorm/f32-bnorm-infer';
export { f32_moving_average } from './bnorm/f32-moving-average';
export { f32_bnorm_bwd, f32_bnorm_bwd_part } from './bnorm/f32-bnorm-bwd';
export { f32_act, f32_act_bwd } from './vunary/f32-act';
export { f32_softmax, f32_softmax_bwd } from './vunary/f32-softmax';
export { f32_unary, f32_unary_bwd } from './vunary/f32-unary';
export { f32_softmax_xent } from './loss/f32-softmax-xent';
export { f32_xent } from './loss/f32-xent';
export { f32_bce } from './loss/f32-bce';
export { f32_mse } from './loss/f32-mse';
export { f32_regression_loss } from './loss/f32-regression';
export { f32_sgd } from './optim/f32-sgd';
export { f32_adam } from './optim/f32-adam';
export { f32_adamw } from './optim/f32-adamw';
export { f32_rmsprop } from './optim/f32-rmsprop';
export { f32_adagrad } from './optim/f32-adagrad';
export { f32_multiply } from './misc/f32-multiply';
export { f32_regularize } from './misc/f32-regularize';
export { f32_all_finite } from './misc/f32-all-finite';
export { f32_transpose } from './misc/f32-transpose';
export { f32_renorm_correction, f32_renorm_gamma_grad, f32_renorm_update } from './bnorm/f32-renorm';
export { f32_group_rows } from './misc/f32-group-rows';
export { f32_im2col, f32_col2im } from './conv/f32-im2col';
export { f32_max_pool, f32_max_pool_bwd, f32_avg_pool, f32_avg_pool_bwd } from './conv/f32-pool';
export { f32_conv2d } from './conv/f32-conv2d';
export { f32_relu, f32_relu_bwd } from './vunary/f32-relu';
export { f32_prelu, f32_prelu_bwd } from './vunary/f32-prelu';
