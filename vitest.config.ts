import { defineConfig } from 'vitest/config';

// Node 20 runs relaxed SIMD only behind a flag; test workers get it so both WASM builds are tested
// (the library itself picks whichever build the engine validates).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'cli/test/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { execArgv: ['--experimental-wasm-relaxed-simd'] } },
    // the JSON report gives .ci/run the runner's own pass/fail counts
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest.json' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
