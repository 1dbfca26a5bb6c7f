/** The real app (createApp) on loopback with a test clock, a capturing logger and a loopback ICS upstream. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { createApp, type App } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createTestClock, type TestClock } from '../helpers/clock.ts';
import { createCapturingLogger } from '../helpers/logger.ts';

export const ADMIN_TOKEN = 'resilience-admin-token-5f1c2e9a7b';

export type AppHarness = {
  app: App;
  address: string;
  clock: TestClock;
  logs: ReturnType<typeof createCapturingLogger>;
  createToken(name: string, section?: string): Promise<string>;
  revokeToken(token: string): Promise<void>;
  stop(): Promise<void>;
};

/** Starts the app (no schedule, no bot unless the env sets DISCORD_TOKEN) and stops it at test end. */
export async function startAppHarness(
  env: Record<string, string>,
  options: {
    start?: string;
    bot?: boolean;
    logLevel?: 'debug' | 'info';
    /** 'manual': the caller calls stop() (e.g. from afterAll). */
    cleanup?: 'test' | 'manual';
  } = {},
): Promise<AppHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'pp-resilience-'));
  const clock = createTestClock(options.start ?? '2026-09-14T06:00:00Z');
  const logs = createCapturingLogger(options.logLevel ?? 'debug');
  const config = parseConfig({
    DATABASE_PATH: join(dir, 'app.db'),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'debug',
    ADMIN_STATIC_TOKEN: ADMIN_TOKEN,
    ...env,
  });
  const app = createApp({
    config,
    logger: logs.logger,
    version: 'resilience',
    overrides: { clock },
  });
  const stop = async (): Promise<void> => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  if (options.cleanup !== 'manual') onTestFinished(stop);
  const { address } = await app.start({ schedule: false, bot: options.bot ?? false });
  if (address === undefined) throw new Error('the app did not listen');
  const admin = (path: string, body: unknown) =>
    fetch(`${address}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return {
    app,
    address,
    clock,
    logs,
    stop,
    async createToken(name, section) {
      const response = await admin(
        '/admin/create_token',
        section === undefined ? { name } : { name, section },
      );
      if (response.status !== 201) throw new Error(`create_token: ${response.status}`);
      return ((await response.json()) as { token: string }).token;
    },
    async revokeToken(token) {
      const response = await admin('/admin/revoke_token', { token });
      if (response.status !== 200) throw new Error(`revoke_token: ${response.status}`);
    },
  };
}
