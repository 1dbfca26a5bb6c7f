import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The hardening suite (process kills, fuzzing, load) runs on its own: npm run test:resilience.
    exclude: ['test/resilience/**', 'node_modules/**'],
    env: { TZ: 'UTC' },
    restoreMocks: true,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
