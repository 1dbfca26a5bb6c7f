/** feed: the Fastify server for personal ICS feeds, the admin API, /healthz and /metrics. */
export type { FeedDeps } from './context.ts';
export { buildFeedServer, type FeedServerOptions } from './server.ts';
export { renderCalendar, type RenderCalendarInput } from './render-calendar.ts';
export {
  buildLegacyFeedUrl,
  createToken,
  listFilterOptions,
  listTokens,
  revokeTokens,
  setTokenFilter,
  type CreatedToken,
  type FilterChange,
  type RevokeCriteria,
  type TokenCriteria,
  type TokenAdminDeps,
  type TokenSummary,
} from './tokens.ts';
