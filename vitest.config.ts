import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'gateway/**/*.test.ts', 'main/**/*.test.ts', 'renderer/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites each start servers and child processes; on a 2-core CI
    // machine running them all at once only makes every one of them slower.
    maxWorkers: 2,
  },
});
