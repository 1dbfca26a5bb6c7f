import { parseConfig, type Config } from '../../src/config.ts';

/** A valid config from env-style overrides (never process.env). */
export function createTestConfig(env: Record<string, string | undefined> = {}): Config {
  return parseConfig({
    SECTIONS: 'Test:file:./test/fixtures/ics/ade-like.ics',
    DATABASE_PATH: ':memory:',
    LOG_LEVEL: 'silent',
    ...env,
  });
}
