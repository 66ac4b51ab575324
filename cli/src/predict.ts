import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import * as bw from 'bnwasm';
import { ready } from './backend.js';
import { readTable } from './csv.js';
import { featureMatrix } from './dataset.js';
import { fail } from './errors.js';
import { argmax } from './metrics.js';
import { consoleOutput, type Output } from './output.js';
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
 * was not trained on (such as the label) are ignored.
 */
export async function predict(modelDir: string, file: string, opts: PredictOptions, out: Output = consoleOutput()): Promise<string[][]> {
  const prep = readPreprocessing(modelDir);
  await ready();
  const model = await load(modelDir);
  const inputs = model.inputShape?.[0];
  if (inputs !== prep.featureColumns.length) {
    fail(`${modelDir}: model.json expects ${inputs} inputs but preprocessing.json lists ${prep.featureColumns.length} feature columns`);
  }
  const table = readTable(file);
  const x = featureMatrix(table, prep.featureColumns);
  if (prep.featureScaling) applyScaling(x, prep.featureScaling);
  const rows = table.rows.length;
  const y = model.predict(bw.tensor(x, [rows, inputs])).dataSync();

  let records: string[][];
  if (prep.task === 'classification') {
    const k = prep.classes.length;
    records = [['prediction', ...prep.classes.map((c) => `p_${c}`)]];
    for (let i = 0; i < rows; i++) {
      records.push([prep.classes[argmax(y, k, i)], ...Array.from(y.subarray(i * k, (i + 1) * k), (p) => p.toFixed(6))]);
    }
  } else {
    const t = prep.targetScaling ?? { mean: 0, std: 1 };
    records = [['prediction']];
    for (let i = 0; i < rows; i++) records.push([String(Number((y[i] * t.std + t.mean).toPrecision(7)))]);
  }
  const text = stringify(records);
  if (opts.out === '-') process.stdout.write(text);
  else {
    writeFileSync(opts.out, text);
    out.log(`wrote ${rows} predictions to ${opts.out}`);
  }
  return records;
}
