import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ready } from '../backend.js';
import { checkOutDir } from '../out-dir.js';
import { consoleOutput, type Output } from '../output.js';
import { bnStatistics } from './bn-statistics.js';
import { judgeStatistics, statisticsTables } from './bn-statistics-report.js';
import { renderFigure } from './charts.js';
import { judgeClaims, type Claim } from './claims.js';
import { cnnComparison } from './cnn.js';
import { cnnFigure, cnnTables, judgeCnn } from './cnn-report.js';
import { DEFAULT_BUDGET, QUICK_BUDGET, SEED } from './config.js';
import { loadDigits } from './digits.js';
import { figure1Pair } from './figure-1.js';
import { figures } from './figures.js';
import { learningRateSweep } from './learning-rates.js';
import { regularization } from './regularization.js';
import { report } from './report.js';
import type { Results } from './results.js';
import { tables, terminalTable } from './tables.js';

export interface ExperimentOptions { quick: boolean; out: string }

/**
 * `bnwasm experiment` (= `npm start`): the experiments on the bundled digits data (BN in MLPs, BN statistics, BN in a CNN),
 * a progress bar per run, the summary tables, and <out>/report.md, figures (SVG + PNG) and results.json.
 */
export async function experiment(o: ExperimentOptions, out: Output = consoleOutput()): Promise<{ results: Results; claims: Claim[]; seconds: number }> {
  const started = performance.now();
  checkOutDir(o.out, '--out');
  await ready();
  mkdirSync(o.out, { recursive: true });
  const budget = o.quick ? QUICK_BUDGET : DEFAULT_BUDGET;
  const data = loadDigits(SEED);
  out.log(`bnwasm experiment${o.quick ? ' --quick' : ''}: UCI digits, ${data.train.rows} training / ${data.heldOut.rows} held-out rows\n`);

  const initialization = [1, 0.1, 10].map((scale) => figure1Pair(data, budget.figure1, SEED, scale, out));
  const results: Results = {
    quick: o.quick, seed: SEED, budget,
    data: { trainRows: data.train.rows, heldOutRows: data.heldOut.rows },
    initialization,
    learningRates: learningRateSweep(data, budget.learningRates, SEED, out),
    regularization: regularization(data, budget.regularization, out),
    statistics: await bnStatistics(data, budget, SEED, out),
    cnn: cnnComparison(data, budget.cnn, SEED, out),
  };
  const claims = judgeClaims(results);
  const findings = [...judgeStatistics(results.statistics), judgeCnn(results.cnn)];
  const tbls = [...tables(results, claims), ...statisticsTables(results.statistics, budget, findings.slice(0, 2)), ...cnnTables(results.cnn, budget.cnn, findings[2])];
  const figs = [...figures(results), cnnFigure(results.cnn, budget.cnn)];
  for (const f of figs) await renderFigure(f, o.out);
  const seconds = (performance.now() - started) / 1000;
  writeFileSync(join(o.out, 'results.json'), JSON.stringify({ ...results, claims, findings, seconds }, null, 1) + '\n');
  writeFileSync(join(o.out, 'report.md'), report(results, claims, figs, tbls, seconds));

  out.log('');
  for (const t of tbls) out.log(terminalTable(t) + '\n');
  out.log(`${claims.filter((c) => c.verdict === 'held').length} of ${claims.length} claims held; ${findings.filter((c) => c.verdict === 'held').length} of ${findings.length} findings on BN statistics and CNNs held. Wrote ${o.out}/report.md, ${figs.length} figures (SVG + PNG) and results.json in ${seconds.toFixed(1)} s.`);
  return { results, claims, seconds };
}
