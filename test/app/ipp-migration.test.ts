import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { importIppCommand } from '../../src/cli/import-ipp.command.ts';
import { parseConfig } from '../../src/config.ts';
import { startFakeWebdbf } from '../fakes/fake-webdbf.ts';
import { createTestApp } from '../helpers/app.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { createCapturingLogger } from '../helpers/logger.ts';

// What IPP's `app_storage/tokens.json` holds: name → `<name>_` + 64 random bytes, base64url.
const IPP_TOKEN = 'alice_q8Zt0-Ff3_1kLwW2mYpXo9rN4cVdBhJg7uTsEaKiLoPzQxRyS6w5e-HjUvBn3M2lKpOaZ0';

describe('migrating from IPP', () => {
  it('runs from an unchanged IPP .env and keeps serving the links already in calendars', async () => {
    const webdbf = await startFakeWebdbf({ username: 'prenom.nom', password: 'Été-2026!' });
    onTestFinished(() => webdbf.close());
    webdbf.setEvents('eleve/12345', [
      {
        uid: 'c1',
        summary: 'Génie logiciel',
        startsAt: '2026-11-23T08:00:00Z',
        endsAt: '2026-11-23T10:00:00Z',
        location: 'Salle 101',
      },
    ]);
    const { dir } = createTestDatabase();
    const tokensPath = join(dir, 'tokens.json');
    writeFileSync(tokensPath, JSON.stringify({ alice: IPP_TOKEN }));
    // An IPP .env, word for word (plus where this test keeps its database).
    const ippEnv = {
      LOGIN_URL: webdbf.loginUrl,
      WEB_USERNAME: 'prenom.nom',
      WEB_PASSWORD: 'Été-2026!',
      ADMIN_STATIC_TOKEN: 'ipp-master-token-0123456789abcdef',
      SECTIONS: '2A-SR:eleve/12345',
      FLASK_HOST: '127.0.0.1',
      FLASK_PORT: '0',
      DOWNLOAD_INTERVAL: '600',
      WEBDBF_ICS_BASE_URL: webdbf.icsBaseUrl,
      DATABASE_PATH: join(dir, 'ipp.db'),
    };
    const config = parseConfig(ippEnv);
    expect(config.scraper.intervalSeconds).toBe(600);
    const { logger, lines } = createCapturingLogger('info');
    const app = createTestApp(config, logger);
    await importIppCommand([tokensPath], {
      repositories: app.repositories,
      clock: app.clock,
      print: () => undefined,
    });
    const { address } = await app.start({ schedule: false });
    const [summary] = await app.runScrape();
    expect(summary).toMatchObject({ section: '2A-SR', status: 'baseline', events: 1 });

    // IPP's route, case-insensitive section, token in the query string.
    const legacy = await fetch(`${address}/2a-sr?token=${encodeURIComponent(IPP_TOKEN)}`);
    expect(legacy.status).toBe(200);
    expect(legacy.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(await legacy.text()).toContain('SUMMARY:Génie logiciel');
    expect((await fetch(`${address}/2A-SR?token=wrong-${IPP_TOKEN}`)).status).toBe(404);

    // IPP's admin API with the same master token.
    const created = await fetch(`${address}/admin/create_token`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer ipp-master-token-0123456789abcdef',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'bob' }),
    });
    expect(created.status).toBe(201);
    const { url } = (await created.json()) as { url: string };
    expect(url).toMatch(/\/2A-SR\?token=|token=/);

    const log = lines.join('\n');
    expect(log).not.toContain(IPP_TOKEN);
    expect(log).not.toContain('Été-2026!');
    expect(log).not.toContain('ipp-master-token');
  });
});
