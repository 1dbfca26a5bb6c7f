/**
 * Discord down, end to end: the real app (createApp) and the real discord.js client against the
 * fake Discord in an outage (every REST call 503, gateway refused). The feeds, the admin API and
 * the scraper work regardless; the bot logs in in the background; /healthz reports it; alerts
 * wait in the outbox and go out, oldest first per section, as soon as Discord answers again.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { createBot } from '../../src/bot/index.ts';
import { startFakeDiscord } from '../fake-discord/index.ts';
import { startAppHarness } from '../resilience/app-harness.ts';
import { buildIcs, startUpstream } from '../resilience/helpers.ts';
import { changeOf, createHarness, eventually } from './helpers.ts';

type Health = {
  status: string;
  sections: { name: string; stale: boolean }[];
  bot?: { connected: boolean; state: string; alertBacklog?: number };
};

describe('Discord down at startup', () => {
  it('serves feeds, admin API and scrapes while the bot keeps logging in; alerts wait, then go out', async () => {
    const fake = await startFakeDiscord({ waitTimeoutMs: 20_000 });
    onTestFinished(() => fake.close());
    fake.startOutage();

    let version = 1;
    const first = new Date('2026-09-15T08:00:00Z').getTime();
    const upstream = await startUpstream(() => ({
      body: buildIcs(
        Array.from({ length: 2 }, (_, index) => ({
          uid: `c-${index}`,
          start: new Date(first + index * 86_400_000),
          summary: `Cours ${index} v${version}`,
        })),
      ),
    }));
    onTestFinished(() => upstream.close());

    // Before the fix, start() awaited the login and rejected here: the process exited.
    const harness = await startAppHarness(
      {
        SECTIONS: `Info 1:${upstream.origin}/info1.ics`,
        DISCORD_TOKEN: fake.token,
        DISCORD_API_URL: fake.apiUrl,
        DISCORD_GUILD_ID: fake.guild.id,
        ALERTS_CHANNEL_ID: fake.channels.alerts.id,
      },
      { start: '2026-09-14T06:00:00Z', bot: true },
    );
    const { app, address } = harness;
    expect(app.bot?.status().connected).toBe(false);

    // The scraper runs and the admin API issues a link that serves the section.
    const [baseline] = await app.runScrape();
    expect(baseline?.status).toBe('baseline');
    const token = await harness.createToken('alice', 'info 1');
    const feed = await fetch(`${address}/feeds/${token}.ics`);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain('Cours 0 v1');

    // A change: its alert waits in the outbox.
    version = 2;
    const [changed] = await app.runScrape();
    expect(changed?.status).toBe('ok');
    expect(app.bot?.backlog()).toBe(1);

    const health = (await (await fetch(`${address}/healthz`)).json()) as Health;
    expect(health.status).toBe('ok');
    expect(health.sections.every((section) => !section.stale)).toBe(true);
    expect(health.bot).toMatchObject({ connected: false, alertBacklog: 1 });
    expect(health.bot?.state).toBe('connecting');

    // The bot kept trying (with backoff) while Discord was down.
    await eventually(
      () => fake.callsTo('GET', /^\/gateway\/bot$/).length >= 2,
      'a second login attempt',
      15_000,
    );
    expect(fake.channelMessages(fake.channels.alerts.id)).toHaveLength(0);

    fake.endOutage();
    await eventually(() => app.bot?.status().connected, 'the bot to connect', 20_000);
    await eventually(
      () => fake.channelMessages(fake.channels.alerts.id).length === 1,
      'the alert that waited',
      15_000,
    );
    const after = (await (await fetch(`${address}/healthz`)).json()) as Health;
    expect(after.bot).toMatchObject({ connected: true, state: 'connected', alertBacklog: 0 });
  }, 60_000);

  it('stops promptly while still trying to log in, and tries no more', async () => {
    const fake = await startFakeDiscord();
    onTestFinished(() => fake.close());
    fake.startOutage();
    const h = await createHarness();
    const bot = createBot({
      config: { ...h.config, discord: { ...h.config.discord, apiUrl: fake.apiUrl } },
      repositories: h.repositories,
      clock: h.clock,
      logger: h.logger,
      version: 'test',
    });
    const started = bot.start();
    await eventually(() => bot.status().loginFailures >= 2, 'two failed logins', 15_000);
    await bot.stop();
    await started;
    expect(bot.status()).toMatchObject({ connected: false, state: 'stopped' });
    const attempts = fake.callsTo('GET', /^\/gateway\/bot$/).length;
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(fake.callsTo('GET', /^\/gateway\/bot$/)).toHaveLength(attempts);
  }, 30_000);

  it('reports a gateway outage after login, and comes back by itself', async () => {
    const h = await createHarness();
    expect(h.bot.status()).toMatchObject({ connected: true, state: 'connected' });
    h.fake.startOutage();
    await eventually(() => !h.bot.status().connected, 'the bot to notice the outage');
    h.fake.endOutage();
    await eventually(() => h.bot.status().connected, 'the bot to reconnect', 30_000);
    expect(h.fake.gatewayRefusals + h.fake.resumes.length).toBeGreaterThan(0);
  }, 45_000);
});

describe('after an outage', () => {
  it('a gateway that comes back triggers delivery without waiting for the periodic probe', async () => {
    // The periodic pass is an hour away and the test clock never moves: only the reconnection
    // can bring the alert out.
    const h = await createHarness();
    h.fake.startOutage();
    const outboxId = h.recordChanges([
      { ...changeOf('algo-1', ['cancelled'], {}), after: undefined },
    ]);
    h.bot.notifier.notify();
    await eventually(
      () => (h.repositories.alerts.findOutbox(outboxId)?.attempts ?? 0) >= 1,
      'a failed attempt during the outage',
    );
    h.fake.endOutage();
    await eventually(() => h.bot.status().connected, 'the gateway to come back', 30_000);
    await eventually(() => h.bot.backlog() === 0, 'the alert after the reconnection');
    expect(h.fake.channelMessages(h.fake.channels.alerts.id)).toHaveLength(1);
  }, 45_000);

  it('posts promptly once Discord answers (backing-off entries due again), a section in recording order', async () => {
    // The background pass every 100 ms real time probes with the oldest entry; the test clock
    // never moves, so an entry backing off is only posted if a success makes it due again.
    const h = await createHarness({ alertPassIntervalMs: 100 });
    h.fake.startOutage({ gateway: false });
    const older = h.recordChanges([{ ...changeOf('algo-1', ['cancelled'], {}), after: undefined }]);
    const otherSection = h.recordChanges(
      [{ ...changeOf('algo-1', ['cancelled'], {}), after: undefined }],
      'info 2',
    );
    h.bot.notifier.notify();
    await eventually(
      () =>
        (h.repositories.alerts.findOutbox(older)?.attempts ?? 0) >= 2 &&
        (h.repositories.alerts.findOutbox(otherSection)?.attempts ?? 0) >= 1,
      'failed attempts during the outage',
      15_000,
    );
    const now = h.clock.now().getTime();
    expect(h.repositories.alerts.findOutbox(older)?.nextAttemptAt.getTime()).toBeGreaterThan(now);

    h.fake.endOutage();
    // A newer alert of the same section, recorded (and due) right after the recovery.
    const newer = h.recordChanges([changeOf('db-1', ['teacher'], { teacher: 'Mme Durand' })]);
    h.bot.notifier.notify();
    await eventually(
      () => [older, otherSection, newer].every((id) => h.bot.backlog() === 0 && id > 0),
      'every alert after the recovery',
      15_000,
    );
    const posted = h.fake.channelMessages(h.fake.channels.alerts.id);
    const titles = posted.map((message) => {
      const embed = message.embeds[0];
      const fields = (embed?.fields ?? []) as { name: string }[];
      return `${typeof embed?.title === 'string' ? embed.title : ''} / ${fields[0]?.name ?? ''}`;
    });
    expect(titles).toHaveLength(3);
    const olderIndex = titles.indexOf("Changements d'emploi du temps — Info 1 / Annulé (1)");
    const newerIndex = titles.indexOf(
      "Changements d'emploi du temps — Info 1 / Changement d'enseignant (1)",
    );
    expect(olderIndex).toBeGreaterThanOrEqual(0);
    expect(newerIndex).toBeGreaterThan(olderIndex);
    expect(titles).toContain("Changements d'emploi du temps — Info 2 / Annulé (1)");
  }, 45_000);
});
