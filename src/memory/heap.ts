/** A float32 array inside the shared memory, as the heap hands it out; `ptr` is a byte address (16-byte aligned). */
export interface F32 {
  readonly ptr: number;
  readonly length: number;
}

const PAGE = 65536;
const ALIGN = 16; // every v128 access in the kernels starts aligned
const MAX_PAGES = 32768; // 2 GiB: pointers stay positive 32-bit integers in JS

// arithmetic, not `& ~15`: bitwise ops wrap at 2^31, and a huge request must fail, not become a tiny block
const align = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;
/** The bytes a block of `length` floats takes from the heap (what allocatedBytes counts for it). */
export const blockBytes = (length: number) => align(Math.max(4 * length, ALIGN));

/** What the heap may try before an allocation fails, and what the error then adds (holding.ts sets it). */
export interface PressureRelief {
  /** Frees what dropped owners hold; returns the bytes freed. */
  reclaim(): number;
  /** A clause for the out-of-memory error ('' when there is nothing to say). */
  report(): string;
}
let relief: PressureRelief | null = null;
export function setPressureRelief(r: PressureRelief): void {
  relief = r;
}

/**
 * The one WebAssembly.Memory every model, layer and op shares, and its allocator.
 *
 * First-fit free list with coalescing: persistent blocks (a layer's weights, gradients and optimizer
 * slots; a model's step arena) live until their owner is disposed or collected (holding.ts), so memory
 * stays flat however many models a program builds and disposes. Before the memory would have to grow
 * past what the engine gives, the heap asks `relief` to free what dropped owners hold, then tries again. The region below `base` belongs to the
 * WASM modules: their static data and the kernels' scratch (GEMM packing, BN coefficients).
 *
 * Views: `memory.grow` detaches every Float32Array taken before it, so `f32()` returns a fresh view
 * that must not be kept across an `alloc`.
 */
export class Heap {
  private top: number;
  private readonly free: Array<{ ptr: number; bytes: number }> = [];
  private readonly sizes = new Map<number, number>();
  private live = 0;

  constructor(readonly memory: WebAssembly.Memory, readonly base: number) {
    this.top = align(base);
  }

  alloc(length: number): F32 {
    if (!Number.isInteger(length) || length < 0) throw new Error(`alloc: length must be a non-negative integer, got ${length}`);
    const bytes = blockBytes(length);
    let ptr = this.takeFree(bytes);
    if (ptr < 0) {
      let failure = this.ensure(this.top + bytes);
      if (failure && relief && relief.reclaim() > 0) {
        ptr = this.takeFree(bytes);
        failure = ptr < 0 ? this.ensure(this.top + bytes) : null;
      }
      if (failure) throw new Error(`${failure}${relief?.report() ?? ''}`);
      if (ptr < 0) {
        ptr = this.top;
        this.top = ptr + bytes;
      }
    }
    this.sizes.set(ptr, bytes);
    this.live += bytes;
    return { ptr, length };
  }

  /** Returns a block to the free list. Freeing twice or freeing a foreign handle is a bug, so it throws. */
  release(h: F32): void {
    const bytes = this.sizes.get(h.ptr);
    if (bytes === undefined) throw new Error(`release: ${h.ptr} is not a live allocation`);
    this.sizes.delete(h.ptr);
    this.live -= bytes;
    this.insertFree(h.ptr, bytes);
  }

  /** A fresh view; valid until the next alloc (which may grow the memory). */
  f32(h: F32): Float32Array {
    return new Float32Array(this.memory.buffer, h.ptr, h.length);
  }

  stats(): { wasmBytes: number; allocatedBytes: number } {
    return { wasmBytes: this.memory.buffer.byteLength, allocatedBytes: this.live };
  }

  /** Grows the memory to at least `end` bytes; returns why it could not (null when it could). */
  private ensure(end: number): string | null {
    const short = end - this.memory.buffer.byteLength;
    if (short <= 0) return null;
    const pages = Math.ceil(short / PAGE);
    const have = this.memory.buffer.byteLength / PAGE;
    if (have + pages > MAX_PAGES) {
      return `out of memory: need ${end} bytes of WASM memory, the limit is ${MAX_PAGES * PAGE} bytes`;
    }
    try {
      // grow a little ahead so a slowly growing batch does not grow the memory every step
      this.memory.grow(Math.min(Math.max(pages, Math.ceil(have / 8)), MAX_PAGES - have));
    } catch (cause) {
      try {
        this.memory.grow(pages); // the engine may give what is needed without the margin
      } catch {
        return `out of memory: the engine refused to grow WASM memory to ${end} bytes (${String(cause)})`;
      }
    }
    return null;
  }

  private takeFree(bytes: number): number {
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i];
      if (block.bytes < bytes) continue;
      const ptr = block.ptr;
      if (block.bytes === bytes) this.free.splice(i, 1);
      else { block.ptr += bytes; block.bytes -= bytes; }
      return ptr;
    }
    return -1;
  }

  private insertFree(ptr: number, bytes: number): void {
    let i = 0;
    while (i < this.free.length && this.free[i].ptr < ptr) i++;
    this.free.splice(i, 0, { ptr, bytes });
    // coalesce with the right, then the left neighbour
    const next = this.free[i + 1];
    if (next && ptr + bytes === next.ptr) { this.free[i].bytes += next.bytes; this.free.splice(i + 1, 1); }
    const prev = this.free[i - 1];
    if (prev && prev.ptr + prev.bytes === ptr) { prev.bytes += this.free[i].bytes; this.free.splice(i, 1); i--; }
    // a free block that ends at the top goes back to the bump region
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.bytes === this.top) { this.top = last.ptr; this.free.pop(); }
  }
}
