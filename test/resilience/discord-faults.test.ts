/**
 * Discord faults against the real app and the real discord.js client connected to the fake
 * Discord: gateway drops and resumes, REST 5xx / 429 / dropped-connection storms while alerts are
 * delivered, closed DMs. Commands are answered (or fail with a clear message); every alert is
 * posted exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { option, startFakeDiscord, type FakeDiscord } from '../fake-discord/index.ts';
import { startAppHarness, type AppHarness } from './app-harness.ts';
import { buildIcs, findSecrets, startUpstream } from './helpers.ts';

const START = '2026-09-14T06:00:00Z';
const BOT_TOKEN = 'MTMwMDAwMDAwMDAwMDAwMDAwMQ.discord-faults.bot-token-secret';
const MESSAGES = /^\/channels\/\d+\/messages$/;

describe('discord faults', () => {
  let fake: FakeDiscord;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let harness: AppHarness;
  let version = 1;
  const secrets: string[] = [BOT_TOKEN];

  function sqlCount(sql: string): number {
    return (harness.app.database.sqlite.prepare(sql).get() as { n: number }).n;
  }

  /** Polls, advancing the test clock (alert backoff runs on it) and nudging the notifier. */
  async function settle(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      harness.clock.advance(60_000);
      harness.app.bot?.notifier.notify();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** A scrape that renames every event: one outbox row. */
  async function changeAndScrape(): Promise<void> {
    version += 1;
    const [summary] = await harness.app.runScrape();
    expect(summary?.status).toBe('ok');
  }

  /** Every outbox row delivered, each channel delivery posted exactly once (nonce and content). */
  function expectExactlyOnce(): void {
    const deliveries = harness.app.database.sqlite
      .prepare(
        `SELECT id, status, message_id AS messageId, nonce FROM alert_deliveries WHERE target_kind = 'channel'`,
      )
      .all() as { id: number; status: string; messageId: string | null; nonce: string | null }[];
    const messages = fake.channelMessages(fake.channels.alerts.id);
    expect(sqlCount('SELECT count(*) AS n FROM alert_outbox WHERE delivered_at IS NULL')).toBe(0);
    for (const row of deliveries) {
      expect(row.status).toBe('sent');
      const posted = messages.filter((message) => message.nonce === row.nonce);
      expect(posted.map((message) => message.id)).toEqual([row.messageId]);
    }
    expect(messages).toHaveLength(deliveries.length);
    const contents = messages.map((message) => JSON.stringify(message.embeds));
    expect(new Set(contents).size).toBe(contents.length);
  }

  beforeAll(async () => {
    fake = await startFakeDiscord({ token: BOT_TOKEN, waitTimeoutMs: 15_000 });
    const first = new Date('2026-09-15T08:00:00Z').getTime();
    upstream = await startUpstream(() => ({
      body: buildIcs(
        Array.from({ length: 3 }, (_, index) => ({
          uid: `c-${index}`,
          start: new Date(first + index * 86_400_000),
          summary: `Cours ${index} v${version}`,
        })),
      ),
    }));
    harness = await startAppHarness(
      {
        SECTIONS: `Info 1:${upstream.origin}/info1.ics`,
        DISCORD_TOKEN: BOT_TOKEN,
        DISCORD_API_URL: fake.apiUrl,
        DISCORD_GUILD_ID: fake.guild.id,
        ALERTS_CHANNEL_ID: fake.channels.alerts.id,
        FEED_RATE_LIMIT: '100000',
      },
      { start: START, bot: true, cleanup: 'manual' },
    );
    await fake.waitForSession();
    const [baseline] = await harness.app.runScrape();
    if (baseline?.status !== 'baseline') throw new Error('no baseline');
  });
  afterAll(async () => {
    await harness.stop();
    await fake.close();
    await upstream.close();
  });

  it(
    'REST 5xx, 429 and dropped-connection storms while posting alerts: each alert posted exactly once',
    { timeout: 90_000 },
    async () => {
      const storms = [
        { method: 'POST', path: MESSAGES, status: 500, times: 6 },
        { method: 'POST', path: MESSAGES, status: 503, times: 3 },
        { method: 'POST', path: MESSAGES, status: 502, times: 3 },
        { method: 'POST', path: MESSAGES, status: 429, retryAfter: 0.05, times: 8 },
        { method: 'POST', path: MESSAGES, status: 429, retryAfter: 0.05, global: true, times: 3 },
        { method: 'POST', path: MESSAGES, status: 500, dropConnection: true, times: 3 },
      ];
      for (const storm of storms) {
        fake.failRoute(storm);
        await changeAndScrape();
        await changeAndScrape();
        await settle(
          `alerts through a ${storm.status} storm`,
          () => sqlCount('SELECT count(*) AS n FROM alert_outbox WHERE delivered_at IS NULL') === 0,
        );
        fake.clearFailures();
      }
      const failed = fake.calls.filter((call) => MESSAGES.test(call.path) && call.status >= 400);
      console.log(
        `[discord-faults] ${sqlCount('SELECT count(*) AS n FROM alert_outbox')} alerts through ${storms.length} storms ` +
          `(${failed.length} failed POSTs), ${fake.channelMessages(fake.channels.alerts.id).length} messages`,
      );
      expect(failed.length).toBeGreaterThan(0);
      expectExactlyOnce();
    },
  );

  it(
    'gateway drops: the client resumes and answers commands; alerts during the drop are delivered once',
    { timeout: 90_000 },
    async () => {
      for (let drop = 0; drop < 3; drop += 1) {
        const resumesBefore = fake.resumes.length;
        const identifiesBefore = fake.identifies.length;
        fake.dropConnection(4000);
        await changeAndScrape();
        await fake.waitFor(
          () =>
            fake.resumes.length + fake.identifies.length > resumesBefore + identifiesBefore &&
            fake.connected
              ? true
              : undefined,
          'a resume after the drop',
        );
        const reply = await fake
          .injectCommand({
            name: 'planning',
            context: fake.inGuild(fake.users.student),
            options: [option.string('section', 'info 1')],
          })
          .reply();
        expect(reply.content.length + reply.embeds.length).toBeGreaterThan(0);
        await settle(
          'alerts after the drop',
          () => sqlCount('SELECT count(*) AS n FROM alert_outbox WHERE delivered_at IS NULL') === 0,
        );
      }
      console.log(
        `[discord-faults] 3 gateway drops: ${fake.resumes.length} resumes, ${fake.identifies.length} identifies`,
      );
      expect(fake.resumes.length).toBeGreaterThan(0);
      expectExactlyOnce();
    },
  );

  it('a 5xx on the interaction callback is retried and the command is answered', async () => {
    fake.failRoute({
      method: 'POST',
      path: /^\/interactions\/\d+\/[^/]+\/callback$/,
      status: 500,
      times: 1,
    });
    const reply = await fake
      .injectCommand({
        name: 'planning',
        context: fake.inGuild(fake.users.student),
        options: [option.string('section', 'info 1')],
      })
      .reply();
    fake.clearFailures();
    expect(reply.content.length + reply.embeds.length).toBeGreaterThan(0);
    const callbacks = fake.calls.filter((call) => call.path.endsWith('/callback'));
    expect(callbacks.map((call) => call.status)).toContain(500);
  });

  it('DMs closed: /subscribe says so clearly and the link still works', async () => {
    fake.closeDms(fake.users.student.id);
    const reply = await fake
      .injectCommand({
        name: 'subscribe',
        options: [option.string('section', 'info 1')],
        context: fake.inGuild(fake.users.student),
      })
      .reply();
    // PUBLIC_URL defaults to the configured port (0 here): fetch the same path on the real address.
    const path = /\/feeds\/[0-9a-f]{64}\.ics/.exec(reply.content)?.[0] ?? '/feeds/missing.ics';
    secrets.push(path.slice('/feeds/'.length, -'.ics'.length));
    expect(reply.content).toContain('MP sont fermés');
    expect(fake.dmMessages(fake.users.student.id)).toEqual([]);
    const feed = await fetch(`${harness.address}${path}`);
    expect(feed.status).toBe(200);
    await feed.arrayBuffer();
    fake.openDms(fake.users.student.id);
  });

  it('logged no Discord token and no feed token', () => {
    expect(findSecrets(harness.logs.lines, secrets)).toEqual([]);
  });
});
