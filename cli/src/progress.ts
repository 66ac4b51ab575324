import { SingleBar } from 'cli-progress';
import type { Output } from './output.js';

/** One progress bar: an epoch of `train`, or a whole run of `experiment`. */
export interface Bar {
  /** `done` units so far; `status` is the text after the bar (loss, accuracy…). */
  update(done: number, status: string): void;
  stop(status: string): void;
}

/**
 * A cli-progress bar on stderr with the rate and ETA, or, off a terminal (CI, pipes, tests), one
 * summary line per bar so logs stay readable.
 */
export function startBar(out: Output, label: string, total: number, unit: string): Bar {
  const start = performance.now();
  const rate = (done: number) => Math.round(done / Math.max((performance.now() - start) / 1000, 1e-3));
  if (!out.bars) {
    return {
      update: () => {},
      stop: (status) => {
        const seconds = (performance.now() - start) / 1000;
        out.log(`${label} ${total}/${total} ${unit} | ${status} | ${rate(total)} ${unit}/s | ${seconds.toFixed(1)}s`);
      },
    };
  }
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} ${unit} | {status} | {rate} ${unit}/s | ETA {eta_formatted}`,
    barCompleteChar: '=',
    barIncompleteChar: '.',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
    stream: process.stderr,
    etaBuffer: 50,
  });
  bar.start(total, 0, { status: '', rate: '0' });
  return {
    update: (done, status) => bar.update(done, { status, rate: String(rate(done)) }),
    stop: (status) => { bar.update(total, { status, rate: String(rate(total)) }); bar.stop(); },
  };
}
