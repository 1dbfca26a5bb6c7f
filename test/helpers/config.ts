import { expect } from 'vitest';
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

/** The problems parseConfig lists, one per line; fails when the configuration is accepted. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toMatchObject({ code: 'config.invalid' });
    return (error as { publicMessage: string }).publicMessage.split('\n');
  }
  throw new Error('the configuration was accepted');
}
