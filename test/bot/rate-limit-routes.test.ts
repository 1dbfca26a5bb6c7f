/**
 * Which requests give up on a long rate limit, with the route data discord.js really reports:
 * a REST client against the fake Discord answering 429 to everything.
 */
import { REST, Routes, type RateLimitData } from 'discord.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { isAlertRoute } from '../../src/bot/bot.ts';
import { startFakeDiscord } from '../fake-discord/index.ts';

async function rateLimitDataFor(
  request: (rest: REST) => Promise<unknown>,
): Promise<RateLimitData | undefined> {
  const fake = await startFakeDiscord();
  onTestFinished(() => fake.close());
  fake.failRoute({ path: /.*/, status: 429, retryAfter: 30 });
  let seen: RateLimitData | undefined;
  const rest = new REST({
    api: fake.apiUrl,
    rejectOnRateLimit: (data) => {
      seen = data;
      return true;
    },
  }).setToken(fake.token);
  await request(rest).catch(() => undefined);
  return seen;
}

const CHANNEL = '1300000000000000010';
const APP = '1300000000000000001';
const TOKEN = 'aW50ZXJhY3Rpb246abc';

describe('which requests give up on a long rate limit', () => {
  it('the alert routes: posting a message, opening a DM channel', async () => {
    for (const request of [
      (rest: REST) => rest.post(Routes.channelMessages(CHANNEL), { body: { content: 'x' } }),
      (rest: REST) => rest.post(Routes.userChannels(), { body: { recipient_id: CHANNEL } }),
    ]) {
      const data = await rateLimitDataFor(request);
      expect(data).toBeDefined();
      expect(isAlertRoute(data ?? { method: '', route: '' })).toBe(true);
    }
  });

  it('never interaction responses or command registration', async () => {
    for (const request of [
      (rest: REST) =>
        rest.patch(Routes.webhookMessage(APP, TOKEN), { body: { content: 'x' }, auth: false }),
      (rest: REST) =>
        rest.post(Routes.webhook(APP, TOKEN), { body: { content: 'x' }, auth: false }),
      (rest: REST) => rest.put(Routes.applicationGuildCommands(APP, CHANNEL), { body: [] }),
    ]) {
      const data = await rateLimitDataFor(request);
      expect(data).toBeDefined();
      expect(isAlertRoute(data ?? { method: 'POST', route: '/channels/:id/messages' })).toBe(false);
    }
  });
});
