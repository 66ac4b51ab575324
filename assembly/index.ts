/**
 * bnwasm kernels: the whole WASM ABI on one screen.
 *
 * Conventions (shared with src/backend/kernels.ts):
 * - pointers are byte addresses (usize) into the imported memory; base pointers are 16-byte aligned,
 *   lengths are arbitrary (tails are handled; nothing outside an array is read or written);
 * - matrices are row-major, `rows × cols` = `cols` floats per row, no padding;
 * - arguments: dims (i32), then inputs, then outputs (pointers), then scalars (f32; booleans as i32);
 * - pointer 0 = an absent optional vector (gamma, beta, bias, shift, v);
 * - activation codes: 0 linear, 1 relu, 2 sigmoid, 3 tanh; GEMM ops: 0 'nn', 1 'tn', 2 'nt';
 * - kernels never allocate and keep no state; GEMM and BN use the scratch region below heap_base(),
 *   so the host's heap must start at heap_base(); a worker-thread instance on the same (shared) memory
 *   gets its own region from the host through set_scratch (scratch_bytes() long, 64-byte aligned);
 * - losses return f64: the sum over rows of the per-row loss.
 */
export { heap_base, scratch_bytes, set_scratch } from './common/scratch';
export { f32_gemm, f32_dense, f32_gemm_part, f32_packed_b_length, f32_pack_b, f32_dense_packed } from './gemm/f32-gemm';
export { f32_sum_rows } from './reduce/f32-sum-rows';
export { f32_batch_stats } from './reduce/f32-batch-stats';
export { f32_bnorm_fwd_train } from './bnorm/f32-bnorm-fwd';
export { f32_bnorm_fold, f32_scale_shift, f32_moving_average } from './bnorm/f32-bnorm-infer';
export { f32_bnorm_bwd } from './bnorm/f32-bnorm-bwd';
export { f32_act, f32_act_bwd } from './vunary/f32-act';
export { f32_softmax, f32_softmax_bwd } from './vunary/f32-softmax';
export { f32_softmax_xent } from './loss/f32-softmax-xent';
export { f32_xent } from './loss/f32-xent';
export { f32_bce } from './loss/f32-bce';
export { f32_mse } from './loss/f32-mse';
export { f32_sgd } from './optim/f32-sgd';
export { f32_adam } from './optim/f32-adam';
export { f32_multiply } from './misc/f32-multiply';
export { f32_transpose } from './misc/f32-transpose';
export { f32_im2col, f32_col2im } from './conv/f32-im2col';
export { f32_max_pool, f32_max_pool_bwd, f32_avg_pool, f32_avg_pool_bwd } from './conv/f32-pool';
export { f32_conv2d } from './conv/f32-conv2d';
