import * as bw from '../index.js';

/**
 * ready() plus the backend named by BNWASM_BACKEND ('wasm' default, or 'js'): lets a user compare the
 * kernels, or sidestep a WASM problem, without a flag on every command.
 */
export async function ready(): Promise<void> {
  await bw.ready();
  const wanted = process.env.BNWASM_BACKEND;
  if (wanted === 'js' || wanted === 'wasm') bw.setBackend(wanted);
}
