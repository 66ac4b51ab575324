import Table from 'cli-table3';

/** Index of the largest value in row i of a row-major [rows, width] matrix. */
export function argmax(values: Float32Array, width: number, i: number): number {
  let best = 0;
  for (let j = 1; j < width; j++) if (values[i * width + j] > values[i * width + best]) best = j;
  return best;
}

/** matrix[true][predicted] counts. */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][predicted[i]]++;
  return m;
}

export function accuracyOf(matrix: number[][]): number {
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  return matrix.reduce((s, row, i) => s + row[i], 0) / Math.max(total, 1);
}

export function rmse(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < truth.length; i++) s += (truth[i] - predicted[i]) ** 2;
  return Math.sqrt(s / Math.max(truth.length, 1));
}

/** Rows are true labels, columns predictions; long label names are cut so the table fits a terminal. */
export function formatConfusion(matrix: number[][], classes: string[]): string {
  const short = (s: string) => (s.length > 10 ? s.slice(0, 9) + '…' : s);
  const table = new Table({
    head: ['true \\ predicted', ...classes.map(short)],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: ['left', ...classes.map(() => 'right' as const)],
  });
  matrix.forEach((row, i) => table.push([short(classes[i]), ...row.map(String)]));
  return table.toString();
}
