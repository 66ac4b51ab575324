import { once } from 'node:events';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as bw from 'bnwasm';
import { ready } from './backend.js';
import { readDataset } from './dataset.js';
import { fail } from './errors.js';
import { argmax } from './metrics.js';
import { consoleOutput, type Output } from './output.js';
import { checkOutFile } from './out-dir.js';
import { applyEncoding, fillSummary, inputCount, lookupOf } from './encoding.js';
import { applyScaling, encodingOf, readPreprocessing } from './preprocessing.js';

export interface PredictOptions {
  /** Output CSV path, or '-' for stdout. */
  out: string;
}

/** Loads model.json; the library's loader errors (bad JSON, unknown layer, truncated weights) become one line. */
async function load(dir: string): Promise<bw.Sequential> {
  try {
    return await bw.loadModel(join(dir, 'model.json'));
  } catch (e) {
    fail(`${dir} is not a loadable bnwasm/TF.js model: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

/**
 * `bnwasm predict`: one output row per input row, `prediction` (the label as written in the training
 * file, or the regression value) and, for classification, `p_<label>` per class. Columns the model
 * was not trained on (such as the label) are ignored. The output is written in blocks of rows; the
 * records are also returned (for files of up to 100,000 rows; beyond that only the header, so memory stays flat).
 */
export async function predict(modelDir: string, file: string, opts: PredictOptions, out: Output = consoleOutput()): Promise<string[][]> {
  const prep = readPreprocessing(modelDir);
  if (opts.out !== '-') checkOutFile(opts.out, '--out');
  await ready();
  const model = await load(modelDir);
  const inputs = model.inputShape?.[0];
  const encodings = encodingOf(prep), width = encodings.reduce((w, e) => w + inputCount(e), 0);
  if (inputs !== width) {
    fail(`${modelDir}: model.json expects ${inputs} inputs but preprocessing.json describes ${width}`);
  }
  // the training encoding: its categories, 0/1 words and fill values, whatever this file holds
  const data = await readDataset(file, { features: prep.featureColumns, lookups: encodings.map(lookupOf) });
  const rows = data.rows;
  const encoded = applyEncoding(data.x, rows, data.width, encodings, encodings.map((_e, k) => k));
  const x = encoded.x;
  // with --out - stdout is the predictions: notes go to stderr
  const note = (line: string) => { if (line) (opts.out === '-' ? out.warn : out.log)(line); };
  note(fillSummary(encodings, encoded.filled));
  const unseen = encodings.flatMap((e, k) => (encoded.unseen[k] ? [`${e.column} ${encoded.unseen[k]}`] : []));
  if (unseen.length) note(`values no training row had (no category's input is set; a yes/no column gets its fill value): ${unseen.join(' · ')}`);
  if (prep.featureScaling) applyScaling(x, prep.featureScaling);
  const y = model.predict(new bw.Tensor(x, [rows, inputs])).dataSync();

  const classification = prep.task === 'classification';
  const k = prep.classes.length, t = prep.targetScaling ?? { mean: 0, std: 1 };
  const header = classification ? ['prediction', ...prep.classes.map((c) => `p_${c}`)] : ['prediction'];
  const names = prep.classes.map(csvField);
  const record = (i: number) => (classification
    ? [prep.classes[argmax(y, k, i)], ...Array.from(y.subarray(i * k, (i + 1) * k), (p) => p.toFixed(6))]
    : [String(Number((y[i] * t.std + t.mean).toPrecision(7)))]);
  const line = (i: number) => {
    if (!classification) return String(Number((y[i] * t.std + t.mean).toPrecision(7)));
    let text = names[argmax(y, k, i)];
    for (let j = 0; j < k; j++) text += ',' + y[i * k + j].toFixed(6);
    return text;
  };
  // written in blocks of rows, so a large file's predictions are never one string (and a slow pipe is waited for)
  const fd = opts.out === '-' ? null : openSync(opts.out, 'w');
  const write = async (text: string) => {
    if (fd !== null) writeSync(fd, text);
    else if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  };
  const records: string[][] = [header];
  try {
    await write(header.map(csvField).join(',') + '\n');
    for (let from = 0; from < rows; from += 512) {
      const to = Math.min(rows, from + 512);
      let block = '';
      for (let i = from; i < to; i++) block += line(i) + '\n';
      await write(block);
      if (rows <= 100_000) for (let i = from; i < to; i++) records.push(record(i));
    }
  } finally {
    if (fd !== null) closeSync(fd);
  }
  if (fd !== null) out.log(`wrote ${rows} predictions to ${opts.out}`);
  return records;
}

/** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
