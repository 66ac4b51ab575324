import { lineChart, type Figure } from './charts.js';
import { NOISE, type Claim, type Verdict } from './claims.js';
import { CNN_BATCH, CNN_DESCRIPTION, type CnnRun } from './cnn.js';
import type { Budget } from './config.js';
import { outcome, pct, variant } from './results.js';
import type { RunResult } from './runner.js';
import type { DataTable } from './tables.js';

const reached = (r: RunResult) => (r.stepsTo95 === null ? 'never' : String(r.stepsTo95));
const ending = (r: RunResult) => (outcome(r) === 'diverged' ? `diverged at step ${r.divergedAt}` : outcome(r) === 'stuck' ? `stuck at ${pct(r.final.heldOutAccuracy)}` : pct(r.final.heldOutAccuracy));

/**
 * Which network trained better at one rate: the one that reached 95% held-out accuracy first (or alone);
 * when neither or both at the same step, the one with the higher final accuracy (beyond NOISE). 1 = BN, −1 = without, 0 = a tie.
 */
export function cnnWinner({ withBN: b, withoutBN: n }: CnnRun): 1 | -1 | 0 {
  const score = (r: RunResult) => (r.divergedAt !== null ? 0 : r.final.heldOutAccuracy);
  if (b.stepsTo95 !== n.stepsTo95) {
    if (n.stepsTo95 === null) return 1;
    if (b.stepsTo95 === null) return -1;
    return b.stepsTo95 < n.stepsTo95 ? 1 : -1;
  }
  const d = score(b) - score(n);
  return Math.abs(d) < NOISE ? 0 : d > 0 ? 1 : -1;
}

export function judgeCnn(runs: CnnRun[]): Claim {
  const wins = runs.map(cnnWinner);
  const better = wins.filter((w) => w > 0).length, worse = wins.filter((w) => w < 0).length;
  const verdict: Verdict = better > 0 && worse === 0 ? 'held' : worse > 0 && better === 0 ? 'did not hold' : 'inconclusive';
  return {
    claim: 'helps a convolutional network train (same initial kernels, same batches)',
    verdict,
    evidence: `CNN on 8×8×1 digits, plain SGD: BN trained better at ${better} of ${runs.length} learning rates, worse at ${worse}; ${runs.map((r) =>
      `lr ${r.learningRate}: steps to 95% ${reached(r.withBN)} with BN vs ${reached(r.withoutBN)} without, final ${ending(r.withBN)} vs ${ending(r.withoutBN)}`).join('; ')}.`,
  };
}

export function cnnTables(runs: CnnRun[], budget: Budget['cnn'], claim: Claim): DataTable[] {
  return [
    {
      title: `BN in a CNN (8×8×1 digits, plain SGD, ${budget.steps} steps of ${CNN_BATCH})`,
      head: ['learning rate', 'network', 'held-out acc', 'train acc', 'steps to 95%', 'held-out loss'],
      rows: runs.flatMap((r) => [r.withoutBN, r.withBN].map((x, i) => [
        String(r.learningRate), variant(i === 1), ending(x), pct(x.final.trainAccuracy), reached(x),
        Number.isFinite(x.final.heldOutLoss) ? x.final.heldOutLoss.toFixed(3) : String(x.final.heldOutLoss),
      ])),
    },
    { title: 'Batch normalization in a convolutional network', head: ['finding', 'verdict', 'evidence'], rows: [[claim.claim, claim.verdict, claim.evidence]] },
  ];
}

export function cnnFigure(runs: CnnRun[], budget: Budget['cnn']): Figure {
  const subtitle = `8×8×1 digits · plain SGD, ${budget.steps} steps of ${CNN_BATCH} · same initial kernels and batches`;
  const rate = (lr: number) => `lr ${lr}`;
  return lineChart({
    name: 'cnn-accuracy', title: 'BN in a CNN: held-out accuracy during training',
    subtitle,
    rows: runs.flatMap((r) => [[r.withoutBN, false], [r.withBN, true]].flatMap(([x, bn]) =>
      (x as RunResult).curve.map((p) => ({ step: p.step, accuracy: p.heldOutAccuracy, model: variant(bn as boolean), rate: rate(r.learningRate) })))),
    x: 'step', xTitle: 'training step', y: 'accuracy', yTitle: 'held-out accuracy', color: 'model', colorTitle: 'network',
    column: 'rate', yDomain: [0, 1], width: 260, sort: { model: [variant(false), variant(true)], rate: runs.map((r) => rate(r.learningRate)) },
  });
}

/** The report's section on the CNN (tables in the order cnnTables gives them, the figure already rendered). */
export function cnnSection(budget: Budget['cnn'], [table, verdict]: string[], figure: string): string {
  return `## 7. BN in a convolutional network

Most batch normalization sits after convolutions, where it normalizes each channel over the batch, height and
width. Here the digits are 8×8×1 images and the network is ${CNN_DESCRIPTION} ('same' padding, so
8×8 → 4×4 after the pooling). The network with BN is built from the seed and the one without gets its
convolution and Dense weights, so both start from the same kernels; both see the same batches of ${CNN_BATCH}. Plain SGD
(no momentum), ${budget.steps} steps at each learning rate, held-out accuracy every ${budget.evalEvery} steps.

${table}

${figure}

${verdict}
`;
}
