import { GEMM_NT, GEMM_PACK_MIN_ROWS } from '../abi.js';
import type { F32 } from '../kernels.js';
import type { Heap } from '../../memory/heap.js';
import { canBlock, spawnThread, type ThreadHandle } from './spawn.js';
import { workerSource } from './worker.js';

/**
 * Kernel threads for GEMM. Every thread instantiates the same WASM builds on the one shared memory,
 * with its own scratch region for packing; a GEMM is cut into blocks of C (rows, or columns in multiples
 * of 8) that the calling thread and the workers compute at once through f32_gemm_part. Because every
 * element is computed exactly as in the single-threaded call, results do not depend on the thread count.
 *
 * Hand-off through a small control block (not through messages, which cost a task each): the caller
 * writes each worker's block into its slot, opens it, bumps GEN and notifies; a worker that wakes
 * claims its slot (compare-exchange OPEN → TAKEN), runs it, marks it FINISHED, adds to DONE and
 * notifies. The caller computes its own block, then takes back every slot no worker has claimed yet
 * (OPEN → STOLEN) and runs it too: on a busy machine a descheduled worker costs at most its share
 * running on the caller, never a wait for that worker to be scheduled. Then it waits (spins, then
 * blocks where allowed) for the slots workers took. Everything else (BN, activations, losses) is
 * memory-bound and stays on the calling thread.
 */
const LAYOUT = {
  GEN: 0, DONE: 1, ERRORS: 2, SLOTS: 4, SLOT: 20, STATE: 17,
  JOB_GEMM: 1, JOB_STOP: 2, IDLE: 0, OPEN: 1, TAKEN: 2, FINISHED: 3, STOLEN: 4, SPIN: 20_000,
  // how long an idle worker keeps polling before it sleeps: longer than the gaps between the GEMMs of
  // a training step or a predict batch (tens of µs), far shorter than a futex wake-up costs them in
  // aggregate (a 32-row predict spent a quarter of its time waiting for woken workers at 20k polls)
  WORKER_SPIN_MS: 0.5,
};
export const MAX_THREADS = 16;
/**
 * Below this many flops (2mnk) a GEMM stays on the calling thread. Measured on 2 cores: splitting
 * starts to pay at about 0.5 MFLOP (~15 µs; 1.1–1.5x) and gives 1.7x from 2 MFLOP.
 */
export const MIN_PARALLEL_FLOPS = 2 ** 19;

/** f32_gemm_part of one instance: (m, n, k, i0, i1, j0, j1, a, b, bias, packed, c, op, acc, act), the kernel ABI's order. */
export type GemmPart = (m: number, n: number, k: number, i0: number, i1: number, j0: number, j1: number, a: number,
  b: number, bias: number, packed: number, c: number, op: number, acc: number, act: number) => void;

interface Thread { handle: ThreadHandle; scratch: F32 }
/** Rows [i0, i1) × columns [j0, j1) of C. */
type Block = [number, number, number, number];

export class ThreadPool {
  private threads: Thread[] = [];
  /** The control block of the current workers; each restart gets a fresh one, so a stopped worker that
   * has not yet been terminated still reads its own STOP and can never claim a new worker's job. */
  private ctrl = controlBlock();
  private readonly blocking = canBlock();
  private resizing: Promise<void> = Promise.resolve();
  /** GEMMs that ran split over threads, and blocks the caller took back (tests check both paths ran). */
  parallelCalls = 0;
  stolenBlocks = 0;
  /** How long to wait for a worker beyond the job's own time before declaring it dead (tests shorten it). */
  stallMs = 10_000;
  /** The smallest GEMM (2mnk flops) worth splitting (benchmarks vary it). */
  minParallelFlops = MIN_PARALLEL_FLOPS;

  /** `modules`: the shared-memory builds, in the order `gemm`'s `build` argument indexes them. */
  constructor(private readonly memory: WebAssembly.Memory, private readonly modules: WebAssembly.Module[],
    private readonly heap: Heap, private readonly scratchBytes: number) {}

  /** Threads that run a large GEMM, the calling one included. */
  get size(): number {
    return this.threads.length + 1;
  }

