/**
 * The numbers the WASM kernels and the host must agree on, each defined once. assembly/ imports this
 * file as well (AssemblyScript compiles it too), so it holds only integer constants in the syntax both
 * languages share: no types, no expressions beyond literals.
 */

/** GEMM op codes: C = A·B, C = Aᵀ·B (A stored k×m), C = A·Bᵀ (B stored n×k). */
export const GEMM_NN = 0;
export const GEMM_TN = 1;
export const GEMM_NT = 2;

/** Element-wise activation codes (the Dense epilogue and f32_act). */
export const ACT_LINEAR = 0;
export const ACT_RELU = 1;
export const ACT_SIGMOID = 2;
export const ACT_TANH = 3;

/**
 * A GEMM with B not transposed packs its operands from this many rows of C on; fewer rows take the gemv
 * path, which streams B in place (packing would cost as much as the product). The kernel branches on it,
 * the thread pool never splits a gemv (it computes all of C at once), and inference packs the weights
 * ahead only for batches that reach it.
 */
export const GEMM_PACK_MIN_ROWS = 4;
