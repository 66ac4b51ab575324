import { describe, expect, it } from 'vitest';
import { epochProgress, progressLine } from '../../src/model/progress.js';

const capture = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (t: string) => chunks.push(t) } };
};

describe('verbose: 1 progress bar', () => {
  it('draws a Keras-style line: count, bar, time, rate, logs', () => {
    const line = progressLine(320, 1437, 0.5, { loss: 0.41234, accuracy: 0.9 });
    expect(line).toMatch(/^  320\/1437 \[=====>\.{24}\] - ETA: 2s - 640 samples\/s - loss: 0\.4123 - accuracy: 0\.9000$/);
    const done = progressLine(1437, 1437, 75, { loss: 0.1 });
    expect(done).toContain(`[${'='.repeat(30)}] - 1m15s - 19 samples/s - loss: 0.1000`);
  });

  it('into a pipe: the epoch header and one final line, no escape codes', async () => {
    const { chunks, stream } = capture(false);
    const bar = await epochProgress(1, 3, 100, stream);
    bar!.update(50, { loss: 1 }); // within two seconds of the start: not drawn
    bar!.stop({ loss: 0.5, val_loss: 0.75 });
    expect(chunks[0]).toBe('Epoch 2/3\n');
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toMatch(/^ 100\/100 \[=+\] - \d+s - \d+ samples\/s - loss: 0\.5000 - val_loss: 0\.7500\n$/);
    expect(chunks.join('')).not.toContain('\x1b');
  });

  it('on a terminal: redraws in place and ends the epoch with a newline', async () => {
    const { chunks, stream } = capture(true);
    const bar = await epochProgress(0, 1, 10, stream);
    bar!.stop({ loss: 2 });
    expect(chunks[1].startsWith('\r')).toBe(true);
    expect(chunks[1].endsWith('\x1b[K\n')).toBe(true);
  });

  it('is silent without a stream (browsers, workers)', async () => {
    expect(await epochProgress(0, 1, 10, null)).toBeNull();
  });
});
