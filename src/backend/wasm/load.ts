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

/**
 * The same binary importing a *shared* memory, so worker threads can run kernels on it. The builds
 * declare their memory import with a maximum (asconfig.json: maximumMemory), whose limits flag is
 * 0x01; 0x03 is "shared, with maximum". The kernels use no atomics, so that flag is the only
 * difference a second, --sharedMemory build would have, and the package ships no extra binary.
 */
export function sharedVariant(binary: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const out = binary.slice();
  let i = 8; // past magic and version
  const leb = (): number => {
    let value = 0, shift = 0, byte: number;
    do { byte = out[i++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return value;
  };
  const skipName = () => { const n = leb(); i += n; };
  while (i < out.length) {
    const id = out[i++], size = leb(), end = i + size;
    if (id === 2) { // the import section
      for (let count = leb(); count > 0; count--) {
        skipName(); skipName();
        const kind = out[i++];
        if (kind === 2) { // memory
          if (out[i] !== 0x01) throw new Error(`sharedVariant: the memory import's limits flag is ${out[i]}, expected 1 (a maximum)`);
          out[i] = 0x03;
          return out;
        }
        if (kind === 0) leb(); // function: type index
        else if (kind === 3) i += 2; // global: value type, mutability
        else { i++; const flag = out[i++]; leb(); if (flag & 1) leb(); } // table: type, limits
      }
    }
    i = end;
  }
  throw new Error('sharedVariant: the module imports no memory');
}

const sharedBytes: Partial<Record<Build, Uint8Array<ArrayBuffer>>> = {};
const binary = (build: Build, shared: boolean) => (shared ? (sharedBytes[build] ??= sharedVariant(bytes[build])) : bytes[build]);

/** Whether this engine runs a build: validating the real binary is the most honest feature test. */
export function supports(build: Build, shared = false): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(binary(build, shared));
}

/**
 * Compiles a build asynchronously (browsers refuse large synchronous compiles on the main thread).
 * Instances are created later, synchronously, on the memory the host owns; `shared` selects the variant
 * that imports a shared memory.
 */
export function compile(build: Build, shared = false): Promise<WebAssembly.Module> {
  return WebAssembly.compile(binary(build, shared));
}

/**
 * Instantiates a compiled build on the shared memory. @assemblyscript/loader supplies the `env` imports
 * AssemblyScript expects (abort with a readable message and source position); we call the instance's
 * raw exports, because the loader's demangled wrappers add a rest-arguments closure to every call.
 */
export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  return instantiateSync<Record<string, unknown>>(module, { env: { memory } }).instance.exports as unknown as KernelExports;
}
