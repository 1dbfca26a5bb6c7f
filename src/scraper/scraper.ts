import {
  AppError,
  describeError,
  heldMessage,
  isAppError,
  timetableFingerprint,
  toSectionKey,
  type ChangeKind,
  type Clock,
  type Logger,
  type ScrapeSummary,
  type SectionKey,
  type SectionSpec,
  type TimetableEvent,
} from '../core/index.ts';
import type { Config } from '../config.ts';
import type { Repositories, RunTrigger, SectionRow } from '../db/index.ts';
import { describeImplausibleChange, isLaterScrape, settleRemovals } from './change-guard.ts';
import { diffTimetables } from './diff.ts';
import type { HttpClient } from './http-client.ts';
import { calendarPayloadKey, isTruncatedParse } from './ics.ts';
import { createRunRecords, type FailedRun } from './run-records.ts';
import type { Source } from './sources/source.ts';

export type ScraperSettings = {
  readonly intervalSeconds: number;
  readonly horizonDays: number;
  /** Consecutive identical scrapes needed before an implausible drop is stored. */
  readonly dropConfirmations: number;
  readonly backoffMaxMs: number;
};

/** The settings as configured: the app's thread and the scrape worker build the same ones. */
export function scraperSettingsFrom(scraper: Config['scraper']): ScraperSettings {
  return {
    intervalSeconds: scraper.intervalSeconds,
    horizonDays: scraper.horizonDays,
    dropConfirmations: scraper.dropConfirmations,
    backoffMaxMs: scraper.backoffMaxMs,
  };
}

export type ScraperDeps = {
  readonly sections: readonly SectionSpec[];
  readonly repositories: Pick<
    Repositories,
    'sections' | 'events' | 'scrapeRuns' | 'snapshots' | 'pendingRemovals'
  >;
  readonly sourceFor: (section: SectionSpec) => Source;
  readonly http: HttpClient;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly timeZone: string;
  readonly settings: ScraperSettings;
  /** Write alerts to the outbox (true when a bot will deliver them). */
  readonly recordAlerts: boolean;
  /** Called after a run stored alertable changes. */
  readonly onAlerts?: () => void;
};

export type RunOptions = {
  /** Only this section (name, case-insensitive). */
  readonly section?: string;
  readonly trigger?: RunTrigger;
  /** Ignore backoff (manual runs). */
  readonly force?: boolean;
  readonly signal?: AbortSignal;
};

export type Scraper = ReturnType<typeof createScraper>;

type StoredPayload = {
  readonly key: string;
  /** sections.content_version right after it was stored: any other write invalidates it. */
  readonly contentVersion: number;
  readonly events: readonly TimetableEvent[];
  readonly issueCount: number;
  readonly truncated: boolean;
};

export { describeSuspiciousDrop } from './change-guard.ts';

