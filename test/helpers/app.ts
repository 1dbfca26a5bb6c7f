import { onTestFinished } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import type { Config } from '../../src/config.ts';
import type { Logger } from '../../src/core/index.ts';
import { createTestClock } from './clock.ts';

/** The app on `config`, its clock frozen at `now`, stopped when the test ends. */
export function createTestApp(config: Config, logger: Logger, now = '2026-11-21T08:00:00Z'): App {
  const app = createApp({
    config,
    logger,
    version: 'test',
    overrides: { clock: createTestClock(now) },
  });
  onTestFinished(() => app.stop());
  return app;
}