  /** Stops the workers and starts `threads − 1` new ones; resolves when they are ready. Calls queue. */
  resize(threads: number): Promise<void> {
    this.resizing = this.resizing.catch(() => undefined).then(() => this.restart(threads));
    return this.resizing;
  }

  private async restart(threads: number): Promise<void> {
    this.stopAll();
    this.ctrl = controlBlock();
    const starting = Array.from({ length: threads - 1 }, (_, slot) => this.start(slot));
    const settled = await Promise.allSettled(starting);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (failed) {
      this.threads = started;
      this.stopAll();
      throw failed.reason;
    }
    this.threads = started;
  }

  private start(slot: number): Promise<Thread> {
    const region = this.heap.alloc((this.scratchBytes + 64) / 4);
    const scratch = Math.ceil(region.ptr / 64) * 64;
    const handle = spawnThread(workerSource);
    return new Promise<Thread>((resolve, reject) => {
      let settled = false;
      const fail = (why: unknown) => {
        // an error after 'ready' (a worker out of memory, say) is the stall timeout's to handle
        if (settled) return;
        settled = true;
        handle.terminate();
        this.heap.release(region);
        reject(new Error(`bnwasm: a kernel thread failed to start: ${String(why)}`));
      };
      handle.onError(fail);
      handle.onFirstMessage((data) => {
        const m = data as { ready?: boolean; error?: string };
        if (!m.ready) return fail(m.error);
        settled = true;
        resolve({ handle, scratch: region });
      });
      this.ctrl[LAYOUT.SLOTS + slot * LAYOUT.SLOT] = LAYOUT.JOB_GEMM;
      this.ctrl[LAYOUT.SLOTS + slot * LAYOUT.SLOT + LAYOUT.STATE] = LAYOUT.IDLE;
      handle.post({ modules: this.modules, memory: this.memory, ctrl: this.ctrl.buffer, scratch, slot, layout: LAYOUT });
    });
  }

  /**
   * Stops every worker. Their scratch goes back to the heap only when they are idle (`idle`): after a
   * stall a worker may still be running, and terminate() takes effect later, so its region is left alone.
   */
  private stopAll(idle = true): void {
    if (this.threads.length === 0) return;
    for (let w = 0; w < this.threads.length; w++) this.ctrl[LAYOUT.SLOTS + w * LAYOUT.SLOT] = LAYOUT.JOB_STOP;
    Atomics.add(this.ctrl, LAYOUT.GEN, 1);
    Atomics.notify(this.ctrl, LAYOUT.GEN);
    for (const t of this.threads) {
      t.handle.terminate();
      if (idle) this.heap.release(t.scratch);
    }
    this.threads = [];
  }

