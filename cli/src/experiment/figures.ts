import { lineChart, type Figure } from './charts.js';
import { ARCHITECTURES } from './learning-rates.js';
import { REGULARIZERS } from './regularization.js';
import { figure1, mean, variant, type Results } from './results.js';
import type { RunResult } from './runner.js';

const PERCENTILES = ['15th', '50th', '85th'];
/** The paper's order: (b) without BN, then (c) with BN; legends likewise. */
const MODEL_ORDER = { model: [variant(false), variant(true)] };
const ARCH_ORDER = { ...MODEL_ORDER, architecture: ARCHITECTURES.map((a) => a.description) };

function accuracyRows(run: RunResult, extra: Record<string, string | number>) {
  return run.curve.map((p) => ({ step: p.step, accuracy: p.heldOutAccuracy, ...extra }));
}

function percentileRows(run: RunResult, extra: Record<string, string | number>) {
  return run.curve.flatMap((p) => p.percentiles!.map((v, i) => ({ step: p.step, value: v, percentile: PERCENTILES[i], ...extra })));
}

/** The report's figures, each one Vega-Lite spec; the same runs feed the tables. */
export function figures(r: Results): Figure[] {
  const f1 = figure1(r), lr = r.budget.figure1.learningRate;
  const scaleName = (s: number) => `init ×${s}`;
  const pairs = [...r.initialization].sort((a, b) => a.scale - b.scale);
  const out: Figure[] = [
    lineChart({
      name: 'fig1-accuracy', title: 'Figure 1(a): held-out accuracy during training',
      subtitle: `UCI digits · 3 × 100 sigmoid units · N(0, 0.1²) init · batches of 60 · SGD lr ${lr}`,
      rows: [...accuracyRows(f1.withoutBN, { model: variant(false) }), ...accuracyRows(f1.withBN, { model: variant(true) })],
      x: 'step', xTitle: 'training step', y: 'accuracy', yTitle: 'held-out accuracy', color: 'model', colorTitle: 'network', sort: MODEL_ORDER, yDomain: [0, 1],
    }),
    lineChart({
      name: 'fig1-sigmoid-input', title: "Figure 1(b, c): one sigmoid's input over training",
      subtitle: '15th / 50th / 85th percentiles over the held-out set, last hidden layer, unit 1',
      rows: [...percentileRows(f1.withoutBN, { model: variant(false) }), ...percentileRows(f1.withBN, { model: variant(true) })],
      x: 'step', xTitle: 'training step', y: 'value', yTitle: 'input to the sigmoid', color: 'percentile', colorTitle: 'percentile',
      column: 'model', width: 320, sort: MODEL_ORDER,
    }),
    lineChart({
      name: 'lr-final-accuracy', title: 'Learning rate: final held-out accuracy',
      subtitle: `plain SGD, batches of 32, ${r.budget.learningRates.steps} steps; chance (10%) = stuck, 0 = diverged`,
      rows: r.learningRates.map((x) => ({ lr: x.learningRate, accuracy: x.result.divergedAt !== null ? 0 : x.result.final.heldOutAccuracy, model: variant(x.batchNorm), architecture: ARCHITECTURES.find((a) => a.name === x.architecture)!.description })),
      x: 'lr', xTitle: 'learning rate (log scale)', xLog: true, y: 'accuracy', yTitle: 'final held-out accuracy', color: 'model', colorTitle: 'network',
      column: 'architecture', points: true, yDomain: [0, 1], width: 320, sort: ARCH_ORDER,
    }),
    lineChart({
      name: 'lr-steps-to-95', title: 'Learning rate: steps to 95% held-out accuracy',
      subtitle: 'missing points: never reached 95% within the budget',
      rows: r.learningRates.filter((x) => x.result.stepsTo95 !== null).map((x) => ({ lr: x.learningRate, steps: x.result.stepsTo95, model: variant(x.batchNorm), architecture: ARCHITECTURES.find((a) => a.name === x.architecture)!.description })),
      x: 'lr', xTitle: 'learning rate (log scale)', xLog: true, y: 'steps', yTitle: 'steps to 95% held-out accuracy', color: 'model', colorTitle: 'network',
      column: 'architecture', points: true, width: 320, sort: ARCH_ORDER,
    }),
    lineChart({
      name: 'init-accuracy', title: 'Initialization: held-out accuracy for initial weights × 0.1, 1, 10',
      subtitle: `Figure 1's network and training; kernels N(0, (0.1·scale)²)`,
      rows: pairs.flatMap((p) => [...accuracyRows(p.withoutBN, { model: variant(false), scale: scaleName(p.scale) }), ...accuracyRows(p.withBN, { model: variant(true), scale: scaleName(p.scale) })]),
      x: 'step', xTitle: 'training step', y: 'accuracy', yTitle: 'held-out accuracy', color: 'model', colorTitle: 'network', sort: MODEL_ORDER, column: 'scale', yDomain: [0, 1], width: 260,
    }),
    lineChart({
      name: 'init-sigmoid-input', title: "Initialization: one sigmoid's input over training",
      subtitle: '15th / 50th / 85th percentiles over the held-out set, last hidden layer, unit 1',
      rows: pairs.flatMap((p) => [...percentileRows(p.withoutBN, { model: variant(false), scale: scaleName(p.scale) }), ...percentileRows(p.withBN, { model: variant(true), scale: scaleName(p.scale) })]),
      x: 'step', xTitle: 'training step', y: 'value', yTitle: 'input to the sigmoid', color: 'percentile', colorTitle: 'percentile',
      column: 'scale', row: 'model', width: 260, height: 180, sort: MODEL_ORDER,
    }),
  ];
  // regularization: mean over seeds at each evaluated step
  const steps = r.regularization[0].result.curve.map((p) => p.step);
  const regRows = REGULARIZERS.flatMap((reg) => {
    const runs = r.regularization.filter((x) => x.regularizer === reg);
    return steps.flatMap((step, i) => {
      const at = runs.map((x) => x.result.curve[i]).filter(Boolean);
      const held = mean(at.map((p) => p.heldOutAccuracy)), train = mean(at.map((p) => p.trainAccuracy!));
      return [
        { step, value: held, measure: 'held-out accuracy', regularizer: reg },
        { step, value: (train - held) * 100, measure: 'train − held-out accuracy (points)', regularizer: reg },
      ];
    });
  });
  out.push(lineChart({
    name: 'regularization', title: 'Regularization: held-out accuracy and train / held-out gap',
    subtitle: `2 × 256 relu units, SGD lr 0.1, batches of 32; mean of ${r.budget.regularization.seeds.length} seed(s)`,
    rows: regRows.filter((x) => x.step > 0), x: 'step', xTitle: 'training step', y: 'value', yTitle: 'accuracy (left) · gap in points (right)', color: 'regularizer', colorTitle: 'regularizer',
    column: 'measure', independentY: true, width: 320,
  }));
  return out;
}
