import { GEMM_NT, GEMM_PACK_MIN_ROWS } from '../abi.js';
import type { F32 } from '../kernels.js';
import type { Heap } from '../../memory/heap.js';
import { SplitPolicy } from './adapt.js';
import { canBlock, spawnThread, type ThreadHandle } from './spawn.js';
import { workerSource } from './worker.js';

/**
 * Kernel threads. Every thread instantiates the same WASM builds on the one shared memory, with its own
 * scratch region (GEMM packing, BN coefficients). A job is one kernel export cut into blocks along one
 * axis (GEMM: rows or 8-column panels of C; element-wise kernels: ranges of elements; row-wise ones:
 * rows; BN statistics, forward and backward: columns); the blocks depend only on the job's size, never on the thread count, and each element is
 * computed exactly as in the single-threaded call, so results do not depend on the thread count.
 *
 * Blocks are handed out through one atomic word, CLAIM = blocks << 16 | next: the calling thread and
 * every worker take the next block by compare-exchange until none is left, so a worker that is slow to
 * wake, or descheduled, costs at most the one block it holds, and the caller computes whatever nobody
 * else took. The job's arguments sit in the control block; a worker reads them only after its claim
 * succeeded, when they cannot change (the job is not finished while it holds a block), so a worker that
 * slept through whole jobs can only ever help the current one. Hand-off is through shared memory, not
 * messages (which cost a task each).
 *
 * Measure and adapt (adapt.ts): each kind of job runs split or whole, whichever is measured faster now;
 * what the pool learned is kept per thread count, so a restart to the same count starts informed.
 *
 * After a split job idle workers poll for the next one a little before they sleep, since waking a
 * sleeping thread costs tens of µs (a halted virtual CPU, more); a job that runs whole stops them at once.
 * A polling worker that finds itself descheduled (a gap in its own clock) reports it: another process
 * wants the cores, and a polling worker would then take CPU from the caller's single-threaded work, so
 * workers sleep right away for a while (a sleeping thread that is woken gets a core quickly on a busy
 * machine), then try polling again.
 *
 * Over 250 lines on purpose: the claim protocol, the job layout and the polling rule read and write the same
 * control block; split apart they would share private state through exports.
 */
const LAYOUT = {
  GEN: 0, CLAIM: 1, FINISHED: 2, ERRORS: 3, STOP: 4, FN: 5, BUILD: 6, NARGS: 7, UNITS: 8, ALIGN: 9, SPIN_US: 10, PREEMPTED: 11,
  /** Float64 index of the arguments: base[MAX_ARGS], then per-lo and per-hi multipliers (see Job). */
  ARGS: 8, MAX_ARGS: 20,
  /** Caller polls before it blocks while waiting for workers' blocks. */
  SPIN: 20_000,
};
const CTRL_BYTES = 8 * (LAYOUT.ARGS + 3 * LAYOUT.MAX_ARGS);
/**
 * How long an idle worker polls for the next job before it sleeps: longer than the gaps between the jobs
 * of a training step (tens of µs), far shorter than a futex wake-up costs them in aggregate.
 */
const WORKER_SPIN_US = 500;
/**
 * Two reports of a descheduled worker this close together mean another process wants the cores (a quiet
 * virtual machine shows about one such gap a second; one core taken, a polling worker sees dozens)...
 */
const BUSY_WITHIN_MS = 250;
/** ...and then workers sleep at once for this long before they try polling again. */
const NO_POLL_MS = 1000;
export const MAX_THREADS = 16;
/**
 * Below this many flops (2mnk) a GEMM stays on the calling thread. Measured on 2 cores: splitting
 * starts to pay at about 0.5 MFLOP (~15 µs; 1.1–1.5x) and gives 1.7x from 2 MFLOP.
 */
export const MIN_PARALLEL_FLOPS = 2 ** 19;
/**
 * A GEMM block is at least this many rows or columns thick: each block packs all of the other operand
 * (a column block all of A, a row block all of B), which costs about 40/(6·thickness) of its compute
 * (packing moves ~3 Gfloat/s, the tiles compute ~40 GF/s): 5 % here, against 10 % at 64, where
 * 128×784×256 would pack A four times instead of twice on 2 threads.
 */
