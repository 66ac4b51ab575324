import type { F32 } from '../backend/kernels.js';
import { heap } from '../backend/runtime.js';
import { blockBytes } from '../memory/heap.js';

/**
 * The WASM copies of tensor values (op results, and op inputs copied in once), as a cache the library
 * owns: a copy is freed when its tensor is garbage-collected (a finalizer), when the tensor lets go of it
 * (release()), or, past a budget, oldest first (its values move to the JS heap first if the tensor is
 * still alive). So no user ever has to free anything, and WASM memory stays bounded even in a loop that
 * runs faster than the garbage collector.
 *
 * Why resident at all (measured, ops BN 1024×1024 on Node 20, alternating): writing a fresh 4 MB array
 * costs 2.2–2.3 ms whatever the copy method (page faults on new memory), copying 4 MB into WASM memory
 * already mapped 1.2 ms; copying every op's inputs in and its results out (then dataSync's copy) made the
 * public path 29.7 ms around 5.7 ms of kernels; results and inputs left in WASM memory cut it to the
 * kernels plus one copy per value read (about 10 ms).
 */
export interface Resident {
  readonly block: F32;
}

/** Something whose values can move to the JS heap when its WASM copy must go. */
export interface Spillable {
  spill(): void;
}

/** WASM bytes of resident copies past which the oldest are freed (or moved to the JS heap). */
const BUDGET_BYTES = 128 * 2 ** 20;

class Residency {
  budgetBytes = BUDGET_BYTES;
  /** Resident copies, oldest first, each with (a weak reference to) the storage that owns it. */
  private readonly entries = new Map<Resident, WeakRef<Spillable>>();
  private bytes = 0;
  private readonly finalizer = new FinalizationRegistry<Resident>((r) => this.drop(r));

  /** Registers `block` as `owner`'s WASM copy; `owner` frees it through remove(), or the finalizer does. */
  add(owner: Spillable, block: F32): Resident {
    const r: Resident = { block };
    this.entries.set(r, new WeakRef(owner));
    this.finalizer.register(owner, r, r);
    this.bytes += blockBytes(block.length);
    return r;
  }

  /** Marks a copy as just used: the budget frees the least recently used first. */
  touch(r: Resident): void {
    const ref = this.entries.get(r);
    if (!ref) return;
    this.entries.delete(r);
    this.entries.set(r, ref);
  }

  /** Frees a copy now (its owner lets go of it). */
  remove(r: Resident): void {
    this.finalizer.unregister(r);
    this.drop(r);
  }

  /**
   * Frees the oldest copies while over the budget: a dead owner's at once, a live owner's after its values
   * moved to the JS heap. Called between ops (never while a kernel may still read a copy); the newest
   * copy always stays.
   */
  trim(): void {
    for (const [r, ref] of this.entries) {
      if (this.bytes <= this.budgetBytes || this.entries.size <= 1) return;
      const owner = ref.deref();
      if (owner) owner.spill(); // calls remove(r)
      else this.remove(r);
    }
  }

  /** WASM bytes held by resident copies now. */
  get residentBytes(): number {
    return this.bytes;
  }

  private drop(r: Resident): void {
    if (!this.entries.delete(r)) return;
    this.bytes -= blockBytes(r.block.length);
    heap().release(r.block);
  }
}

export const residency = new Residency();
