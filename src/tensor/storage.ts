import type { F32 } from '../backend/kernels.js';
import { heap } from '../backend/runtime.js';
import { residency, type Resident, type Spillable } from './residency.js';

/**
 * Where a tensor's values live: on the JS heap (`host`), in the WASM memory (`resident`, see
 * residency.ts), or both. A tensor made from JS values starts on the host and gets a WASM copy the first
 * time an op needs it there (kept for the next op); an op's result starts in WASM memory and gets a host
 * copy only when something reads it whole. Reading hands out a copy either way.
 */
export class Storage implements Spillable {
  private hostValues: Float32Array | null;
  private resident: Resident | null = null;

  private constructor(host: Float32Array | null, readonly length: number) {
    this.hostValues = host;
  }

  static onHost(values: Float32Array): Storage {
    return new Storage(values, values.length);
  }

  /** Takes ownership of a heap block (an op's result). */
  static inWasm(block: F32): Storage {
    const s = new Storage(null, block.length);
    s.resident = residency.add(s, block);
    return s;
  }

  /** The values on the JS heap, copied out of WASM memory the first time they are needed there. */
  host(): Float32Array {
    // a fresh array costs its page faults whatever copies into it: the constructor and slice() measured
    // alike on views of the shared memory (1k–1M floats, alternating, within ±20 % noise either way)
    this.hostValues ??= new Float32Array(heap().f32(this.resident!.block));
    return this.hostValues;
  }

  /** A fresh copy of the values (one copy, from wherever they are). */
  copy(): Float32Array {
    if (this.resident) {
      residency.touch(this.resident);
      return new Float32Array(heap().f32(this.resident.block));
    }
    return new Float32Array(this.hostValues!);
  }

  /** The values in WASM memory, copied in the first time and kept for later ops. Valid until the next trim. */
  wasm(): F32 {
    if (this.resident) {
      residency.touch(this.resident);
      return this.resident.block;
    }
    const block = heap().alloc(this.length);
    heap().f32(block).set(this.hostValues!);
    this.resident = residency.add(this, block);
    return block;
  }

  /** The WASM copy if there is one (an op's result, or values an op already copied in); never makes one. */
  wasmIfResident(): F32 | null {
    if (!this.resident) return null;
    residency.touch(this.resident);
    return this.resident.block;
  }

  /** Moves the values to the JS heap (if they are only in WASM memory) and frees the WASM copy. */
  spill(): void {
    if (!this.resident) return;
    this.host();
    this.release();
  }

  /** Frees the WASM copy now; the values stay readable only if they are also on the host. */
  release(): void {
    if (!this.resident) return;
    residency.remove(this.resident);
    this.resident = null;
  }
}