const MIN_BLOCK_THICKNESS = 128;
/** Blocks per thread where the job is big enough: a late worker then holds back a fraction of it. */
const BLOCKS_PER_THREAD = 2;

/** The export names workers resolve, by job code. */
export const JOB_FNS = ['f32_gemm_part', 'f32_act', 'f32_act_bwd', 'f32_sgd', 'f32_adam', 'f32_scale_shift', 'f32_softmax', 'f32_softmax_bwd',
  'f32_multiply', 'f32_batch_stats_part', 'f32_bnorm_fwd_train_part', 'f32_bnorm_bwd_part'] as const;
export type JobFn = (typeof JOB_FNS)[number];

/** f32_gemm_part of one instance: (m, n, k, i0, i1, j0, j1, a, b, bias, packed, c, op, acc, act), the kernel ABI's order. */
export type GemmPart = (m: number, n: number, k: number, i0: number, i1: number, j0: number, j1: number, a: number,
  b: number, bias: number, packed: number, c: number, op: number, acc: number, act: number) => void;

/**
 * One kernel call cut into `blocks` blocks of `units` (cuts on multiples of `align`, the last block ends
 * at `units`): for block [lo, hi), argument i is base[i] + lo·perLo[i] + hi·perHi[i].
 */
export interface Job {
  fn: JobFn;
  build: number;
  /** This thread's export of `fn`. */
  local: (...args: number[]) => unknown;
  base: number[];
  perLo: number[];
  perHi: number[];
  units: number;
  align: number;
  blocks: number;
}

interface Thread { handle: ThreadHandle; scratch: F32 }

export class ThreadPool {
  private threads: Thread[] = [];
  /** The control block of the current workers; each restart gets a fresh one, so a stopped worker that
   * has not yet been terminated still reads its own STOP and can never claim a new worker's block. */
  private ctrl = new Int32Array(new SharedArrayBuffer(CTRL_BYTES));
  private args = new Float64Array(this.ctrl.buffer);
  private readonly blocking = canBlock();
  private resizing: Promise<void> = Promise.resolve();
  /** Jobs that ran split over threads, and blocks workers computed (tests check both paths ran). */
  parallelCalls = 0;
  workerBlocks = 0;
  /** How long to wait for a worker beyond the job's own time before declaring it dead (tests shorten it). */
  stallMs = 10_000;
  /** The smallest GEMM (2mnk flops) worth splitting (benchmarks vary it). */
  minParallelFlops = MIN_PARALLEL_FLOPS;
  /** Whether to measure and adapt (tests that need every eligible job split turn it off). */
  adaptive = true;
  /** What measure-and-adapt learned, per thread count. */
  private policies = new Map<number, SplitPolicy>();
  /** The workers' count of polls cut short by being descheduled, as last seen; polling is off until. */
  private preempted = 0;
  private preemptedAt = -Infinity;
  private noPollUntil = 0;

  /** `modules`: the shared-memory builds, in the order a job's `build` indexes them. */
  constructor(private readonly memory: WebAssembly.Memory, private readonly modules: WebAssembly.Module[],
    private readonly heap: Heap, private readonly scratchBytes: number) {}

  /** Threads that run a large job, the calling one included. */
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
    this.ctrl = new Int32Array(new SharedArrayBuffer(CTRL_BYTES));
    this.args = new Float64Array(this.ctrl.buffer);
    this.ctrl[LAYOUT.SPIN_US] = WORKER_SPIN_US;
    this.preempted = 0;
    this.preemptedAt = -Infinity;
    this.noPollUntil = 0;
    const starting = Array.from({ length: threads - 1 }, () => this.start());
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

