import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import * as bw from 'bnwasm';
import { ready } from './backend.js';
import { readDataset } from './dataset.js';
import { fail } from './errors.js';
import { argmax } from './metrics.js';
import { consoleOutput, type Output } from './output.js';
import { checkOutFile } from './out-dir.js';
import { applyScaling, readPreprocessing } from './preprocessing.js';

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
  if (inputs !== prep.featureColumns.length) {
    fail(`${modelDir}: model.json expects ${inputs} inputs but preprocessing.json lists ${prep.featureColumns.length} feature columns`);
  }
  const data = await readDataset(file, { features: prep.featureColumns });
  const x = data.x, rows = data.rows;
  if (prep.featureScaling) applyScaling(x, prep.featureScaling);
  const y = model.predict(new bw.Tensor(x, [rows, inputs])).dataSync();

  const classification = prep.task === 'classification';
  const k = prep.classes.length, t = prep.targetScaling ?? { mean: 0, std: 1 };
  const header = classification ? ['prediction', ...prep.classes.map((c) => `p_${c}`)] : ['prediction'];
  const record = (i: number) => (classification
    ? [prep.classes[argmax(y, k, i)], ...Array.from(y.subarray(i * k, (i + 1) * k), (p) => p.toFixed(6))]
    : [String(Number((y[i] * t.std + t.mean).toPrecision(7)))]);
  // written in blocks of rows, so a large file's predictions are never one string
  const fd = opts.out === '-' ? null : openSync(opts.out, 'w');
  const write = (text: string) => (fd === null ? process.stdout.write(text) : writeSync(fd, text));
  const records: string[][] = [header];
  try {
    write(stringify([header]));
    for (let from = 0; from < rows; from += 512) {
      const block: string[][] = [];
      for (let i = from; i < Math.min(rows, from + 512); i++) block.push(record(i));
      write(stringify(block));
      if (rows <= 100_000) records.push(...block);
    }
  } finally {
    if (fd !== null) closeSync(fd);
  }
  if (fd !== null) out.log(`wrote ${rows} predictions to ${opts.out}`);
  return records;
}
