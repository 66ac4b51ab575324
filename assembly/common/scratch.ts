/**
 * Kernel scratch: a fixed region just above AssemblyScript's static data (`__heap_base`), reserved
 * without bloating the binary (a zero `memory.data` segment of this size would be shipped as bytes).
 * The host's heap must start at `heap_base()` (exported from index.ts), which is past this region;
 * the memory is then always large enough once the host has allocated the kernel's operands.
 * GEMM packs A and B here; BN keeps per-column coefficients here; narrow-row softmax and softmax
 * cross-entropy transpose four rows into its first KiB. Kernels of one instance never run concurrently.
 */

import { HAS_FMA } from './simd';

/** GEMM blocking (see gemm/f32-gemm.ts): KC·NC floats of packed B, MC·KC floats of packed A. */
export const KC: i32 = 256;
export const NC: i32 = 512;
export const MC: i32 = 120;
/**
 * Register tile (gemm/f32-gemm-6x8.ts): MR rows of packed A × NR columns of packed B; MC is a multiple of MR.
 * 6×8 with fused multiply-add (12 accumulators + 2 B + 1 broadcast = 15 XMM registers); 5×8 with mul + add,
 * whose temporary would make 6×8 need 16 and spill (V8 keeps one XMM register as scratch).
 */
export const MR: i32 = HAS_FMA ? 6 : 5;
export const NR: i32 = 8;

export const PACK_B_BYTES: usize = <usize>(KC * NC) << 2;
export const PACK_A_BYTES: usize = <usize>((MC + 8) * KC) << 2;
/** One MR×NR register tile, spilled once after its k loop (gemm/f32-gemm-6x8.ts). */
export const TILE_BYTES: usize = <usize>(MR * NR) << 2;
/** Slots for pin() below. */
export const PIN_BYTES: usize = 16 * 8;
export const SCRATCH_BYTES: usize = PACK_B_BYTES + PACK_A_BYTES + TILE_BYTES + PIN_BYTES;

/**
 * Start of this instance's scratch region (64-byte aligned). A global, not a constant: worker threads
 * instantiate the module on the same shared memory, and each gets its own region from the host
 * (set_scratch), so concurrent kernels never pack into the same bytes. Globals are per instance.
 */
let scratchAt: usize = (__heap_base + 63) & ~(<usize>63);

// @ts-ignore: decorator
@inline export function scratchBase(): usize {
  return scratchAt;
}

/** First byte the host may use: the end of the main instance's scratch region. */
export function heap_base(): usize {
  return ((__heap_base + 63) & ~(<usize>63)) + SCRATCH_BYTES;
}

/** Bytes one scratch region needs (the host allocates SCRATCH_BYTES + 63 to align it). */
export function scratch_bytes(): usize {
  return SCRATCH_BYTES;
}

/** Moves this instance's scratch region to `at` (64-byte aligned, scratch_bytes() long). */
export function set_scratch(at: usize): void {
  scratchAt = at;
}

/**
 * Returns v through memory (slot ∈ [0, 8)), so V8 computes it here. V8's TurboFan schedules a pure
 * computation at its use: a loop-invariant value computed just before a loop (1/Σ, log Σ, a splat of a
 * reduction) and used only inside it would be recomputed on every iteration; a load stays where it is.
 */
// @ts-ignore: decorator
@inline export function pin(v: v128, slot: i32): v128 {
  const p = scratchBase() + PACK_B_BYTES + PACK_A_BYTES + TILE_BYTES + (<usize>slot << 4);
  v128.store(p, v);
  return v128.load(p);
}