  private start(): Promise<Thread> {
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
      handle.post({ modules: this.modules, memory: this.memory, ctrl: this.ctrl.buffer, scratch, fns: JOB_FNS, layout: LAYOUT });
    });
  }

  /**
   * Stops every worker. Their scratch goes back to the heap only when they are idle (`idle`): after a
   * stall a worker may still be running, and terminate() takes effect later, so its region is left alone.
   */
  private stopAll(idle = true): void {
    if (this.threads.length === 0) return;
    Atomics.store(this.ctrl, LAYOUT.STOP, 1);
    Atomics.add(this.ctrl, LAYOUT.GEN, 1);
    Atomics.notify(this.ctrl, LAYOUT.GEN);
    for (const t of this.threads) {
      t.handle.terminate();
      if (idle) this.heap.release(t.scratch);
    }
    this.threads = [];
  }

  /** Blocks for `units` (cut on multiples of `align`), each at least `thickness` units: up to BLOCKS_PER_THREAD per thread. */
  blocksFor(units: number, align: number, thickness: number): number {
    const cuts = Math.floor(units / align / Math.max(1, Math.ceil(thickness / align)));
    return Math.max(1, Math.min(this.size * BLOCKS_PER_THREAD, cuts));
  }

  /**
   * C = op(A, B) (+ C) (+ bias, act) split over the threads; `local` is the calling thread's
   * f32_gemm_part; `packed`: B pre-packed by f32_pack_b, or 0. Returns false, doing nothing, when the
   * call should stay on one thread.
   */
  gemm(build: number, local: GemmPart, op: number, m: number, n: number, k: number, a: number, b: number, c: number,
    acc: number, bias: number, act: number, packed: number): boolean {
    // few rows with B not transposed take the gemv path, which computes all of C at once
    if (this.threads.length === 0 || 2 * m * n * k < this.minParallelFlops || (m < GEMM_PACK_MIN_ROWS && op !== GEMM_NT)) return false;
    // split the longer side: a column block packs all of A and its share of B, a row block its share of A
    // and all of B; column cuts fall on multiples of 8 (the tile width, see f32_gemm_part)
    const byCols = n >= m && n >= 16;
    const units = byCols ? n : m, align = byCols ? 8 : 1;
    const blocks = Math.max(Math.min(2, Math.floor(units / align)), this.blocksFor(units, align, MIN_BLOCK_THICKNESS));
    //            m  n  k  i0 i1               j0 j1               a  b  bias  packed  c  op  acc  act
    const base = [m, n, k, 0, byCols ? m : 0, 0, byCols ? 0 : n, a, b, bias, packed, c, op, acc, act];
    const perLo = base.map(() => 0), perHi = base.map(() => 0);
    perLo[byCols ? 5 : 3] = 1;
    perHi[byCols ? 6 : 4] = 1;
    return this.run({ fn: 'f32_gemm_part', build, local: local as Job['local'], base, perLo, perHi, units, align, blocks }, 2 * m * n * k);
  }

  /**
   * Runs `job` (`work`: its cost in any unit proportional to time, e.g. flops) split over the threads or,
   * where that is measured not to pay now, whole on the calling thread. Returns false, doing nothing,
   * when there are no workers or the job is a single block: the caller then runs it itself.
   */
  run(job: Job, work: number): boolean {
    if (this.threads.length === 0 || job.blocks < 2) return false;
    if (!this.adaptive) return this.split(job);
    const size = this.size;
    let policy = this.policies.get(size);
    if (!policy) this.policies.set(size, (policy = new SplitPolicy()));
    const kind = policy.decide(`${job.fn} ${Math.round(Math.log2(work))}`);
    const t0 = performance.now();
    // workers poll after a split job (the next one is likely split too) but stop at once for a whole one:
    // when the cores are contended (another process runs) a polling worker takes CPU from the caller, and
    // a whole job's time must be what one thread alone takes, or splitting would look better than it is
    Atomics.store(this.ctrl, LAYOUT.SPIN_US, kind.splitNow && this.mayPoll(t0) ? WORKER_SPIN_US : 0);
    if (kind.splitNow) this.split(job);
    else this.whole(job);
    policy.record(kind, (performance.now() - t0) / work);
    return true;
  }

  /** Forgets what measure-and-adapt learned (every kind starts timing both ways again). */
  relearn(): void {
    this.policies.clear();
  }

  /** Whether workers may poll after a split job: not for a while after they saw themselves descheduled. */
  private mayPoll(now: number): boolean {
    const preempted = Atomics.load(this.ctrl, LAYOUT.PREEMPTED);
    if (preempted !== this.preempted) {
      if (now - this.preemptedAt < BUSY_WITHIN_MS) this.noPollUntil = now + NO_POLL_MS;
      this.preempted = preempted;
      this.preemptedAt = now;
    }
    return now >= this.noPollUntil;
  }

  /** The job as one block on the calling thread: the same call as without threads. */
  private whole(job: Job): void {
    const args = job.base.map((b, i) => b + job.perHi[i] * job.units);
    job.local(...args);
  }

  private split(job: Job): true {
    const { ctrl, args } = this, L = LAYOUT, nb = job.blocks, nargs = job.base.length;
    this.parallelCalls++;
    ctrl[L.FN] = JOB_FNS.indexOf(job.fn); ctrl[L.BUILD] = job.build; ctrl[L.NARGS] = nargs;
    ctrl[L.UNITS] = job.units; ctrl[L.ALIGN] = job.align;
    for (let i = 0; i < nargs; i++) {
      args[L.ARGS + i] = job.base[i];
      args[L.ARGS + L.MAX_ARGS + i] = job.perLo[i];
      args[L.ARGS + 2 * L.MAX_ARGS + i] = job.perHi[i];
    }
    Atomics.store(ctrl, L.FINISHED, 0);
    Atomics.store(ctrl, L.CLAIM, nb << 16); // publishes the plain stores above
    Atomics.add(ctrl, L.GEN, 1);
    Atomics.notify(ctrl, L.GEN);
    const callArgs = new Array<number>(nargs);
    const runBlock = (block: number) => {
      const lo = cut(block, nb, job.units, job.align), hi = cut(block + 1, nb, job.units, job.align);
      for (let i = 0; i < nargs; i++) callArgs[i] = job.base[i] + lo * job.perLo[i] + hi * job.perHi[i];
      job.local(...callArgs);
    };
    // a worker that died inside a block (killed, out of memory) would leave us waiting forever: give
    // up after stallMs plus a generous bound on the job's own time
    const timeoutMs = this.stallMs + job.units / 1e3;
    let mine = 0;
    try {
      for (let v = Atomics.load(ctrl, L.CLAIM); (v & 0xffff) < nb;) {
        const seen = Atomics.compareExchange(ctrl, L.CLAIM, v, v + 1);
        if (seen !== v) { v = seen; continue; }
        mine++;
        runBlock(v & 0xffff);
        v = Atomics.load(ctrl, L.CLAIM);
      }
    } catch (e) {
      // our own block failed (a trap): close the job, let the workers finish the blocks they took, so
      // nothing still writes into the outputs after we throw and the next job finds the pool settled
      const claimed = Atomics.exchange(ctrl, L.CLAIM, (nb << 16) | nb) & 0xffff;
      this.waitFor(claimed - mine, timeoutMs);
      Atomics.store(ctrl, L.ERRORS, 0);
      throw e;
    }
    this.waitFor(nb - mine, timeoutMs);
    this.workerBlocks += nb - mine;
    if (Atomics.load(ctrl, L.ERRORS) > 0) {
      Atomics.store(ctrl, L.ERRORS, 0);
      throw new Error('bnwasm: a kernel thread failed inside a job');
    }
    return true;
  }

  private waitFor(blocks: number, timeoutMs: number): void {
    const { ctrl } = this;
    let last = Date.now(), deadline = last + timeoutMs;
    for (let spins = 0; ; spins++) {
      const done = Atomics.load(ctrl, LAYOUT.FINISHED);
      if (done >= blocks) return;
      if (spins < LAYOUT.SPIN || (!this.blocking && (spins & 1023) !== 0)) continue;
      const now = Date.now();
      // a pause of the whole process (sleep, SIGSTOP, a debugger) is not the worker's fault
      if (now - last > 1000) deadline += now - last;
      last = now;
      if (now > deadline) {
        this.stopAll(false);
        throw new Error('bnwasm: a kernel thread stopped responding; running on one thread from now on');
      }
      if (this.blocking) Atomics.wait(ctrl, LAYOUT.FINISHED, done, 50);
    }
  }
}

/** Where block `b` of `blocks` starts: cuts on multiples of `align`, the end of the last one at `units`. */
export function cut(b: number, blocks: number, units: number, align: number): number {
  if (b >= blocks) return units;
  return Math.round((b * Math.floor(units / align)) / blocks) * align;
}
