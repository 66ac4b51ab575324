#!/usr/bin/env node
/**
 * The `bnwasm` command: train and predict on any CSV, and the batch-normalization experiments that
 * `npm start` runs. Every user error ends as one line on stderr and exit code 1 (see errors.ts).
 */
import { consoleOutput } from './output.js';
import { run } from './run.js';

// `bnwasm predict … --out - | head` closes the pipe early: that is the reader's choice, not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

run(process.argv.slice(2), {
  out: consoleOutput(),
  error: (line) => process.stderr.write(`${line}\n`),
  help: (text) => process.stdout.write(text),
}).then((code) => { process.exitCode = code; });
