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

/** File-system failures the user can act on (a full disk, a read-only place), by Node's error code. */
const FILE_PROBLEMS: Record<string, string> = {
  ENOSPC: 'no space left on the device', EDQUOT: 'disk quota exceeded', EACCES: 'permission denied', EPERM: 'operation not permitted',
  EROFS: 'read-only file system', ENOENT: 'no such file or directory', ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory', EEXIST: 'already exists', EMFILE: 'too many open files',
};

/** The one line run.ts prints for any error. */
export function errorLine(e: unknown): string {
  if (e instanceof CliError) return e.message;
  const errno = e as NodeJS.ErrnoException;
  if (errno && typeof errno.code === 'string' && FILE_PROBLEMS[errno.code]) {
    return `${errno.path ? `${errno.path}: ` : ''}${FILE_PROBLEMS[errno.code]} (${errno.syscall ?? 'file system'})`;
  }
  if (e instanceof RangeError && /memory|allocat/i.test(e.message)) return `out of memory: ${e.message.split('\n')[0]}`;
  const message = e instanceof Error ? e.message : String(e);
  return `unexpected error: ${message.split('\n')[0]}`;
}
