import * as bw from 'bnwasm';
import { fail } from './errors.js';

/**
 * ready() plus two environment settings, so no command needs a flag for them:
 * BNWASM_BACKEND ('wasm' default, or 'js') lets a user compare the kernels or sidestep a WASM problem;
 * BNWASM_THREADS (1..16; default min(cores, 4)) caps the threads, e.g. on a shared machine.
 */
export async function ready(): Promise<void> {
  await bw.ready();
  const wanted = process.env.BNWASM_BACKEND;
  if (wanted !== undefined && wanted !== '') {
    if (wanted !== 'js' && wanted !== 'wasm') fail(`BNWASM_BACKEND: expected 'wasm' or 'js', got ${JSON.stringify(wanted)}`);
    bw.setBackend(wanted);
  }
  const threads = process.env.BNWASM_THREADS;
  if (threads === undefined || threads === '') return;
  const n = Number(threads);
  if (!/^\s*\d+\s*$/.test(threads) || n < 1 || n > 16) fail(`BNWASM_THREADS: expected an integer from 1 to 16, got ${JSON.stringify(threads)}`);
  await bw.setThreads(n);
}
