/** scraper: fetch timetables politely, validate, diff and store them. */
export * from './diff.ts';
export * from './http-client.ts';
export * from './ics.ts';
export * from './schedule.ts';
export * from './scraper.ts';
export * from './sources/aurion.source.ts';
export * from './sources/ics-url.source.ts';
export * from './sources/registry.ts';
export * from './sources/webdbf.source.ts';
export type * from './sources/source.ts';
