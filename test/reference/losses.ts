/**
 * Losses, float64: the spec for assembly/loss/ and src/backend/js/losses.ts (Keras/TF.js conventions).
 * Every loss returns the SUM over rows of the per-row loss; gradients are of the MEAN over rows.
 * Probabilities are clipped to [1e-7, 1 − 1e-7] and the gradient is 0 where the clip is active
 * (mask = [1e-7 < p < 1 − 1e-7]). Each *Loss function is the plain scalar, for finite differences.
 */
import { softmax } from './softmax.js';

type Vec = ArrayLike<number>;
export const EPS = 1e-7;
/** 1 − 1e-7 rounded to float32 (1 − 2⁻²³): the bound Keras and TF.js clip float32 probabilities to. */
const HI = Math.fround(1 - EPS);
const clip = (p: number) => Math.min(Math.max(p, EPS), HI);
const inside = (p: number) => p > EPS && p <= HI;

/** probs = softmax(logits), loss = −Σ t·log(clip p), dlogits = (p·S − t·mask)/rows, S = Σⱼ t·mask. */
export function softmaxCrossEntropy(rows: number, cols: number, logits: Vec, t: Vec) {
  const probs = softmax(rows, cols, logits);
  const dlogits = new Float64Array(rows * cols);
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    let S = 0;
    for (let j = 0; j < cols; j++) {
      const p = probs[i * cols + j], tj = t[i * cols + j];
      loss -= tj * Math.log(clip(p));
      if (inside(p)) S += tj;
    }
    for (let j = 0; j < cols; j++) {
      const p = probs[i * cols + j];
      dlogits[i * cols + j] = (p * S - (inside(p) ? t[i * cols + j] : 0)) / rows;
    }
  }
  return { loss, probs, dlogits };
}

export function softmaxCrossEntropyLoss(rows: number, cols: number, logits: Vec, t: Vec): number {
  const probs = softmax(rows, cols, logits);
  let loss = 0;
  for (let i = 0; i < rows * cols; i++) loss -= t[i] * Math.log(clip(probs[i]));
  return loss;
}

/** q = p/Σp per row, loss = −Σ t·log(clip q); dp = (S − mask·t/q)/(Σp·rows), S = Σⱼ mask·t. */
export function crossEntropy(rows: number, cols: number, p: Vec, t: Vec) {
  const dp = new Float64Array(rows * cols);
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    let sum = 0, S = 0;
    for (let j = 0; j < cols; j++) sum += p[i * cols + j];
    for (let j = 0; j < cols; j++) {
      const q = p[i * cols + j] / sum, tj = t[i * cols + j];
      loss -= tj * Math.log(clip(q));
      if (inside(q)) S += tj;
    }
    for (let j = 0; j < cols; j++) {
      const q = p[i * cols + j] / sum;
      dp[i * cols + j] = (S - (inside(q) ? t[i * cols + j] / q : 0)) / (sum * rows);
    }
  }
  return { loss, dp };
}

export function crossEntropyLoss(rows: number, cols: number, p: Vec, t: Vec): number {
  let loss = 0;
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += p[i * cols + j];
    for (let j = 0; j < cols; j++) loss -= t[i * cols + j] * Math.log(clip(p[i * cols + j] / sum));
  }
  return loss;
}

/** loss_row = meanⱼ −(t·log pc + (1 − t)·log(1 − pc)); dp = mask·(−t/pc + (1 − t)/(1 − pc))/(rows·cols). */
export function binaryCrossEntropy(rows: number, cols: number, p: Vec, t: Vec) {
  const n = rows * cols, dp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const pc = clip(p[i]);
    dp[i] = inside(p[i]) ? (-t[i] / pc + (1 - t[i]) / (1 - pc)) / n : 0;
  }
  return { loss: binaryCrossEntropyLoss(rows, cols, p, t), dp };
}

export function binaryCrossEntropyLoss(rows: number, cols: number, p: Vec, t: Vec): number {
  let loss = 0;
  for (let i = 0; i < rows * cols; i++) {
    const pc = clip(p[i]);
    loss -= t[i] * Math.log(pc) + (1 - t[i]) * Math.log(1 - pc);
  }
  return loss / cols;
}

/** loss_row = meanⱼ (p − t)²; dp = 2(p − t)/(rows·cols). */
export function meanSquaredError(rows: number, cols: number, p: Vec, t: Vec) {
  const n = rows * cols;
  return { loss: meanSquaredErrorLoss(rows, cols, p, t), dp: Float64Array.from(p, (v, i) => (2 * (v - t[i])) / n) };
}

export function meanSquaredErrorLoss(rows: number, cols: number, p: Vec, t: Vec): number {
  let loss = 0;
  for (let i = 0; i < rows * cols; i++) loss += (p[i] - t[i]) ** 2;
  return loss / cols;
}
