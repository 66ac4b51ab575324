import { Arena } from '../memory/arena.js';
import { Holding } from '../memory/holding.js';

/**
 * Scratch a model keeps between calls: 64 MiB. A call that needed more (predict of a million rows in one
 * batch) gives the rest back when it returns instead of holding it for the model's lifetime.
 */
const KEEP_SCRATCH_FLOATS = 16 * 2 ** 20;

/**
 * A model's own WASM memory and lifetime: the scratch arena its steps and predictions run in (made on first
 * use), freed by dispose() or when the model is collected (holding.ts); the layers hold their own weights.
 */
export class ModelMemory {
  private scratch: Arena | null = null;
  private readonly holding: Holding;
  private disposed = false;

  /** `owner` is the model: the memory is reclaimed when it is collected. */
  constructor(owner: object) {
    this.holding = new Holding(owner, 'model');
  }

  /** The scratch arena, made on first use. */
  arena(): Arena {
    if (!this.scratch) this.scratch = new Arena(this.holding);
    return this.scratch;
  }

  /** Whether the arena has been made. */
  get hasArena(): boolean {
    return this.scratch !== null;
  }

  /** Gives the whole arena back (a failed first call that made it). */
  dropArena(): void {
    this.scratch?.release();
    this.scratch = null;
  }

  /** After a call: gives back what the arena holds beyond what a model keeps between calls. */
  trim(): void {
    this.scratch?.trim(KEEP_SCRATCH_FLOATS);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Frees the scratch now; later calls to the model are refused through `usable`. */
  dispose(): void {
    this.disposed = true;
    this.scratch = null;
    this.holding.free();
  }

  /** Throws a clear Error once the model is disposed; `what` names the call, `model` the model. */
  usable(what: string, model: string): void {
    if (this.disposed) throw new Error(`${what}: model '${model}' was disposed (model.dispose() freed its memory); build or load a new model`);
  }
}
