import type { F32 } from './heap.js';
import type { Heap } from './heap.js';

const ALIGN_FLOATS = 4; // 16 bytes

/**
 * The scratch region of one model: a step's activations and gradients, bump-allocated and reset every
 * step. When a step needs more than the current chunk (a bigger batch), extra chunks are taken for that
 * step and merged into one bigger chunk at the next reset: steady state allocates nothing.
 */
export class Arena {
  private chunks: F32[] = [];
  private used = 0; // floats used in the last chunk
  private total = 0; // floats handed out this step

  constructor(private readonly heap: Heap) {}

  take(length: number): F32 {
    const need = Math.ceil(Math.max(length, 1) / ALIGN_FLOATS) * ALIGN_FLOATS;
    let last = this.chunks[this.chunks.length - 1];
    if (!last || this.used + need > last.length) {
      last = this.heap.alloc(Math.max(need, 1 << 14));
      this.chunks.push(last);
      this.used = 0;
    }
    const h = { ptr: last.ptr + 4 * this.used, length };
    this.used += need;
    this.total += need;
    return h;
  }

  /** Ends a step: everything taken is dead. Several chunks become one that fits the whole step. */
  reset(): void {
    if (this.chunks.length > 1) {
      const size = this.chunks.reduce((s, c) => s + c.length, 0);
      for (const c of this.chunks) this.heap.release(c);
      this.chunks = [this.heap.alloc(Math.max(size, this.total))];
    }
    this.used = 0;
    this.total = 0;
  }

  release(): void {
    for (const c of this.chunks) this.heap.release(c);
    this.chunks = [];
    this.used = this.total = 0;
  }
}
