/** db: SQLite through drizzle. Repositories are synchronous and return domain types. */
export * from './client.ts';
export * from './migrate.ts';
export * from './repositories/alerts.repository.ts';
export * from './repositories/bot-state.repository.ts';
export * from './repositories/changes.repository.ts';
export * from './repositories/events.repository.ts';
export * from './repositories/feed-tokens.repository.ts';
export * from './repositories/maintenance.repository.ts';
export * from './repositories/pending-removals.repository.ts';
export * from './repositories/rows.ts';
export * from './repositories/scrape-runs.repository.ts';
export * from './repositories/sections.repository.ts';
export * from './repositories/snapshots.repository.ts';
export * from './repositories.ts';
