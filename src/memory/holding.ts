import { heap } from '../backend/runtime.js';
import { setPressureRelief, type F32 } from './heap.js';

/**
 * The heap blocks one object holds: a layer's weights, gradients and optimizer slots; a model's step
 * scratch. `free()` (what dispose() calls) gives them back at once. An owner that is dropped without
 * dispose() gets them back when the garbage collector finalizes it; since a busy program whose JS heap
 * stays small may not collect for a long time, an allocation that would otherwise fail first frees the
 * blocks of owners that are already collected (see `reclaimDropped`), and the error it throws when that is
 * not enough says how much undisposed owners still hold.
 */
export class Holding {
  private blocks: F32[] = [];
  private held = 0;
  private freed = false;
  private readonly owner: WeakRef<object>;

  constructor(owner: object, readonly kind: 'model' | 'layer') {
    this.owner = new WeakRef(owner);
    finalizers.register(owner, this, this);
    holdings.add(this);
  }

  /** Bytes of WASM memory held now. */
  get bytes(): number {
    return this.held;
  }

  get alive(): boolean {
    return !this.freed;
  }

  alloc(length: number): F32 {
    if (this.freed) throw new Error('alloc: this memory holding was freed');
    const block = heap().alloc(length);
    this.blocks.push(block);
    this.held += 4 * block.length;
    return block;
  }

  /** Returns one block early (a model's scratch that outgrew its steady size). */
  release(block: F32): void {
    const i = this.blocks.indexOf(block);
    if (i < 0) throw new Error(`release: block ${block.ptr} is not held here`);
    this.blocks.splice(i, 1);
    this.held -= 4 * block.length;
    heap().release(block);
  }

  /** Frees every block now; later alloc() throws. Idempotent. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    finalizers.unregister(this);
    holdings.delete(this);
    const blocks = this.blocks;
    this.blocks = [];
    this.held = 0;
    try {
      const h = heap();
      for (const b of blocks) h.release(b);
    } catch { /* the runtime is gone */ }
  }

  /** True when the owner was garbage collected (its finalizer may not have run yet). */
  get dropped(): boolean {
    return this.owner.deref() === undefined;
  }
}

const holdings = new Set<Holding>();
const finalizers = new FinalizationRegistry<Holding>((h) => h.free());

/** Frees what collected owners still hold; returns the bytes freed. */
function freeCollected(): number {
  let bytes = 0;
  for (const h of [...holdings]) {
    if (!h.dropped) continue;
    bytes += h.bytes;
    h.free();
  }
  return bytes;
}

let collect: (() => void) | null | undefined;
/**
 * Node's full garbage collection, when it can be had without a command-line flag: process.getBuiltinModule
 * (Node 20.16+) gives v8 and vm synchronously; a context made after `--expose-gc` is set has `gc`. Browsers
 * offer no such thing (null).
 */
function nodeCollector(): (() => void) | null {
  if (collect !== undefined) return collect;
  collect = null;
  const g = globalThis as { gc?: () => void; process?: { getBuiltinModule?: (id: string) => unknown } };
  if (typeof g.gc === 'function') return (collect = g.gc);
  const get = g.process?.getBuiltinModule;
  if (typeof get !== 'function') return null;
  try {
    const v8 = get('node:v8') as { setFlagsFromString(flags: string): void };
    const vm = get('node:vm') as { runInNewContext(code: string): unknown };
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    if (typeof gc === 'function') collect = gc as () => void;
  } catch { /* no collector: the error below says what is held */ }
  return collect;
}

/**
 * What the allocator does when the memory would have to grow past what the engine gives: free what
 * collected owners hold, after a full garbage collection where one can be had (Node). Owners that the
 * code running now created cannot be collected before it ends (the engine keeps what a WeakRef was made
 * for alive until then); async code such as fit awaits between batches, so models it dropped can be.
 */
export function reclaimDropped(): number {
  nodeCollector()?.();
  return freeCollected();
}

/**
 * Resolves on a later turn of the event loop. An await of an already-settled promise does not end the
 * engine's current job: code that awaits only such promises (a loop of fit calls whose callbacks are
 * synchronous) is one job, and the engine keeps alive every object a WeakRef was made for during it, so
 * none of the models it dropped could be collected. fit() takes one such turn when it starts; finalizers
 * of dropped models also run then.
 */
export function nextTurn(): Promise<void> {
  const later = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate ?? ((f: () => void) => setTimeout(f, 0));
  return new Promise((resolve) => { later(resolve); });
}

/** What undisposed owners hold now: models (with their scratch) and layers (weights). */
export function undisposed(): { models: number; layers: number; bytes: number } {
  let models = 0, layers = 0, bytes = 0;
  for (const h of holdings) {
    if (h.kind === 'model') models++;
    else layers++;
    bytes += h.bytes;
  }
  return { models, layers, bytes };
}

setPressureRelief({
  reclaim: reclaimDropped,
  report: () => {
    const u = undisposed();
    if (u.models === 0 && u.layers === 0) return '';
    return `; ${u.models} models and ${u.layers} layers that were never disposed still hold ${(u.bytes / 2 ** 20).toFixed(1)} MiB ` +
      `(call model.dispose() on models you no longer need: a dropped model's memory comes back only when the garbage collector runs)`;
  },
});
