/**
 * Child process of crash.test.ts: the real app (createApp) with its config from the environment,
 * logging JSON lines to stdout, scraping in a tight loop until it is killed. Prints
 * `READY <address>` once it serves. With CRASH_DRIVER_SCRAPE=0 it only serves and delivers alerts.
 */
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createLogger } from '../../src/core/index.ts';

const config = parseConfig(process.env);
const logger = createLogger({ level: config.logLevel, destination: process.stdout });
const app = createApp({ config, logger, version: 'crash-driver' });
const { address } = await app.start({ schedule: false });
process.stdout.write(`READY ${address ?? ''}\n`);

let stopping = false;
const isStopping = (): boolean => stopping;
process.on('SIGTERM', () => {
  stopping = true;
  void app.stop().then(() => process.exit(0));
});

if (process.env.CRASH_DRIVER_SCRAPE !== '0') {
  while (!isStopping()) {
    await app.runScrape();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
