import closeWithGrace from 'close-with-grace';
import { createApp } from './app.ts';
import { describeConfigWarnings, parseConfig, summarizeConfig, type Config } from './config.ts';
import { createLogger, isAppError } from './core/index.ts';
import {
  describeListenError,
  guardOutputs,
  hostVariable,
  onStopSignals,
  stopWhenParentExits,
  portVariable,
} from './lifecycle.ts';
import { describeBackoff } from './scraper/source-identity.ts';
import { VERSION } from './version.ts';

/** Graceful shutdown must finish within this, or the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;

// A closed stdout/stderr (a pipe whose reader quit) must never crash or hold the process.
guardOutputs();

let config: Config;
try {
  config = parseConfig(process.env);
} catch (error) {
  if (isAppError(error) && error.code === 'config.invalid') {
    console.error(`Planning Proxy cannot start: the configuration has problems.\n${error.message}`);
    console.error('See .env.example and the README configuration table.');
    process.exit(1);
  }
  throw error;
}

const logger = createLogger({
  level: config.logLevel,
  pretty: process.stdout.isTTY,
  base: { service: 'planning-proxy', version: VERSION },
});

// A valid configuration that is most likely not what the operator meant: one line each.
for (const warning of describeConfigWarnings(config, process.env)) logger.warn(warning);

/** An expected start-up failure (unusable DATABASE_PATH, another server on it, PORT taken), in one line. */
function describeStartFailure(error: unknown): string | undefined {
  if (isAppError(error) && error.code.startsWith('db.')) return error.message;
  return describeListenError(error, {
    host: config.feed.host,
    port: config.feed.port,
    portVariable: portVariable(process.env),
    hostVariable: hostVariable(process.env),
  });
}

function refuseToStart(line: string): never {
  console.error(`Planning Proxy cannot start: ${line}`);
  process.exit(1);
}

let app: ReturnType<typeof createApp>;
try {
  app = createApp({ config, logger, version: VERSION });
} catch (error) {
  const line = describeStartFailure(error);
  if (line === undefined) throw error;
  refuseToStart(line);
}

let stopSignal: string | undefined;
// SIGINT and SIGTERM are handled by onStopSignals: on Ctrl-C under `npm start` the same signal
// arrives twice (from the terminal and forwarded by npm), which must not cut the graceful stop.
const grace = closeWithGrace(
  { delay: SHUTDOWN_DEADLINE_MS, logger: false, skip: ['SIGINT', 'SIGTERM'] },
  async ({ signal, err }) => {
    if (err !== undefined) logger.fatal({ err }, 'stopping after an unexpected error');
    else logger.info({ signal: signal ?? stopSignal }, 'stopping');
    await app.stop();
    logger.info('stopped');
  },
);
onStopSignals({
  stop: (signal) => {
    stopSignal = signal;
    grace.close();
  },
  force: (signal) => {
    logger.warn({ signal }, 'second stop signal: exiting now');
    process.exit(1);
  },
});

stopWhenParentExits({
  startedByNpm: ['start', 'dev'].includes(process.env.npm_lifecycle_event ?? ''),
  stop: () => {
    stopSignal = 'parent exited';
    grace.close();
  },
});

let started: Awaited<ReturnType<typeof app.start>>;
try {
  started = await app.start();
} catch (error) {
  const line = describeStartFailure(error);
  if (line === undefined) throw error;
  grace.uninstall();
  await app.stop();
  refuseToStart(line);
}
const { demoFeedUrl } = started;
logger.info(
  { config: summarizeConfig(config), nextScrapeAt: app.nextScrapeAt() },
  'planning proxy started',
);
// The schedule ticks soon, but a section in backoff waits: say until when, why, how to retry now.
for (const backoff of describeBackoff(
  app.repositories.sections.list(),
  config.sections,
  app.clock.now(),
  { adminApi: config.admin.token !== undefined },
)) {
  const { line, ...fields } = backoff;
  logger.warn(fields, line);
}
if (demoFeedUrl !== undefined) {
  console.log(`\nDemo feed (subscribe to it in a calendar app): ${demoFeedUrl}`);
  console.log(`To serve your school's timetable, set in .env (see .env.example and the README):
  - SECTIONS=NAME:SPEC,...  (webdbf suffix, aurion, an ICS URL or file:PATH)
  - WEB_USERNAME / WEB_PASSWORD for webdbf, AURION_URL / AURION_USERNAME / AURION_PASSWORD for Aurion
  - PUBLIC_URL, the address students will use (behind your reverse proxy)
  - DISCORD_TOKEN (and ALERTS_CHANNEL_ID) to enable the Discord bot and change alerts
  - ADMIN_STATIC_TOKEN to enable the admin HTTP API\n`);
}
