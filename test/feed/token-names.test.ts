import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliProcess } from '../helpers/processes.ts';
import { ADMIN_TOKEN, createFeedHarness } from './helpers.ts';

const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };

/** "Alice" followed by a right-to-left override: displays as another name in lists and logs. */
const SPOOFING_NAMES = [
  'Alice\u202Egnp.exe',
  '\u202AAlice',
  '\u202BAlice',
  '\u202CAlice',
  '\u202DAlice',
  'Alice\u2066x',
  'Alice\u2067x',
  'Alice\u2068x',
  'Alice\u2069',
  'Al\u0007ice',
  'Al\u009Bice',
];

describe('token names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pp-names-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('the admin API refuses bidirectional and other control characters with a 400', async () => {
    const harness = await createFeedHarness();
    const address = await harness.listen();
    for (const name of SPOOFING_NAMES) {
      const response = await fetch(`${address}/admin/create_token`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name, section: 'MIAGE' }),
      });
      expect({ name, status: response.status }).toEqual({ name, status: 400 });
      expect(await response.json()).toMatchObject({ error: 'token.invalid_input' });
    }
    expect(harness.repositories.feedTokens.list()).toEqual([]);
    const ok = await fetch(`${address}/admin/create_token`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Zoë عربي', section: 'MIAGE' }),
    });
    expect(ok.status).toBe(201);
  });

  it('the CLI refuses them too, saying why, and creates nothing', async () => {
    const env = {
      DATABASE_PATH: join(dir, 'cli.db'),
      SECTIONS: 'MIAGE:file:./m.ics',
      PUBLIC_URL: 'https://planning.example',
    };
    const refused = await runCliProcess(
      ['token', 'create', '--name', 'Alice\u202Egnp.exe', '--section', 'MIAGE'],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('no control or text-direction characters');
    const list = await runCliProcess(['token', 'list', '--json'], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.output)).toEqual([]);
  });
});
