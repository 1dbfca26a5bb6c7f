import { describe, expect, it } from 'vitest';
import { createTokenCommandHarness } from './helpers.ts';

const setup = createTokenCommandHarness;

describe('token command', () => {
  it('creates a section token and prints its link once', async () => {
    const { run, lines, repositories } = setup();
    expect(await run('create', '--name', 'Alice', '--section', 'miage')).toBe(0);
    const token = /^token: ([0-9a-f]{64})$/.exec(lines[1] ?? '')?.[1];
    expect(token).toBeDefined();
    expect(lines).toContain(`url: https://planning.example/feeds/${token ?? ''}.ics`);
    expect(repositories.feedTokens.list()).toMatchObject([{ owner: 'Alice', sectionId: 2 }]);
  });

  it('creates an all-sections token with one legacy link per section', async () => {
    const { run, lines } = setup();
    expect(await run('create', '--name', 'ipp')).toBe(0);
    const token = lines[1]?.slice('token: '.length) ?? '';
    expect(lines).toContain(`url: https://planning.example/G%C3%A9nie%20Info?token=${token}`);
    expect(lines).toContain(`url (MIAGE): https://planning.example/MIAGE?token=${token}`);
  });

  it('revokes by token, name and prefix', async () => {
    const { run, lines, repositories } = setup();
    await run('create', '--name', 'a');
    const tokenA = lines[1]?.slice('token: '.length) ?? '';
    await run('create', '--name', 'b');
    await run('create', '--name', 'b');
    await run('create', '--name', 'c');
    const prefixC = repositories.feedTokens.list()[3]!.prefix;
    lines.length = 0;
    expect(await run('revoke', '--token', tokenA)).toBe(0);
    expect(await run('revoke', '--name', 'b')).toBe(0);
    expect(await run('revoke', '--prefix', prefixC)).toBe(0);
    expect(await run('revoke', '--name', 'b')).toBe(0);
    expect(lines).toEqual(['revoked: 1', 'revoked: 2', 'revoked: 1', 'revoked: 0']);
    expect(repositories.feedTokens.list()).toEqual([]);
  });

  it('lists tokens as text or JSON, never with the secret', async () => {
    const { run, lines } = setup();
    expect(await run('list')).toBe(0);
    expect(lines).toEqual(['no tokens']);
    await run('create', '--name', 'alice', '--section', 'MIAGE');
    const token = lines[2]?.slice('token: '.length) ?? '';
    lines.length = 0;
    await run('list');
    await run('list', '--json');
    expect(lines[0]).toBe(
      `${token.slice(0, 8)}…  alice (admin)  MIAGE  created 2026-11-21T13:05:00.000Z  last used never  0 uses`,
    );
    expect(JSON.parse(lines[1] ?? '')).toMatchObject([
      { owner: 'alice', section: 'MIAGE', uses: 0 },
    ]);
    expect(lines.join('\n')).not.toContain(token);
  });

  it('fails with a message on bad input', async () => {
    const { run, lines } = setup();
    expect(await run('create')).toBe(1);
    expect(await run('create', '--name', 'x', '--section', 'Nope')).toBe(1);
    expect(await run('revoke')).toBe(1);
    expect(await run('revoke', '--name', 'a', '--prefix', 'b')).toBe(1);
    expect(await run('list', '--bogus')).toBe(1);
    expect(await run('frobnicate')).toBe(1);
    expect(lines.filter((line) => line.startsWith('error:'))).toHaveLength(5);
    expect(lines).toContain('error: unknown section; sections: Génie Info, MIAGE');
  });
});
