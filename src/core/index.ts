/** core: framework-free domain types and helpers shared by every module. */
export * from './clock.ts';
export * from './domain.ts';
export * from './errors.ts';
export * from './event-fingerprint.ts';
export * from './feed-token.ts';
export * from './filters.ts';
export * from './held-state.ts';
export * from './logger.ts';
export * from './ports.ts';
export * from './zoned-time.ts';
