import type { Sequential } from './sequential.js';

const shape = (s: number[] | null) => (s ? `(None, ${s.join(', ')})` : '(unbuilt)');

/** Keras's model.summary() table. */
export function summary(model: Sequential): string {
  const rows = model.layers.map((l) => {
    const c = l.countParams();
    return [`${l.name} (${l.className})`, shape(l.outputShape), String(c.trainable + c.nonTrainable)];
  });
  const head = ['Layer (type)', 'Output Shape', 'Param #'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)) + 2);
  const line = (r: string[]) => r.map((cell, i) => cell.padEnd(w[i])).join(' ').trimEnd();
  const width = w.reduce((a, b) => a + b + 1, 0);
  let trainable = 0, nonTrainable = 0;
  for (const l of model.layers) { const c = l.countParams(); trainable += c.trainable; nonTrainable += c.nonTrainable; }
  return [
    `Model: "${model.name}"`,
    '_'.repeat(width),
    line(head),
    '='.repeat(width),
    ...rows.flatMap((r, i) => [line(r), (i < rows.length - 1 ? '_' : '=').repeat(width)]),
    `Total params: ${(trainable + nonTrainable).toLocaleString('en-US')}`,
    `Trainable params: ${trainable.toLocaleString('en-US')}`,
    `Non-trainable params: ${nonTrainable.toLocaleString('en-US')}`,
    '_'.repeat(width),
  ].join('\n');
}
