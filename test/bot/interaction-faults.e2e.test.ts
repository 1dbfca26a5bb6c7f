/**
 * Interactions under Discord's faults, through the fake Discord and the real discord.js client:
 * a long global rate limit on the interaction response, ten quick /subscribe from one student.
 */
import { describe, expect, it } from 'vitest';
import { option } from '../fake-discord/index.ts';
import { toDiscordUserId } from '../../src/core/index.ts';
import { createHarness } from './helpers.ts';

const FEED_URL = /http:\/\/127\.0\.0\.1:\d+\/feeds\/[0-9a-f]{64}\.ics/;
const EDIT_ORIGINAL = /^\/webhooks\/\d+\/[^/]+\/messages\/(?:@|%40)original$/;

function feedUrlIn(content: string): string {
  const match = FEED_URL.exec(content);
  if (match === null) throw new Error(`no feed URL in: ${content}`);
  return match[0];
}

describe('interaction responses', () => {
  it('waits out a global rate limit longer than the alert routes accept, and shows the link', async () => {
    // Alert routes give up on rate limits over 10 s; the interaction response must not (its
    // token lives 15 minutes). Before the fix the student was left on "thinking…".
    const h = await createHarness();
    h.fake.failRoute({
      method: 'PATCH',
      path: EDIT_ORIGINAL,
      status: 429,
      retryAfter: 10.5,
      global: true,
      times: 1,
    });
    const interaction = h.fake.injectCommand({
      name: 'subscribe',
      options: [option.string('section', 'info 1')],
      context: h.fake.inGuild(h.fake.users.student),
    });
    const reply = await interaction.reply(30_000);
    const url = feedUrlIn(reply.content);
    expect(h.fake.callsTo('PATCH', EDIT_ORIGINAL).map((call) => call.status)).toEqual([429, 200]);
    expect((await h.fetchFeed(url)).status).toBe(200);
    expect(
      h.logs.records().some((record) => record.msg === 'could not answer an interaction'),
    ).toBe(false);
  }, 40_000);
});

describe('ten quick /subscribe from one student', () => {
  it('gives one live link, the same in every reply, and DMs it once', async () => {
    const h = await createHarness();
    const student = h.fake.users.student;
    const interactions = Array.from({ length: 10 }, () =>
      h.fake.injectCommand({
        name: 'subscribe',
        options: [option.string('section', 'info 1')],
        context: h.fake.inGuild(student),
      }),
    );
    const replies = await Promise.all(interactions.map((interaction) => interaction.reply()));
    const urls = new Set(replies.map((reply) => feedUrlIn(reply.content)));
    expect(urls.size).toBe(1);
    const [url] = [...urls];
    expect((await h.fetchFeed(url ?? '')).status).toBe(200);

    const links = h.repositories.feedTokens.listActiveByOwner(
      toDiscordUserId(student.id),
      h.sectionId('info 1'),
    );
    expect(links).toHaveLength(1);
    const dms = h.fake.dmMessages(student.id);
    expect(dms).toHaveLength(1);
    expect(dms[0]?.content).toContain(url);
  });
});
