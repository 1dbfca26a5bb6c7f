import { defineConfig } from 'vitest/config';

const coreModules = { lines: 90 };
const otherModules = { lines: 80 };

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
    // `npm test -- --coverage` (CI does) measures src/ and enforces these floors per module.
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // Entry points of processes and threads: they only run in spawned processes
      // (test/app/main.test.ts, the CI smoke check) or in the scrape worker thread
      // (test/scraper/threaded-scraper.test.ts), which v8 coverage of the test workers cannot see.
      exclude: ['src/main.ts', 'src/cli/main.ts', 'src/scrape-worker.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: {
        'src/core/**': coreModules,
        'src/scraper/**': coreModules,
        'src/feed/**': coreModules,
        'src/bot/**': otherModules,
        'src/db/**': otherModules,
        'src/cli/**': otherModules,
        'src/web/**': otherModules,
        'src/*.ts': otherModules,
      },
    },
  },
});
