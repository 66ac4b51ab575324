/**
 * Putting test arrays into the shared heap and reading them back, with guard zones: every array is
 * allocated with GUARD floats of a sentinel on each side, and `checkGuards()` fails if a kernel wrote
 * outside its array. Handles stay valid across allocations; views are taken fresh at each read.
 */
import { assert } from 'vitest';
import type { F32 } from '../../src/backend/kernels.js';
import { heap } from '../../src/backend/runtime.js';

/** 8 floats = 32 bytes: keeps the inner array 16-byte aligned, as the kernels require. */
const GUARD = 8;
const SENTINEL = -1.2345678e-33;

export class KernelHeap {
  private readonly blocks: Array<{ outer: F32; inner: F32 }> = [];

  /** A copy of data (rounded to float32) in the heap. */
  put(data: ArrayLike<number>): F32 {
    const h = this.alloc(data.length);
    heap().f32(h).set(Array.from(data));
    return h;
  }

  /** An output array of n floats, pre-filled with `fill` (NaN by default: unwritten outputs show). */
  out(n: number, fill = NaN): F32 {
    const h = this.alloc(n);
    heap().f32(h).fill(fill);
    return h;
  }

  read(h: F32): Float64Array {
    return Float64Array.from(heap().f32(h));
  }

  /** Fails if any sentinel around any array of this scope changed. */
  checkGuards(label = 'guard'): void {
    for (const { outer, inner } of this.blocks) {
      const v = heap().f32(outer);
      for (let i = 0; i < GUARD; i++) {
        if (!Object.is(v[i], Math.fround(SENTINEL))) assert.fail(`${label}: wrote ${GUARD - i} floats before an array of ${inner.length}`);
        const j = GUARD + inner.length + i;
        if (!Object.is(v[j], Math.fround(SENTINEL))) assert.fail(`${label}: wrote ${i + 1} floats past the end of an array of ${inner.length}`);
      }
    }
  }

  /** Checks the guards and frees everything. */
  dispose(): void {
    this.checkGuards();
    for (const { outer } of this.blocks.splice(0)) heap().release(outer);
  }

  private alloc(n: number): F32 {
    const outer = heap().alloc(n + 2 * GUARD);
    heap().f32(outer).fill(SENTINEL);
    const inner: F32 = { ptr: outer.ptr + 4 * GUARD, length: n };
    this.blocks.push({ outer, inner });
    return inner;
  }
}

/** Runs body with a fresh KernelHeap, then checks the guards and frees. */
export function withHeap<T>(body: (h: KernelHeap) => T): T {
  const h = new KernelHeap();
  try {
    return body(h);
  } finally {
    h.dispose();
  }
}
