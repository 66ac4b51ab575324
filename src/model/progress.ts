/**
 * Keras-like per-epoch progress bar for `verbose: 1`, written to stderr in Node (stdout stays clean for
 * data) and silent elsewhere (browsers, workers). On a terminal the bar redraws in place a few times a
 * second; into a file or pipe it writes one line every two seconds and the epoch's final line.
 */
export interface Progress {
  update(done: number, logs: Record<string, number>): void;
  stop(logs: Record<string, number>): void;
}

/** The slice of a Node stream the bar needs; a parameter so tests can capture what it writes. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

const WIDTH = 30;

const stderr = (): ProgressStream | null =>
  typeof process !== 'undefined' && !!process.versions?.node && !!process.stderr ? process.stderr : null;

const format = (logs: Record<string, number>) =>
  Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`).join(' - ');

const seconds = (s: number) => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`);

/** ` 320/1437 [======>.......................] - ETA: 2s - 950 samples/s - loss: 0.4123` */
export function progressLine(done: number, total: number, elapsedSeconds: number, logs: Record<string, number>): string {
  const filled = total > 0 ? Math.min(WIDTH, Math.floor((done / total) * WIDTH)) : WIDTH;
  const bar = done >= total ? '='.repeat(WIDTH) : `${'='.repeat(Math.max(filled - 1, 0))}>${'.'.repeat(WIDTH - Math.max(filled, 1))}`;
  const rate = done / Math.max(elapsedSeconds, 1e-3);
  const time = done >= total ? seconds(elapsedSeconds) : `ETA: ${seconds(rate > 0 ? (total - done) / rate : 0)}`;
  const tail = format(logs);
  return ` ${String(done).padStart(String(total).length)}/${total} [${bar}] - ${time} - ${Math.round(rate)} samples/s${tail ? ` - ${tail}` : ''}`;
}

export async function epochProgress(
  epoch: number, epochs: number, total: number, stream: ProgressStream | null = stderr(),
): Promise<Progress | null> {
  if (!stream) return null;
  const out = stream;
  const tty = !!out.isTTY;
  const start = Date.now();
  const every = tty ? 100 : 2000;
  let last = start;
  out.write(`Epoch ${epoch + 1}/${epochs}\n`);
  const draw = (done: number, logs: Record<string, number>, final: boolean) => {
    const line = progressLine(done, total, (Date.now() - start) / 1000, logs);
    out.write(tty ? `\r${line}\x1b[K${final ? '\n' : ''}` : `${line}\n`);
  };
  return {
    update: (done, logs) => {
      const now = Date.now();
      if (now - last < every) return;
      last = now;
      draw(done, logs, false);
    },
    stop: (logs) => draw(total, logs, true),
  };
}
