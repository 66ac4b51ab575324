/**
 * The body of a kernel worker thread. It is sent as source text (`workerSource`), so no worker file has
 * to be found at run time by Node, a bundler or a page; it therefore references nothing outside itself.
 * The protocol (control block layout, job codes) is pool.ts's and arrives in the first message.
 */
/* eslint-disable */
export function workerMain(): void {
  interface Init {
    modules: WebAssembly.Module[];
    memory: WebAssembly.Memory;
    ctrl: SharedArrayBuffer;
    scratch: number;
    slot: number;
    layout: { GEN: number; DONE: number; ERRORS: number; SLOTS: number; SLOT: number; STATE: number; JOB_STOP: number;
      OPEN: number; TAKEN: number; FINISHED: number; WORKER_SPIN_MS: number };
  }
  type Part = (...args: number[]) => void;
  // Node runs this as an eval'd worker_threads Worker (its port is a builtin module's); browsers as a classic Worker (self)
  const g = globalThis as unknown as { process?: { getBuiltinModule?: (id: string) => { parentPort: MessagePort } }; self: MessagePort };
  const node = g.process?.getBuiltinModule;
  const port: MessagePort = node ? node('node:worker_threads').parentPort : g.self;
  const onInit = (event: MessageEvent<Init>) => {
    port.removeEventListener('message', onInit);
    const { modules, memory, ctrl: buffer, scratch, slot, layout: L } = event.data;
    let parts: Part[];
    try {
      parts = modules.map((m) => {
        const x = new WebAssembly.Instance(m, { env: { memory } }).exports as Record<string, Function>;
        x.set_scratch(scratch); // this thread's own packing region
        return x.f32_gemm_part as Part;
      });
    } catch (e) {
      port.postMessage({ error: String(e) });
      return;
    }
    // the generation to wait past is read before saying ready: the first job may be posted right after
    const ctrl = new Int32Array(buffer), s = L.SLOTS + slot * L.SLOT;
    let seen = Atomics.load(ctrl, L.GEN);
    port.postMessage({ ready: true });
    for (;;) {
      // poll a little before sleeping: GEMMs come back to back, and a futex wake-up costs tens of µs
      const until = performance.now() + L.WORKER_SPIN_MS;
      while (Atomics.load(ctrl, L.GEN) === seen && performance.now() < until);
      Atomics.wait(ctrl, L.GEN, seen);
      const gen = Atomics.load(ctrl, L.GEN);
      if (gen === seen) continue;
      seen = gen;
      if (ctrl[s] === L.JOB_STOP) break;
      // claim the slot; the caller may have taken it back already (it runs unclaimed blocks itself)
      if (Atomics.compareExchange(ctrl, s + L.STATE, L.OPEN, L.TAKEN) !== L.OPEN) continue;
      try {
        // the slot holds op, m, n, k, a, b, c, acc, bias, act, i0, i1, j0, j1, packed; f32_gemm_part takes them in ABI order
        parts[ctrl[s + 1]](ctrl[s + 3], ctrl[s + 4], ctrl[s + 5], ctrl[s + 12], ctrl[s + 13], ctrl[s + 14], ctrl[s + 15],
          ctrl[s + 6], ctrl[s + 7], ctrl[s + 10], ctrl[s + 16], ctrl[s + 8], ctrl[s + 2], ctrl[s + 9], ctrl[s + 11]);
      } catch {
        Atomics.add(ctrl, L.ERRORS, 1);
      }
      Atomics.store(ctrl, s + L.STATE, L.FINISHED);
      Atomics.add(ctrl, L.DONE, 1);
      Atomics.notify(ctrl, L.DONE);
    }
    port.close();
  };
  port.addEventListener('message', onInit as EventListener);
  (port as unknown as { start?: () => void }).start?.();
}

export const workerSource = `(${workerMain.toString()})();\n`;
