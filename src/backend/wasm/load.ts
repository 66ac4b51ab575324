import { instantiateSync } from '@assemblyscript/loader';
import { RELAXED_SIMD_WASM, SIMD_WASM } from './binary.js';
import type { KernelExports } from './kernels.js';

export type Build = 'simd' | 'relaxed';

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

const bytes: Record<Build, Uint8Array<ArrayBuffer>> = { simd: decode(SIMD_WASM), relaxed: decode(RELAXED_SIMD_WASM) };

/** Whether this engine runs a build: validating the real binary is the most honest feature test. */
export function supports(build: Build): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(bytes[build]);
}

/**
 * Compiles a build asynchronously (browsers refuse large synchronous compiles on the main thread).
 * Instances are created later, synchronously, on the memory the host owns.
 */
export function compile(build: Build): Promise<WebAssembly.Module> {
  return WebAssembly.compile(bytes[build]);
}

/**
 * Instantiates a compiled build on the shared memory. @assemblyscript/loader supplies the `env` imports
 * AssemblyScript expects (abort with a readable message and source position); we call the instance's
 * raw exports, because the loader's demangled wrappers add a rest-arguments closure to every call.
 */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  return instantiateSync<Record<string, unknown>>(module, { env: { memory } }).instance.exports as unknown as KernelExports;
}
