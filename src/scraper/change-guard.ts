/**
 * The implausible-change policy: what a scrape may store and announce at once, what waits for the
 * next scrape, what is held until identical scrapes confirm it. Pure; scraper.ts stores what it
 * decides. A false alert ("every class cancelled", thousands of additions, the same classes
 * cancelled and restored every five minutes) is the worst this product can do to students, so
 * anything a glitch can produce needs a second look before it is announced.
 */
import type { TimetableChange, TimetableEvent } from '../core/index.ts';
import type { PendingRemoval } from '../db/index.ts';
import { isInSight, type DiffResult } from './diff.ts';

/** Fewer than this many in-sight events vanishing is never called implausible. */
const MIN_SUSPICIOUS_REMOVALS = 3;
/** Fewer than this many new events is never called an implausible increase. */
const MIN_SUSPICIOUS_ADDITIONS = 20;
/**
 * This many new events at once is always implausible, whatever the calendar's size: it is what a
 * runaway series yields (a recurrence without end is capped at 2,000 instances).
 */
const MAX_PLAUSIBLE_ADDITIONS = 1_000;

export type ImplausibleChange = {
  readonly kind: 'drop' | 'increase';
  /** Error code of a held run. */
  readonly code: 'scraper.suspicious_drop' | 'scraper.suspicious_increase';
  readonly message: string;
};

/**
 * An upstream glitch (an empty export, half a calendar, a runaway series, a calendar suddenly
 * several times its size) must not be announced: such a scrape is held back until consecutive
 * identical scrapes confirm it.
 */
export function describeImplausibleChange(
  previous: readonly TimetableEvent[],
  next: readonly TimetableEvent[],
  diff: DiffResult,
  options: Parameters<typeof isInSight>[1],
): ImplausibleChange | undefined {
  const drop = describeSuspiciousDrop(previous, next, diff, options);
  if (drop !== undefined) return { kind: 'drop', code: 'scraper.suspicious_drop', message: drop };
  const inSight = previous.filter((event) => isInSight(event, options)).length;
  const added = diff.changes.filter((change) => change.before === undefined).length;
  if (
    added >= MIN_SUSPICIOUS_ADDITIONS &&
    (added >= 2 * inSight || added >= MAX_PLAUSIBLE_ADDITIONS)
  ) {
    return {
      kind: 'increase',
      code: 'scraper.suspicious_increase',
      message: `${added} new events appeared at once (${inSight} upcoming events before)`,
    };
  }
  return undefined;
}

/** The drop half of `describeImplausibleChange` (an empty calendar, half the upcoming events gone). */
export function describeSuspiciousDrop(
  previous: readonly TimetableEvent[],
  next: readonly TimetableEvent[],
  diff: DiffResult,
  options: Parameters<typeof isInSight>[1],
): string | undefined {
  const inSight = previous.filter((event) => isInSight(event, options)).length;
  if (inSight === 0) return undefined;
  const removed = diff.changes.filter((change) => change.after === undefined).length;
  if (next.length === 0)
    return `the calendar is suddenly empty (${inSight} upcoming events before)`;
  // As many removals as the increase guard's ceiling is implausible whatever the calendar's size.
  if (
    removed >= MAX_PLAUSIBLE_ADDITIONS ||
    removed >= Math.max(MIN_SUSPICIOUS_REMOVALS, Math.ceil(inSight / 2))
  ) {
    return `${removed} of ${inSight} upcoming events disappeared at once`;
  }
  return undefined;
}

/**
 * Whether a scrape that started at `startedAt` may confirm what an earlier scrape recorded at
 * `recordedAt` (a held change, a pending removal). Only a scrape that asked the upstream after the
 * earlier one had its answer is a second look: two scrapes fired together (an admin scrape and a
 * CLI scrape in the same second) read the same upstream moment, glitch included, and count once.
 */
export function isLaterScrape(startedAt: Date, recordedAt: Date | null | undefined): boolean {
  return recordedAt == null || startedAt.getTime() > recordedAt.getTime();
}

