import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/resilience/**/*.test.ts'],
    env: { TZ: 'UTC' },
    restoreMocks: true,
    testTimeout: 120_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two cores: the files spawn processes and load servers; run them one at a time.
    fileParallelism: false,
  },
});
