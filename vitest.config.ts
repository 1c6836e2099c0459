import { defineConfig } from 'vitest/config';

/**
 * Three projects, run one after another by `npm test` (scripts/run-tests.mjs):
 * unit (pure logic), integration (real servers on loopback, port 0) and e2e (Debian's
 * Chromium through `hubwatch serve`). Only `electron` is ever stubbed, and time.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          setupFiles: ['test/support/isolated-data.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 30_000,
          // Two cores: keep real-server tests from starving each other.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          setupFiles: ['test/support/isolated-data.ts'],
          environment: 'node',
          testTimeout: 90_000,
          hookTimeout: 60_000,
          maxWorkers: 1,
          fileParallelism: false,
        },
      },
    ],
  },
});
