// Bot interaction latency: `node bench/bot.bench.ts` (or `npm run bench -- bot`).
// The real discord.js client, in a child process (as Discord would be on another machine, the fake
// does not share the bot's event loop), connects to the fake Discord on loopback; 200 interactions
// are injected through the gateway, 20 in flight at a time (a mix of /planning, /unsubscribe,
// /notify and autocomplete), and the time from injection to the interaction callback (the
// acknowledgement Discord requires within 3 s) is measured. Not a test: it prints figures.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBot } from '../src/bot/index.ts';
import { parseConfig } from '../src/config.ts';
import {
  createLogger,
  issueFeedToken,
  systemClock,
  type TimetableEvent,
} from '../src/core/index.ts';
import { createRepositories, openDatabase, runMigrations } from '../src/db/index.ts';
import { option, startFakeDiscord, type InjectedInteraction } from '../test/fake-discord/index.ts';

const TOTAL = 200;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const WARMUP = 20;

type BotEnv = {
  BENCH_ROLE: 'bot';
  BENCH_DB: string;
  BENCH_API: string;
  BENCH_TOKEN: string;
  BENCH_GUILD: string;
  BENCH_CHANNEL: string;
};

function benchConfig(env: Omit<BotEnv, 'BENCH_ROLE'>) {
  return parseConfig({
    SECTIONS: 'Info 1:file:./samples/demo.ics,Info 2:file:./samples/demo.ics',
    DATABASE_PATH: env.BENCH_DB,
    DISCORD_TOKEN: env.BENCH_TOKEN,
    DISCORD_API_URL: env.BENCH_API,
    DISCORD_GUILD_ID: env.BENCH_GUILD,
    ALERTS_CHANNEL_ID: env.BENCH_CHANNEL,
  });
}

/** Child process: the bot, on its own event loop. */
async function runBot(env: Omit<BotEnv, 'BENCH_ROLE'>): Promise<void> {
  const database = openDatabase({ path: env.BENCH_DB });
  const bot = createBot({
    config: benchConfig(env),
    repositories: createRepositories(database.db),
    clock: systemClock,
    logger: createLogger({ level: 'silent' }),
    version: 'bench',
  });
  await bot.start();
  // BENCH_PROFILE=file.cpuprofile: CPU profile of the bot while it answers (startup excluded).
  const profile = process.env.BENCH_PROFILE;
  const session = profile === undefined ? undefined : new Session();
  if (session !== undefined) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  process.send?.('ready');
  process.once('message', () => {
    void (async () => {
      if (session !== undefined && profile !== undefined) {
        const { profile: data } = await session.post('Profiler.stop');
        writeFileSync(profile, JSON.stringify(data));
      }
      await bot.stop();
    })().then(() => {
      database.close();
      process.disconnect();
    });
  });
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

function seed(path: string, config: ReturnType<typeof benchConfig>, studentId: string): void {
  const database = openDatabase({ path });
  runMigrations(database.db);
  const repositories = createRepositories(database.db);
  const now = systemClock.now();
  const [section] = repositories.sections.sync(config.sections, now);
  if (section === undefined) throw new Error('no section');
  const events: TimetableEvent[] = Array.from({ length: 300 }, (_, index) => ({
    uid: `e${index}`,
    startsAt: new Date(now.getTime() + (index - 150) * 3 * 3_600_000),
    endsAt: new Date(now.getTime() + (index - 150) * 3 * 3_600_000 + 7_200_000),
    allDay: false,
    title: `Cours ${index}`,
    location: 'B12',
    teacher: 'M. Dupont',
    description: '',
    status: 'confirmed',
    category: 'CM',
    course: '',
    groups: [],
    raw: {},
  }));
  repositories.snapshots.commitScrape({
    sectionId: section.id,
    runId: repositories.scrapeRuns.start(section.id, 'manual', now),
    at: now,
    durationMs: 1,
    events,
    changes: [],
    remaps: [],
    baseline: true,
    issueCount: 0,
    recordAlert: false,
    nextRunAt: now,
  });
  const { tokenHash, prefix } = issueFeedToken();
  repositories.feedTokens.create({
    tokenHash,
    prefix,
    ownerKind: 'discord',
    owner: studentId,
    sectionId: section.id,
    at: now,
  });
  database.close();
}

async function runBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pp-bot-bench-'));
  const fake = await startFakeDiscord();
  const env = {
    BENCH_DB: join(dir, 'bench.db'),
    BENCH_API: fake.apiUrl,
    BENCH_TOKEN: fake.token,
    BENCH_GUILD: fake.guild.id,
    BENCH_CHANNEL: fake.channels.alerts.id,
  };
  seed(env.BENCH_DB, benchConfig(env), fake.users.student.id);
  const child = fork(new URL(import.meta.url).pathname, [], {
    execArgv:
      process.env.BENCH_PROFILE === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir=/tmp/bot-prof'],
    env: { ...process.env, ...env, BENCH_ROLE: 'bot' },
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => {
      resolve();
    });
    child.once('exit', (code) => {
      reject(new Error(`bot process exited with ${String(code)}`));
    });
  });

  const student = fake.inGuild(fake.users.student);
  const kinds = [
    () => fake.injectCommand({ name: 'planning', context: student }),
    () =>
      fake.injectCommand({
        name: 'unsubscribe',
        options: [option.string('section', 'info 2')],
        context: student,
      }),
    () =>
      fake.injectCommand({ name: 'notify', options: [option.subcommand('on')], context: student }),
    () =>
      fake.injectAutocomplete({
        name: 'subscribe',
        options: [option.string('section', 'inf', true)],
        context: student,
      }),
  ];

  async function measure(count: number): Promise<number[]> {
    const latencies: number[] = [];
    let next = 0;
    async function worker(): Promise<void> {
      while (next < count) {
        const inject = kinds[next % kinds.length];
        next += 1;
        if (inject === undefined) throw new Error('no interaction kind');
        const started = performance.now();
        const interaction: InjectedInteraction = inject();
        await interaction.callback();
        latencies.push(performance.now() - started);
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    return latencies;
  }

  await measure(WARMUP);
  const startedAt = performance.now();
  const latencies = (await measure(TOTAL)).sort((a, b) => a - b);
  const elapsedMs = performance.now() - startedAt;
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);

  console.log(`interactions: ${TOTAL} (${CONCURRENCY} in flight), after ${WARMUP} warm-up`);
  console.log(
    `injection → acknowledgement: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${(latencies.at(-1) ?? Number.NaN).toFixed(1)} ms`,
  );
  console.log(`throughput: ${((TOTAL / elapsedMs) * 1000).toFixed(0)} interactions/s`);
  console.log(`target p99 < 100 ms (Discord allows 3 s): ${p99 < 100 ? 'met' : 'NOT met'}`);

  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}

if (process.env.BENCH_ROLE === 'bot') {
  await runBot({
    BENCH_DB: process.env.BENCH_DB ?? '',
    BENCH_API: process.env.BENCH_API ?? '',
    BENCH_TOKEN: process.env.BENCH_TOKEN ?? '',
    BENCH_GUILD: process.env.BENCH_GUILD ?? '',
    BENCH_CHANNEL: process.env.BENCH_CHANNEL ?? '',
  });
} else {
  await runBench();
}
