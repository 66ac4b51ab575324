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
    fns: string[];
    layout: { GEN: number; CLAIM: number; FINISHED: number; ERRORS: number; STOP: number; FN: number; BUILD: number;
      NARGS: number; UNITS: number; ALIGN: number; SPIN_US: number; PREEMPTED: number; ARGS: number; MAX_ARGS: number };
  }
  type Fn = (...args: number[]) => unknown;
  /** A gap this long between two readings of the clock while polling: this thread lost its core. */
  const DESCHEDULED_MS = 1;
  // Node runs this as an eval'd worker_threads Worker (its port is a builtin module's); browsers as a classic Worker (self)
  const g = globalThis as unknown as { process?: { getBuiltinModule?: (id: string) => { parentPort: MessagePort } }; self: MessagePort };
  const node = g.process?.getBuiltinModule;
  const port: MessagePort = node ? node('node:worker_threads').parentPort : g.self;
  const onInit = (event: MessageEvent<Init>) => {
    port.removeEventListener('message', onInit);
    const { modules, memory, ctrl: buffer, scratch, fns, layout: L } = event.data;
    let exports: Fn[][];
    try {
      exports = modules.map((m) => {
        const x = new WebAssembly.Instance(m, { env: { memory } }).exports as Record<string, Fn>;
        x.set_scratch(scratch); // this thread's own packing region
        return fns.map((name) => x[name]);
      });
    } catch (e) {
      port.postMessage({ error: String(e) });
      return;
    }
    const ctrl = new Int32Array(buffer), args = new Float64Array(buffer);
    const call: number[] = [];
    const cut = (b: number, blocks: number, units: number, align: number) =>
      (b >= blocks ? units : Math.round((b * Math.floor(units / align)) / blocks) * align);
    /** Claims and runs blocks of the current job until none is left. */
    const work = () => {
      for (let v = Atomics.load(ctrl, L.CLAIM); (v & 0xffff) < v >>> 16;) {
        const seen = Atomics.compareExchange(ctrl, L.CLAIM, v, v + 1);
        if (seen !== v) { v = seen; continue; }
        // the claim succeeded, so this job is not finished and its arguments are stable until we are
        const block = v & 0xffff, blocks = v >>> 16, units = ctrl[L.UNITS], align = ctrl[L.ALIGN], n = ctrl[L.NARGS];
        const lo = cut(block, blocks, units, align), hi = cut(block + 1, blocks, units, align);
        call.length = n;
        for (let i = 0; i < n; i++) call[i] = args[L.ARGS + i] + lo * args[L.ARGS + L.MAX_ARGS + i] + hi * args[L.ARGS + 2 * L.MAX_ARGS + i];
        try {
          exports[ctrl[L.BUILD]][ctrl[L.FN]](...call);
        } catch {
          Atomics.add(ctrl, L.ERRORS, 1);
        }
        Atomics.add(ctrl, L.FINISHED, 1);
        Atomics.notify(ctrl, L.FINISHED);
        v = Atomics.load(ctrl, L.CLAIM);
      }
    };
    port.postMessage({ ready: true });
    for (;;) {
      // poll a little before sleeping (the pool sets how long): jobs come back to back, and a futex
      // wake-up costs tens of µs; a gap in our own clock means we were descheduled (another process
      // wants the core), so we stop polling and tell the pool
      let last = performance.now();
      const until = last + ctrl[L.SPIN_US] / 1000;
      // (the pool sets SPIN_US to 0 to stop us at once: a job it runs whole must not share a core with us)
      while ((Atomics.load(ctrl, L.CLAIM) & 0xffff) >= Atomics.load(ctrl, L.CLAIM) >>> 16 && !Atomics.load(ctrl, L.STOP) && Atomics.load(ctrl, L.SPIN_US) > 0) {
        const now = performance.now();
        if (now - last > DESCHEDULED_MS) { Atomics.add(ctrl, L.PREEMPTED, 1); break; }
        if (now >= until) break;
        last = now;
      }
      const gen = Atomics.load(ctrl, L.GEN);
      if (Atomics.load(ctrl, L.STOP)) break;
      const v = Atomics.load(ctrl, L.CLAIM);
      if ((v & 0xffff) < v >>> 16) work();
      // nothing open: sleep until the next job is published (GEN moves after CLAIM opens)
      else Atomics.wait(ctrl, L.GEN, gen);
    }
    port.close();
  };
  port.addEventListener('message', onInit as EventListener);
  (port as unknown as { start?: () => void }).start?.();
}

export const workerSource = `(${workerMain.toString()})();\n`;
