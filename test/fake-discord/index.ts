/** A fake Discord (REST + gateway) on loopback for end-to-end tests with the real discord.js client. */
export * from './fake-discord.ts';
export * from './payloads.ts';
export * from './validation.ts';
