import type { Database } from './client.ts';
import { createAlertsRepository } from './repositories/alerts.repository.ts';
import { createBotStateRepository } from './repositories/bot-state.repository.ts';
import { createChangesRepository } from './repositories/changes.repository.ts';
import { createEventsRepository } from './repositories/events.repository.ts';
import { createFeedTokensRepository } from './repositories/feed-tokens.repository.ts';
import { createMaintenanceRepository } from './repositories/maintenance.repository.ts';
import { createPendingRemovalsRepository } from './repositories/pending-removals.repository.ts';
import { createScrapeRunsRepository } from './repositories/scrape-runs.repository.ts';
import { createSectionsRepository } from './repositories/sections.repository.ts';
import { createSnapshotsRepository } from './repositories/snapshots.repository.ts';

/** Every repository over one connection (app.ts builds this once). */
export function createRepositories(db: Database) {
  return {
    sections: createSectionsRepository(db),
    events: createEventsRepository(db),
    scrapeRuns: createScrapeRunsRepository(db),
    snapshots: createSnapshotsRepository(db),
    changes: createChangesRepository(db),
    feedTokens: createFeedTokensRepository(db),
    alerts: createAlertsRepository(db),
    botState: createBotStateRepository(db),
    maintenance: createMaintenanceRepository(db),
    pendingRemovals: createPendingRemovalsRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
