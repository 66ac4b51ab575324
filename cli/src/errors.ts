/**
 * Errors the user can fix (a bad file, a bad option). main.ts prints their message as one line on
 * stderr and exits non-zero; anything else is a bug and still gets one line (the stack only with
 * BNWASM_DEBUG=1), because a CLI user should never have to read a stack trace.
 */
export class CliError extends Error {}

/** Throws a CliError: for checks that read as sentences at the call site. */
export function fail(message: string): never {
  throw new CliError(message);
}

/** The one line main.ts prints for any error. */
export function errorLine(e: unknown): string {
  if (e instanceof CliError) return e.message;
  const message = e instanceof Error ? e.message : String(e);
  return `unexpected error: ${message.split('\n')[0]}`;
}
