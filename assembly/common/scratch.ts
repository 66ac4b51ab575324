/**
 * Kernel scratch: a fixed region just above AssemblyScript's static data (`__heap_base`), reserved
 * without bloating the binary (a zero `memory.data` segment of this size would be shipped as bytes).
 * The host's heap must start at `heap_base()` (exported from index.ts), which is past this region;
 * the memory is then always large enough once the host has allocated the kernel's operands.
 * GEMM packs A and B here; BN keeps per-column coefficients here. Kernels never run concurrently.
 */

/** GEMM blocking (see gemm/f32-gemm.ts): KC·NC floats of packed B, MC·KC floats of packed A. */
export const KC: i32 = 256;
export const NC: i32 = 512;
export const MC: i32 = 128;

export const PACK_B_BYTES: usize = <usize>(KC * NC) << 2;
export const PACK_A_BYTES: usize = <usize>((MC + 8) * KC) << 2;
export const SCRATCH_BYTES: usize = PACK_B_BYTES + PACK_A_BYTES;

/** Start of the scratch region (64-byte aligned). */
// @ts-ignore: decorator
@inline export function scratchBase(): usize {
  return (__heap_base + 63) & ~(<usize>63);
}

/** First byte the host may use: the end of the scratch region. */
export function heap_base(): usize {
  return scratchBase() + SCRATCH_BYTES;
}