export function createScraper(deps: ScraperDeps) {
  const { repositories, clock, settings } = deps;
  const logger = deps.logger.child({ module: 'scraper' });
  let queue: Promise<unknown> = Promise.resolve();
  /**
   * The last stored payload of each ICS section: when a re-export means the same events (see
   * calendarPayloadKey) and nothing else wrote the section since, parse and diff are skipped.
   */
  const lastStored = new Map<SectionKey, StoredPayload>();
  const runRecords = createRunRecords({ repositories, logger });

  /** Makes sure every configured section has its row (idempotent). */
  function syncSections(): Map<string, SectionRow> {
    const rows = repositories.sections.sync(deps.sections, clock.now());
    return new Map(rows.map((row) => [row.key, row]));
  }

  /**
   * Scrapes the sections one after the other (politeness), never two runs at once: a manual run
   * waits for the scheduled one. Never throws for a source failure: it is in the summary.
   */
  function runOnce(options: RunOptions = {}): Promise<ScrapeSummary[]> {
    const run = queue.then(() => runSections(options));
    queue = run.catch(() => undefined);
    return run;
  }

  async function runSections(options: RunOptions): Promise<ScrapeSummary[]> {
    let sections = deps.sections;
    if (options.section !== undefined) {
      const key = toSectionKey(options.section);
      sections = sections.filter((section) => section.key === key);
      if (sections.length === 0) {
        throw new AppError('section.unknown', `unknown section "${options.section}"`, {
          publicMessage: `unknown section "${options.section}"`,
        });
      }
    }
    runRecords.retryUnfinished();
    const rows = syncSections();
    const summaries: ScrapeSummary[] = [];
    for (const section of sections) {
      if (options.signal?.aborted === true) break;
      const row = rows.get(section.key);
      if (row === undefined) continue;
      summaries.push(await scrapeSection(section, row, options));
    }
    return summaries;
  }

  async function scrapeSection(
    section: SectionSpec,
    row: SectionRow,
    options: RunOptions,
  ): Promise<ScrapeSummary> {
    const startedAt = clock.now();
    const log = logger.child({ section: section.name });
    if (
      options.force !== true &&
      row.consecutiveFailures > 0 &&
      row.nextRunAt !== null &&
      row.nextRunAt.getTime() > startedAt.getTime() + 1000
    ) {
      log.debug({ nextRunAt: row.nextRunAt }, 'scrape skipped during backoff');
      return summary(section, { status: 'skipped', events: row.eventCount, durationMs: 0 });
    }

    const runId = repositories.scrapeRuns.start(row.id, options.trigger ?? 'schedule', startedAt);
    const elapsed = () => clock.now().getTime() - startedAt.getTime();
    try {
      const source = deps.sourceFor(section);
      const raw = await source.fetchRaw(section, {
        http: deps.http,
        clock,
        logger: log,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      const payloadKey =
        source.kind === 'ics' || source.kind === 'file'
          ? calendarPayloadKey(
              raw.parts.map((part) => part.body),
              section.timeZone ?? deps.timeZone,
            )
          : undefined;
      const stored = lastStored.get(section.key);
      lastStored.delete(section.key);
      if (
        payloadKey !== undefined &&
        stored?.key === payloadKey &&
        stored.contentVersion === row.contentVersion &&
        row.baselineAt !== null
      ) {
        // The same events as the stored ones: nothing to diff, only the run to record.
        const at = clock.now();
        const result = repositories.snapshots.commitScrape({
          sectionId: row.id,
          runId,
          at,
          durationMs: elapsed(),
          events: stored.events,
          changes: [],
          remaps: [],
          baseline: false,
          issueCount: stored.issueCount,
          truncated: stored.truncated,
          recordAlert: false,
          nextRunAt: new Date(at.getTime() + settings.intervalSeconds * 1000),
          expectedContentVersion: row.contentVersion,
        });
        lastStored.set(section.key, stored);
        log.info(
          { status: result.status, events: result.eventCount, durationMs: elapsed() },
          'scrape finished (same calendar as stored)',
        );
        return summary(section, {
          status: result.status,
          events: result.eventCount,
          durationMs: elapsed(),
          runId,
        });
      }

      const parsed = source.parse(raw, {
        // A section may have its own zone (SECTION_TIMEZONES) for its floating times.
        timeZone: section.timeZone ?? deps.timeZone,
        now: startedAt,
        horizonDays: settings.horizonDays,
      });
      if (parsed.events.length === 0 && parsed.issues.length > 0) {
        throw new AppError(
          'scraper.parse_failed',
          `no usable event (${parsed.issues.length} invalid): ${parsed.issues[0]?.message ?? ''}`,
        );
      }
      for (const issue of parsed.issues.slice(0, 5)) log.warn({ issue }, 'upstream item skipped');

      const at = clock.now();
      const baseline = row.baselineAt === null;
      const previous = repositories.events.listCurrent(row.id);
      const diffOptions = {
        now: at,
        timeZone: section.timeZone ?? deps.timeZone,
        ...(parsed.coverage ? { coverage: parsed.coverage } : {}),
      };
      const diff = diffTimetables(previous, parsed.events, diffOptions);
      const nextRunAt = new Date(at.getTime() + settings.intervalSeconds * 1000);

      const truncated = isTruncatedParse(parsed);
      let confirmedByHold = false;
      if (!baseline) {
        const implausible = describeImplausibleChange(previous, parsed.events, diff, diffOptions);
        const drop = implausible?.message;
        if (implausible !== undefined) {
          const fingerprint = timetableFingerprint(parsed.events);
          // A scrape that ran alongside the one that held this change does not confirm it.
          const current = repositories.sections.findById(row.id);
          const heldCount =
            current?.heldFingerprint === fingerprint && !isLaterScrape(startedAt, current.lastRunAt)
              ? current.heldCount
              : repositories.snapshots.nextHeldCount(row.id, fingerprint);
          if (heldCount < settings.dropConfirmations) {
            repositories.snapshots.recordHeld({
              sectionId: row.id,
              runId,
              at,
              durationMs: elapsed(),
              fingerprint,
              eventCount: parsed.events.length,
              nextRunAt,
              message: heldMessage(implausible.message, heldCount, settings.dropConfirmations),
              heldCount,
              errorCode: implausible.code,
              truncated,
            });
            log.warn({ drop, heldCount }, `implausible ${implausible.kind} held back`);
            return summary(section, {
              status: 'held',
              errorCode: implausible.code,
              errorMessage: drop,
              events: previous.length,
              durationMs: elapsed(),
              runId,
            });
          }
          confirmedByHold = heldCount >= 2;
          log.warn({ drop, heldCount }, `implausible ${implausible.kind} confirmed`);
        }
      }
      const settled = baseline
        ? undefined
        : settleRemovals({
            changes: diff.changes,
            pending: repositories.pendingRemovals.list(row.id),
            confirmedByHold,
            createdAt: new Map(previous.map((event) => [event.uid, event.createdAt])),
            lastSuccessAt: row.lastSuccessAt,
            baselineAt: row.baselineAt,
            at,
            startedAt,
          });
      if (settled !== undefined && settled.silenced > 0) {
        log.warn(
          { removed: settled.silenced },
          'events of the first import vanished by the thousand (a runaway series going away): ' +
            'deleted without announcing them',
        );
      }
      if (settled !== undefined && settled.pending.length > 0) {
        log.info({ pending: settled.pending.length }, 'removals wait for the next scrape');
      }

      const result = repositories.snapshots.commitScrape({
        sectionId: row.id,
        runId,
        at,
        durationMs: elapsed(),
        events: parsed.events,
        changes: settled?.changes ?? diff.changes,
        remaps: diff.remaps,
        baseline,
        issueCount: parsed.issues.length,
        recordAlert: deps.recordAlerts,
        nextRunAt,
        purgeUids: settled?.purgeUids ?? [],
        pendingRemovals: settled?.pending ?? [],
        truncated,
        expectedContentVersion: row.contentVersion,
      });
      log.info(
        {
          status: result.status,
          events: result.eventCount,
          changes: result.changeCounts,
          issues: parsed.issues.length,
          durationMs: elapsed(),
        },
        'scrape finished',
      );
      // Pending removals need the next scrape diffed, even if it brings the same payload.
      if (payloadKey !== undefined && (settled?.pending.length ?? 0) === 0) {
        const contentVersion = repositories.sections.findById(row.id)?.contentVersion;
        if (contentVersion !== undefined) {
          lastStored.set(section.key, {
            key: payloadKey,
            contentVersion,
            events: parsed.events,
            issueCount: parsed.issues.length,
            truncated,
          });
        }
      }
      if (result.outboxId !== undefined) deps.onAlerts?.();
      return summary(section, {
        status: result.status,
        events: result.eventCount,
        changes: result.changeCounts,
        durationMs: elapsed(),
        runId,
      });
    } catch (error) {
      const code = isAppError(error) ? error.code : 'scraper.unexpected';
      const message = truncate(describeError(error), 500);
      const at = clock.now();
      // Another process stored this section meanwhile: its commit stands, ours is dropped.
      const superseded = code === 'scraper.superseded';
      let sectionFailure: FailedRun['sectionFailure'];
      if (code === 'scraper.aborted') {
        // Cancelled by us (shutdown), not a failure of the source: no backoff, no error shown.
        log.info('scrape cancelled');
      } else if (superseded) {
        log.info('scrape superseded by another process that stored this section meanwhile');
      } else {
        const failures = row.consecutiveFailures + 1;
        const delay = Math.min(
          settings.intervalSeconds * 1000 * 2 ** (failures - 1),
          Math.max(settings.backoffMaxMs, settings.intervalSeconds * 1000),
        );
        sectionFailure = { at, code, message, nextRunAt: new Date(at.getTime() + delay) };
        const fields = { code, message, failures, retryInMs: delay };
        if (isAppError(error)) log.warn(fields, 'scrape failed');
        else log.error({ ...fields, err: error }, 'scrape crashed');
      }
      // Never throws: a database error here must not leave the run 'running' nor fail the caller.
      runRecords.closeFailed({
        runId,
        sectionId: row.id,
        finish: {
          at,
          status: superseded ? 'skipped' : 'failed',
          errorCode: code,
          errorMessage: message,
          durationMs: elapsed(),
        },
        ...(sectionFailure === undefined ? {} : { sectionFailure }),
      });
      if (superseded) {
        return summary(section, {
          status: 'skipped',
          errorCode: code,
          errorMessage: message,
          events: row.eventCount,
          durationMs: elapsed(),
          runId,
        });
      }
      return summary(section, {
        status: 'failed',
        errorCode: code,
        errorMessage: message,
        events: row.eventCount,
        durationMs: elapsed(),
        runId,
      });
    }
  }

  return { runOnce, syncSections };
}

function summary(
  section: SectionSpec,
  fields: {
    status: ScrapeSummary['status'];
    events: number;
    durationMs: number;
    errorCode?: string;
    errorMessage?: string;
    changes?: Partial<Record<ChangeKind, number>>;
    runId?: number;
  },
): ScrapeSummary {
  return {
    section: section.name,
    sectionKey: section.key,
    status: fields.status,
    errorCode: fields.errorCode,
    errorMessage: fields.errorMessage,
    events: fields.events,
    changes: fields.changes ?? {},
    durationMs: fields.durationMs,
    runId: fields.runId,
  };
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
