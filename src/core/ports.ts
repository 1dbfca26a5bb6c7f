import type { ScrapeSummary } from './domain.ts';

/** Runs a scrape now (all sections, or one by name); the admin API, CLI and bot receive this. */
export type RunScrape = (options?: { section?: string }) => Promise<readonly ScrapeSummary[]>;

/** Tells whoever delivers alerts (the bot) that new alerts wait in the outbox. */
export type AlertNotifier = { notify(): void };
