/**
 * Platform glue for kernel threads: Node's worker_threads or a browser Worker, behind one small handle.
 * Node modules are reached through process.getBuiltinModule (Node ≥ 20.16), never imported, so the
 * browser bundle stays free of `node:` imports.
 */
export interface ThreadHandle {
  post(message: unknown): void;
  /** The thread's first message (its only one: after it, the thread talks through shared memory). */
  onFirstMessage(fn: (data: unknown) => void): void;
  onError(fn: (error: unknown) => void): void;
  terminate(): void;
}

interface NodeWorker {
  postMessage(m: unknown): void;
  on(event: string, fn: (x: unknown) => void): void;
  once(event: string, fn: (x: unknown) => void): void;
  unref(): void;
  terminate(): Promise<number>;
}
type Builtin = <T>(id: string) => T;
const nodeBuiltin = (globalThis as { process?: { getBuiltinModule?: Builtin } }).process?.getBuiltinModule;

/** Whether a shared WebAssembly.Memory can exist here (browsers: only in cross-origin isolated pages). */
export function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false;
}

/** Whether threads can be started here at all. */
export function canSpawnThreads(): boolean {
  return canShareMemory() && (nodeBuiltin !== undefined || typeof Worker === 'function');
}

/** Logical cores available to this process. */
export function hardwareThreads(): number {
  if (nodeBuiltin) return nodeBuiltin<{ availableParallelism(): number }>('node:os').availableParallelism();
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
}

/** Whether this thread may block in Atomics.wait (a browser's main thread may not). */
export function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts a thread running `source` (a self-contained script). */
export function spawnThread(source: string): ThreadHandle {
  if (nodeBuiltin) {
    const { Worker: NodeWorkerClass } = nodeBuiltin<{ Worker: new (src: string, o: { eval: boolean }) => NodeWorker }>('node:worker_threads');
    const w = new NodeWorkerClass(source, { eval: true });
    w.unref(); // an idle kernel thread must not keep the process alive
    return {
      post: (m) => w.postMessage(m),
      // `once`: a standing 'message' listener keeps the process alive despite unref()
      onFirstMessage: (fn) => w.once('message', fn),
      onError: (fn) => w.on('error', fn),
      terminate: () => void w.terminate(),
    };
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const w = new Worker(url);
  // the URL may be fetched after the constructor returns; once the worker has spoken it is not needed
  w.addEventListener('message', () => URL.revokeObjectURL(url), { once: true });
  return {
    post: (m) => w.postMessage(m),
    onFirstMessage: (fn) => w.addEventListener('message', (e) => fn(e.data), { once: true }),
    onError: (fn) => w.addEventListener('error', (e) => fn(e.message ?? e)),
    terminate: () => w.terminate(),
  };
}
