import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Task } from './dataset.js';
import type { ColumnEncoding } from './encoding.js';
import { fail } from './errors.js';

/** Per-column mean and standard deviation (population; a constant column gets std 1). */
export interface Scaling { mean: number[]; std: number[] }

/**
 * What `predict` needs besides the weights, written beside model.json as preprocessing.json: which
 * columns feed the model (and in what order), how each becomes inputs (missing cells, text), how its
 * outputs map back to labels, and the scaling applied before the model (features only without a leading
 * BatchNormalization; regression targets always).
 */
export interface Preprocessing {
  format: 'bnwasm-preprocessing';
  /** 1: every feature column is one number input, with no missing cells (before text and missing cells were encoded). */
  version: 1 | 2;
  task: Task;
  label: string;
  /** The CSV columns read, in order. */
  featureColumns: string[];
  /** Version 2: per feature column, how it becomes inputs. */
  encoding?: ColumnEncoding[];
  /** Version 2: the model's input names (a text column's categories are `column=value`). */
  inputs?: string[];
  /** Classification: the label text of output unit i. */
  classes: string[];
  /** z-scoring of the inputs, or null when the model's first layer (BatchNormalization) does it. */
  featureScaling: Scaling | null;
  /** Regression: the model predicts (y − mean) / std; null for classification. */
  targetScaling: { mean: number; std: number } | null;
}

export const PREPROCESSING_FILE = 'preprocessing.json';

/** Column statistics of a row-major matrix (float64 sums, two passes: exact enough for offset columns). */
export function columnScaling(x: Float32Array, width: number): Scaling {
  const rows = x.length / width;
  const mean = new Float64Array(width), sq = new Float64Array(width);
  for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) mean[j] += x[r * width + j];
  for (let j = 0; j < width; j++) mean[j] /= rows;
  for (let r = 0; r < rows; r++) for (let j = 0; j < width; j++) sq[j] += (x[r * width + j] - mean[j]) ** 2;
  const std = Array.from(sq, (s) => Math.sqrt(s / rows) || 1);
  return { mean: Array.from(mean), std };
}

/** In place: x[i, j] = (x[i, j] − mean[j]) / std[j]. */
export function applyScaling(x: Float32Array, s: Scaling): void {
  const width = s.mean.length;
  for (let i = 0; i < x.length; i++) { const j = i % width; x[i] = (x[i] - s.mean[j]) / s.std[j]; }
}

export function writePreprocessing(dir: string, p: Preprocessing): void {
  writeFileSync(join(dir, PREPROCESSING_FILE), JSON.stringify(p, null, 2) + '\n');
}

/** Reads and checks a model directory's preprocessing.json; anything else is "not a bnwasm model". */
export function readPreprocessing(dir: string): Preprocessing {
  const file = join(dir, PREPROCESSING_FILE);
  if (!existsSync(dir)) fail(`model directory ${dir} does not exist`);
  if (!existsSync(join(dir, 'model.json'))) fail(`${dir} is not a bnwasm/TF.js model directory: it has no model.json`);
  if (!existsSync(file)) fail(`${dir} has a model.json but no ${PREPROCESSING_FILE}; bnwasm predict needs a model written by 'bnwasm train'`);
  let p: Preprocessing;
  try {
    p = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    fail(`${file} is not valid JSON; was it written by 'bnwasm train'?`);
  }
  const ok = p && p.format === 'bnwasm-preprocessing' && Array.isArray(p.featureColumns) && p.featureColumns.length > 0
    && (p.task === 'classification' || p.task === 'regression') && Array.isArray(p.classes)
    && (p.version === 1 || (p.version === 2 && Array.isArray(p.encoding) && p.encoding.length === p.featureColumns.length));
  if (!ok) fail(`${file} is not a bnwasm preprocessing file (expected format 'bnwasm-preprocessing' with featureColumns, task and classes)`);
  return p;
}

/** The encoding of a preprocessing file: a version 1 file's columns are plain numbers that it cannot fill. */
export function encodingOf(p: Preprocessing): ColumnEncoding[] {
  return p.encoding ?? p.featureColumns.map((column) => ({ column, kind: 'number', fill: null, indicator: false }));
}
