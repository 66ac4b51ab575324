/**
 * Keras-like per-epoch progress bar for `verbose: 1`, drawn by cli-progress in Node and silent
 * elsewhere (browsers, workers). Loaded lazily so bundlers never see the Node-only dependency.
 */
export interface Progress {
  update(done: number, logs: Record<string, number>): void;
  stop(logs: Record<string, number>): void;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node && !!process.stdout;

const format = (logs: Record<string, number>) =>
  Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`).join(' - ');

export async function epochProgress(epoch: number, epochs: number, total: number): Promise<Progress | null> {
  if (!isNode) return null;
  const name = 'cli-progress';
  const { SingleBar } = (await import(/* @vite-ignore */ name)) as typeof import('cli-progress');
  process.stdout.write(`Epoch ${epoch + 1}/${epochs}\n`);
  const start = Date.now();
  const bar = new SingleBar({
    format: ' {value}/{total} [{bar}] {eta_formatted} - {rate} samples/s - {logs}',
    barCompleteChar: '=',
    barIncompleteChar: '.',
    barsize: 30,
    hideCursor: true,
    clearOnComplete: false,
    noTTYOutput: false,
    notTTYSchedule: 2000,
  });
  bar.start(total, 0, { logs: '', rate: '0' });
  const rate = (done: number) => String(Math.round(done / Math.max((Date.now() - start) / 1000, 1e-3)));
  return {
    update: (done, logs) => bar.update(done, { logs: format(logs), rate: rate(done) }),
    stop: (logs) => { bar.update(total, { logs: format(logs), rate: rate(total) }); bar.stop(); },
  };
}
