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
    // fit's notice about BN statistics still mostly at their initial values fires after any short training;
    // test/model/fit-notice.test.ts checks it through a spy, the rest of the suite need not print it
    onConsoleLog: (log) => !log.startsWith('bnwasm: the moving mean and variance of'),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
