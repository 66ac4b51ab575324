/**
 * Where a command writes: lines for the user (stdout) and whether to draw live progress bars (stderr,
 * only on a terminal). Tests pass a collecting Output to call commands in-process, quietly.
 */
export interface Output {
  log(line: string): void;
  /** Something the user should know that is not an error (stderr, prefixed `bnwasm: warning:`). */
  warn(line: string): void;
  /** Draw cli-progress bars; otherwise a bar prints a single line when it finishes. */
  bars: boolean;
}

export const consoleOutput = (): Output => ({
  log: (line) => process.stdout.write(line + '\n'),
  warn: (line) => process.stderr.write(`bnwasm: warning: ${line}\n`),
  bars: !!process.stderr.isTTY,
});

/** An Output that keeps the lines (tests, and callers that print a summary themselves). */
export function collectOutput(): Output & { lines: string[]; warnings: string[] } {
  const lines: string[] = [], warnings: string[] = [];
  return { lines, warnings, log: (line) => lines.push(line), warn: (line) => warnings.push(line), bars: false };
}
