/**
 * Measures, in real time with the real app and the real discord.js client against the fake
 * Discord, the figures docs/reliability.md quotes:
 *
 *   node test/fake-discord/measure-discord-faults.ts startup 15 60 300
 *     Discord down from startup for N seconds (REST 503, gateway refused); an alert is recorded
 *     meanwhile. Prints the delay between the end of the outage and the alert in the channel.
 *   node test/fake-discord/measure-discord-faults.ts midrun 15 60 300
 *     The same with the bot connected first, then an outage of N seconds.
 *   node test/fake-discord/measure-discord-faults.ts rest 15 60 300
 *     The same with the REST API down but the gateway up (no reconnection to signal recovery).
 *   node test/fake-discord/measure-discord-faults.ts dm 200 0 50
 *     DM lane throughput: one alert to 200 /notify students, with 0 ms and 50 ms of latency per
 *     DM request.
 *
 * Default settings (30 s alert pass, login backoff up to 60 s). Not a test: no assertions.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import {
  createLogger,
  issueFeedToken,
  toDiscordUserId,
  toSectionKey,
} from '../../src/core/index.ts';
import { startFakeDiscord, type FakeDiscord } from './fake-discord.ts';

const DAY_MS = 86_400_000;

function ics(version: number, now: Date): string {
  const start = new Date(now.getTime() + 3_600_000);
  const stamp = (at: Date): string =>
    at
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
  const events = [0, 1].flatMap((index) => {
    const at = new Date(start.getTime() + index * DAY_MS);
    return [
      'BEGIN:VEVENT',
      `UID:m-${String(index)}`,
      'DTSTAMP:20260101T000000Z',
      `DTSTART:${stamp(at)}`,
      `DTEND:${stamp(new Date(at.getTime() + 7_200_000))}`,
      `SUMMARY:Cours ${String(index)} v${String(version)}`,
      'END:VEVENT',
    ];
  });
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//measure//EN',
    ...events,
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

async function waitUntil(probe: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

async function withApp<T>(
  fake: FakeDiscord,
  run: (app: ReturnType<typeof createApp>, bump: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'pp-measure-'));
  const file = join(dir, 'info1.ics');
  let version = 1;
  writeFileSync(file, ics(version, new Date()));
  const config = parseConfig({
    SECTIONS: `Info 1:file:${file}`,
    DATABASE_PATH: join(dir, 'app.db'),
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    DISCORD_TOKEN: fake.token,
    DISCORD_API_URL: fake.apiUrl,
    DISCORD_GUILD_ID: fake.guild.id,
    ALERTS_CHANNEL_ID: fake.channels.alerts.id,
  });
  const app = createApp({
    config,
    logger: createLogger({ level: 'silent' }),
    version: 'measure',
  });
  try {
    await app.start({ schedule: false });
    await app.runScrape();
    return await run(app, async () => {
      version += 1;
      writeFileSync(file, ics(version, new Date()));
      await app.runScrape();
    });
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function outage(kind: 'startup' | 'midrun' | 'rest', seconds: number): Promise<void> {
  const fake = await startFakeDiscord();
  try {
    if (kind === 'startup') fake.startOutage();
    await withApp(fake, async (app, bump) => {
      if (kind !== 'startup') {
        await waitUntil(() => app.bot?.status().connected === true, 30_000);
        // Out of phase with the 30 s periodic pass (started at login), as a real outage would be.
        await new Promise((resolve) => setTimeout(resolve, 13_000));
        fake.startOutage({ gateway: kind === 'midrun' });
      }
      await bump();
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      fake.endOutage();
      const endedAt = Date.now();
      const posted = await waitUntil(
        () => fake.channelMessages(fake.channels.alerts.id).length > 0,
        300_000,
      );
      const delay = Date.now() - endedAt;
      console.log(
        `${kind} outage ${String(seconds)} s -> first alert ${posted ? `${(delay / 1000).toFixed(1)} s` : 'not posted within 300 s'} after recovery (connected: ${String(app.bot?.status().connected)})`,
      );
    });
  } finally {
    await fake.close();
  }
}

async function dmThroughput(students: number, latencyMs: number): Promise<void> {
  const fake = await startFakeDiscord();
  try {
    await withApp(fake, async (app, bump) => {
      await waitUntil(() => app.bot?.status().connected === true, 30_000);
      const section = app.repositories.sections.findByKey(toSectionKey('info 1'));
      if (section === undefined) throw new Error('no section');
      const users = Array.from({ length: students }, (_, index) =>
        fake.addUser(`m-${String(index)}`),
      );
      for (const user of users) {
        const owner = toDiscordUserId(user.id);
        app.repositories.botState.setNotifyPref({
          discordUserId: owner,
          enabled: true,
          locale: 'fr',
          at: new Date(),
        });
        const { tokenHash, prefix } = issueFeedToken();
        app.repositories.feedTokens.create({
          tokenHash,
          prefix,
          ownerKind: 'discord',
          owner,
          sectionId: section.id,
          at: new Date(),
        });
      }
      if (latencyMs > 0) {
        fake.slowRoute({ method: 'POST', path: /^\/users\/@me\/channels$/, delayMs: latencyMs });
        fake.slowRoute({ method: 'POST', path: /^\/channels\/\d+\/messages$/, delayMs: latencyMs });
      }
      const started = Date.now();
      await bump();
      const channelAt = (await waitUntil(
        () => fake.channelMessages(fake.channels.alerts.id).length > 0,
        60_000,
      ))
        ? Date.now() - started
        : Number.NaN;
      const done = await waitUntil(
        () => users.every((user) => fake.dmMessages(user.id).length > 0),
        300_000,
      );
      const elapsed = Date.now() - started;
      // A second alert: the DM channels are cached, one request per DM.
      const again = Date.now();
      await bump();
      const cached = await waitUntil(
        () => users.every((user) => fake.dmMessages(user.id).length > 1),
        300_000,
      );
      const cachedMs = Date.now() - again;
      console.log(
        `dm lane, second alert (cached DM channels): ${cached ? `${String(cachedMs)} ms (${((students * 1000) / cachedMs).toFixed(1)} DMs/s)` : 'not done within 300 s'}`,
      );
      console.log(
        `dm lane: ${String(students)} students, ${String(latencyMs)} ms per request -> channel alert after ${String(channelAt)} ms, all DMs ${done ? `after ${String(elapsed)} ms (${((students * 1000) / elapsed).toFixed(1)} DMs/s, first DM opens its channel)` : 'not done within 300 s'}`,
      );
    });
  } finally {
    await fake.close();
  }
}

const [mode = 'startup', ...args] = process.argv.slice(2);
const values = args.map(Number);
if (mode === 'dm') {
  const [students = 200, ...latencies] = values;
  for (const latency of latencies.length === 0 ? [0] : latencies) {
    await dmThroughput(students, latency);
  }
} else if (mode === 'startup' || mode === 'midrun' || mode === 'rest') {
  for (const seconds of values) await outage(mode, seconds);
} else {
  console.error(
    'usage: measure-discord-faults.ts startup|midrun <seconds…> | dm <students> <latency ms…>',
  );
  process.exitCode = 2;
}