  /**
   * C = op(A, B) (+ C) (+ bias, act) split over the threads; `local` is the calling thread's
   * f32_gemm_part; `packed`: B pre-packed by f32_pack_b, or 0. Returns false, doing nothing, when the
   * call should stay on one thread.
   */
  gemm(build: number, local: GemmPart, op: number, m: number, n: number, k: number, a: number, b: number, c: number,
    acc: number, bias: number, act: number, packed: number): boolean {
    const parts = this.threads.length + 1;
    // few rows with B not transposed take the gemv path, which computes all of C at once
    if (parts === 1 || 2 * m * n * k < this.minParallelFlops || (m < GEMM_PACK_MIN_ROWS && op !== GEMM_NT)) return false;
    const blocks = partition(m, n, parts);
    const { ctrl } = this, L = LAYOUT;
    this.parallelCalls++;
    // every slot is IDLE, FINISHED or STOLEN here: the previous call waited for all it handed out
    for (let w = 1; w < blocks.length; w++) {
      const s = L.SLOTS + (w - 1) * L.SLOT, block = blocks[w];
      ctrl[s + 1] = build;
      ctrl[s + 2] = op; ctrl[s + 3] = m; ctrl[s + 4] = n; ctrl[s + 5] = k;
      ctrl[s + 6] = a; ctrl[s + 7] = b; ctrl[s + 8] = c; ctrl[s + 9] = acc; ctrl[s + 10] = bias; ctrl[s + 11] = act;
      ctrl[s + 12] = block[0]; ctrl[s + 13] = block[1]; ctrl[s + 14] = block[2]; ctrl[s + 15] = block[3];
      ctrl[s + 16] = packed;
      Atomics.store(ctrl, s + L.STATE, L.OPEN); // publishes the plain stores above
    }
    Atomics.add(ctrl, L.GEN, 1);
    Atomics.notify(ctrl, L.GEN);
    const run = (block: Block) => local(m, n, k, block[0], block[1], block[2], block[3], a, b, bias, packed, c, op, acc, act);
    // a worker that died inside a block (killed, out of memory) would leave us waiting forever: give
    // up after stallMs plus the time the block takes at 1 GF/s, 50x slower than these kernels run
    const timeoutMs = this.stallMs + (2 * m * n * k) / parts / 1e6;
    try {
      run(blocks[0]);
      for (let w = 1; w < blocks.length; w++) {
        if (Atomics.compareExchange(ctrl, L.SLOTS + (w - 1) * L.SLOT + L.STATE, L.OPEN, L.STOLEN) === L.OPEN) {
          this.stolenBlocks++;
          run(blocks[w]);
        }
      }
    } catch (e) {
      // our own block failed (a trap): take back what no worker started, let the started ones finish,
      // so nothing still writes into C after we throw and the next call finds every slot settled
      for (let w = 1; w < blocks.length; w++) Atomics.compareExchange(ctrl, L.SLOTS + (w - 1) * L.SLOT + L.STATE, L.OPEN, L.STOLEN);
      this.waitFor(blocks.length - 1, timeoutMs);
      Atomics.store(ctrl, L.ERRORS, 0);
      throw e;
    }
    this.waitFor(blocks.length - 1, timeoutMs);
    if (Atomics.load(ctrl, L.ERRORS) > 0) {
      Atomics.store(ctrl, L.ERRORS, 0);
      throw new Error('bnwasm: a kernel thread failed inside a GEMM');
    }
    return true;
  }

  /** Whether any of the first `slots` slots is still OPEN or TAKEN (handed out, not finished). */
  private taken(slots: number): boolean {
    for (let w = 0; w < slots; w++) {
      const state = Atomics.load(this.ctrl, LAYOUT.SLOTS + w * LAYOUT.SLOT + LAYOUT.STATE);
      if (state === LAYOUT.TAKEN || state === LAYOUT.OPEN) return true;
    }
    return false;
  }

  private waitFor(slots: number, timeoutMs: number): void {
    const { ctrl } = this;
    let last = Date.now(), deadline = last + timeoutMs;
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(ctrl, LAYOUT.DONE);
      if (!this.taken(slots)) return;
      if (spins < LAYOUT.SPIN || (!this.blocking && (spins & 1023) !== 0)) continue;
      const now = Date.now();
      // a pause of the whole process (sleep, SIGSTOP, a debugger) is not the worker's fault
      if (now - last > 1000) deadline += now - last;
      last = now;
      if (now > deadline) {
        this.stopAll(false);
        throw new Error('bnwasm: a kernel thread stopped responding; running on one thread from now on');
      }
      if (this.blocking) Atomics.wait(ctrl, LAYOUT.DONE, done, 50);
    }
  }
}

/** A zeroed control block: the header words, then one slot per possible worker. */
function controlBlock(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * (LAYOUT.SLOTS + LAYOUT.SLOT * MAX_THREADS)));
}

/**
 * Blocks [i0, i1, j0, j1] of an m×n result for `parts` threads (fewer when it is too small). Splitting
 * columns makes every thread pack all of A and its share of B; splitting rows, its share of A and all of
 * B; so the longer side is split. Column cuts fall on multiples of 8 (the tile width, see f32_gemm_part).
 */
export function partition(m: number, n: number, parts: number): Block[] {
  const panels = Math.floor(n / 8);
  const blocks: Block[] = [];
  if (n >= m && panels >= parts) {
    for (let t = 0; t < parts; t++) {
      const j0 = Math.round((t * panels) / parts) * 8, j1 = t === parts - 1 ? n : Math.round(((t + 1) * panels) / parts) * 8;
      blocks.push([0, m, j0, j1]);
    }
    return blocks;
  }
  const used = Math.min(parts, m);
  for (let t = 0; t < used; t++) blocks.push([Math.round((t * m) / used), Math.round(((t + 1) * m) / used), 0, n]);
  return blocks;
}
