import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // DuckDB files and simulators are per test file; two workers suit the 2-core CI machine.
    pool: 'forks',
    maxWorkers: 2,
  },
});
