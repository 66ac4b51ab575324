/**
 * Where a command writes: lines for the user (stdout) and whether to draw live progress bars (stderr,
 * only on a terminal). Tests pass a collecting Output to call commands in-process, quietly.
 */
export interface Output {
  log(line: string): void;
  /** Draw cli-progress bars; otherwise a bar prints a single line when it finishes. */
  bars: boolean;
}

export const consoleOutput = (): Output => ({
  log: (line) => process.stdout.write(line + '\n'),
  bars: !!process.stderr.isTTY,
});

/** An Output that keeps the lines (tests, and callers that print a summary themselves). */
export function collectOutput(): Output & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (line) => lines.push(line), bars: false };
}
