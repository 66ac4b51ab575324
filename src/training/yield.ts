import { fail } from '../util/validate.js';

/**
 * fit's yieldEvery, as TF.js defines it: 'auto' (the default) yields to the event loop whenever 125 ms of
 * training have passed since the last yield, so a page keeps painting and handling input; 'batch' and
 * 'epoch' yield after each; 'never' never does; a number is a period in milliseconds.
 */
export type YieldEvery = 'auto' | 'batch' | 'epoch' | 'never' | number;

/** TF.js's period for 'auto'. */
const AUTO_MS = 125;

/**
 * One turn of the event loop: a macrotask (a resolved Promise would only run microtasks and starve
 * rendering). setImmediate in Node; a MessageChannel message in browsers (no 4 ms clamp as setTimeout, and
 * unlike requestAnimationFrame it still runs in a background tab).
 */
export function nextTurn(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => void; MessageChannel?: typeof MessageChannel };
  if (g.setImmediate) return new Promise((resolve) => g.setImmediate!(resolve));
  if (g.MessageChannel) {
    return new Promise((resolve) => {
      const { port1, port2 } = new g.MessageChannel!();
      port1.onmessage = () => { port1.close(); resolve(); };
      port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class Yielder {
  private readonly mode: 'batch' | 'epoch' | 'never' | 'time';
  private readonly periodMs: number;
  private last = Date.now();

  constructor(value: unknown, private readonly now: () => number = Date.now) {
    if (value === undefined || value === 'auto') { this.mode = 'time'; this.periodMs = AUTO_MS; }
    else if (value === 'batch' || value === 'epoch' || value === 'never') { this.mode = value; this.periodMs = 0; }
    else if (typeof value === 'number' && Number.isFinite(value) && value >= 0) { this.mode = 'time'; this.periodMs = value; }
    else fail('fit: yieldEvery', "'auto', 'batch', 'epoch', 'never' or a number of milliseconds >= 0", value);
    this.last = this.now();
  }

  /** After a batch: whether fit should yield now. */
  afterBatch(): boolean {
    if (this.mode === 'batch') return true;
    if (this.mode !== 'time') return false;
    const t = this.now();
    if (t - this.last < this.periodMs) return false;
    this.last = t;
    return true;
  }

  /** After an epoch: whether fit should yield now. */
  afterEpoch(): boolean {
    return this.mode === 'epoch';
  }

  /** Restarts the clock after a yield (time spent outside fit does not count towards the period). */
  yielded(): void {
    this.last = this.now();
  }
}
