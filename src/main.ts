import closeWithGrace from 'close-with-grace';
import { createApp } from './app.ts';
import { parseConfig, summarizeConfig, type Config } from './config.ts';
import { createLogger, isAppError } from './core/index.ts';
import { VERSION } from './version.ts';

/** Graceful shutdown must finish within this, or the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;

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

/** An expected start-up failure (unusable DATABASE_PATH, another server on it): one line, exit 1. */
function refuseToStart(error: unknown): never {
  if (!isAppError(error) || !error.code.startsWith('db.')) throw error;
  console.error(`Planning Proxy cannot start: ${error.message}`);
  process.exit(1);
}

let app: ReturnType<typeof createApp>;
try {
  app = createApp({ config, logger, version: VERSION });
} catch (error) {
  refuseToStart(error);
}

closeWithGrace({ delay: SHUTDOWN_DEADLINE_MS, logger: false }, async ({ signal, err }) => {
  if (err !== undefined) logger.fatal({ err }, 'stopping after an unexpected error');
  else logger.info({ signal }, 'stopping');
  await app.stop();
  logger.info('stopped');
});

const { demoFeedUrl } = await app.start().catch(async (error: unknown) => {
  await app.stop();
  return refuseToStart(error);
});
logger.info(
  { config: summarizeConfig(config), nextScrapeAt: app.nextScrapeAt() },
  'planning proxy started',
);
if (demoFeedUrl !== undefined) {
  console.log(`\nDemo feed (subscribe to it in a calendar app): ${demoFeedUrl}`);
  console.log(`To serve your school's timetable, set in .env (see .env.example and the README):
  - SECTIONS=NAME:SPEC,...  (webdbf suffix, aurion, an ICS URL or file:PATH)
  - WEB_USERNAME / WEB_PASSWORD for webdbf, AURION_URL / AURION_USERNAME / AURION_PASSWORD for Aurion
  - PUBLIC_URL, the address students will use (behind your reverse proxy)
  - DISCORD_TOKEN (and ALERTS_CHANNEL_ID) to enable the Discord bot and change alerts
  - ADMIN_STATIC_TOKEN to enable the admin HTTP API\n`);
}