export type SettleInput = {
  readonly changes: readonly TimetableChange[];
  /** Removals the previous committed scrape found and deferred, by stored uid. */
  readonly pending: ReadonlyMap<string, PendingRemoval>;
  /** This calendar was held and then confirmed by identical scrapes: its removals are confirmed. */
  readonly confirmedByHold: boolean;
  /** The stored events' first storage time (StoredEvent.createdAt), by uid. */
  readonly createdAt: ReadonlyMap<string, Date>;
  /** The section's last committed scrape before this one, and its first import. */
  readonly lastSuccessAt: Date | null;
  readonly baselineAt: Date | null;
  readonly at: Date;
  /** When this scrape started: it confirms only removals recorded before (`isLaterScrape`). */
  readonly startedAt?: Date | undefined;
};

export type Settled = {
  /** What this scrape stores and announces. */
  readonly changes: readonly TimetableChange[];
  /** Removals seen once: stored as pending, announced only if the next scrape confirms them. */
  readonly pending: readonly PendingRemoval[];
  /** Removed events that only one committed scrape ever showed: deleted, never kept as cancelled. */
  readonly purgeUids: readonly string[];
  /** Of purgeUids, those deleted without any change (a runaway first import going away). */
  readonly silenced: number;
};

/**
 * Settles the removals of a committed scrape. A stored event missing from one scrape is only
 * pending; it is removed (and its cancellation announced) when the next committed scrape still
 * misses it, or at once when identical held scrapes already confirmed it. A source that flaps
 * between its whole calendar and part of it therefore announces nothing, whatever the part's size,
 * while a real cancellation is announced within two scrapes. Additions and modifications are
 * applied at once. An event that only one committed scrape ever showed is deleted when removed
 * rather than kept in feeds as "cancelled" for days: it was a glitch, or a mistake fixed at once.
 */
export function settleRemovals(input: SettleInput): Settled {
  const changes: TimetableChange[] = [];
  const pending: PendingRemoval[] = [];
  const purgeUids: string[] = [];
  const silent = unannouncedJunk(input);
  for (const change of input.changes) {
    if (change.after !== undefined) {
      changes.push(change);
      continue;
    }
    const known = input.pending.get(change.uid);
    const singleSighting = known?.singleSighting ?? sightedOnce(change.uid, input);
    if (known === undefined && !input.confirmedByHold) {
      pending.push({ uid: change.uid, firstMissedAt: input.at, singleSighting });
      continue;
    }
    if (
      known !== undefined &&
      !input.confirmedByHold &&
      input.startedAt !== undefined &&
      !isLaterScrape(input.startedAt, known.firstMissedAt)
    ) {
      // Seen missing by a scrape that ran alongside this one: not a second look yet.
      pending.push(known);
      continue;
    }
    if (silent.has(change.uid)) {
      purgeUids.push(change.uid);
      continue;
    }
    changes.push(change);
    if (singleSighting) purgeUids.push(change.uid);
  }
  return { changes, pending, purgeUids, silenced: silent.size };
}

/**
 * Events of the first import (never announced: a baseline announces nothing) that vanish by the
 * thousand. No timetable loses that many real classes at once; it is what a runaway series
 * accepted in the first import (no baseline to compare with) looks like when it goes. Students
 * never heard of those events, so their going is not news either: deleted silently, not kept as
 * "cancelled" and not announced. Fewer first-import events going (a real cancelled week) are
 * announced as usual, once the drop guard has confirmed them.
 */
function unannouncedJunk(input: SettleInput): ReadonlySet<string> {
  const baselineAt = input.baselineAt;
  if (baselineAt === null) return new Set();
  const uids = input.changes
    .filter((change) => change.after === undefined)
    .map((change) => change.uid)
    .filter((uid) => {
      const createdAt = input.createdAt.get(uid);
      return createdAt !== undefined && createdAt.getTime() <= baselineAt.getTime();
    });
  return uids.length >= MAX_PLAUSIBLE_ADDITIONS ? new Set(uids) : new Set();
}

/** Stored by the last committed scrape, and by no earlier one (the first import does not count). */
function sightedOnce(uid: string, input: SettleInput): boolean {
  const createdAt = input.createdAt.get(uid);
  if (createdAt === undefined || input.lastSuccessAt === null) return false;
  if (input.baselineAt !== null && createdAt.getTime() <= input.baselineAt.getTime()) return false;
  return createdAt.getTime() >= input.lastSuccessAt.getTime();
}
