import { describe, expect, it } from 'vitest';
import { consumeAdminLoginLink } from '../../src/web/admin-session.ts';
import { createHarness } from '../bot/helpers.ts';
import { MEMBER_PERMISSIONS, PERMISSIONS } from '../fake-discord/index.ts';

const EPHEMERAL = 64;
const ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | PERMISSIONS.manageGuild;

describe("Discord /status: the dashboard's one-time login link", () => {
  it('is in the private reply when the dashboard is on, and logs in once', async () => {
    const h = await createHarness({ env: { ADMIN_STATIC_TOKEN: 'admin-secret-0123456789abcdef' } });
    const reply = await h.fake
      .injectCommand({
        name: 'status',
        context: h.fake.inGuild(h.fake.users.admin, { permissions: ADMIN_PERMISSIONS }),
      })
      .reply();
    expect(reply.flags).toBe(EPHEMERAL);
    const url = /(http:\/\/127\.0\.0\.1:\d+\/admin\/login\/[A-Za-z0-9_-]+)/.exec(
      reply.content,
    )?.[1];
    expect(url).toBeDefined();
    expect(reply.content).toContain('usage unique, valable 10 minutes');
    const code = url?.split('/').pop() ?? '';
    const deps = { repositories: h.repositories, clock: h.clock };
    expect(consumeAdminLoginLink(deps, code)).toBe(true);
    expect(consumeAdminLoginLink(deps, code)).toBe(false);
    // The link never reaches the logs.
    expect(h.logs.lines.join('\n')).not.toContain(code);
  });

  it('is absent when ADMIN_STATIC_TOKEN is unset', async () => {
    const h = await createHarness();
    const reply = await h.fake
      .injectCommand({
        name: 'status',
        context: h.fake.inGuild(h.fake.users.admin, { permissions: ADMIN_PERMISSIONS }),
      })
      .reply();
    expect(reply.content).not.toContain('/admin/login/');
    expect(reply.embeds[0]?.title).toBe('État de Planning Proxy');
  });
});
