import {
  CHANGE_KINDS,
  comparableFields,
  eventFingerprint,
  type ChangeKind,
  type TimetableChange,
  type TimetableEvent,
  type UidRemap,
} from '../core/index.ts';

export type DiffResult = {
  readonly changes: readonly TimetableChange[];
  /** Events the source gave a new uid without changing them (or only partly): keep one identity. */
  readonly remaps: readonly UidRemap[];
  readonly unchanged: number;
  /** Stored events absent from the new scrape but out of its sight (past, or outside its window). */
  readonly outOfSight: number;
};

export type DiffOptions = {
  readonly now: Date;
  /** The window a windowed source answered for; events outside it are not "removed". */
  readonly coverage?: { readonly from: Date; readonly to: Date };
};

/**
 * Pure: previous and next timetables → changes. Events are matched by uid first; what is left is
 * matched by identical content (uid churn: no change), then by title and times (uid churn plus a
 * room or teacher change). Several kinds on one event make one change.
 */
export function diffTimetables(
  previous: readonly TimetableEvent[],
  next: readonly TimetableEvent[],
  options: DiffOptions,
): DiffResult {
  const previousByUid = new Map(previous.map((event) => [event.uid, event]));
  const changes: TimetableChange[] = [];
  const remaps: UidRemap[] = [];
  let unchanged = 0;
  const unmatchedNext: TimetableEvent[] = [];

  for (const after of next) {
    const before = previousByUid.get(after.uid);
    if (before === undefined) {
      unmatchedNext.push(after);
      continue;
    }
    previousByUid.delete(after.uid);
    const change = compare(before, after);
    if (change === undefined) unchanged += 1;
    else changes.push(change);
  }

  const unmatchedPrevious = [...previousByUid.values()];
  const keys: readonly ((event: TimetableEvent) => string)[] = [
    eventFingerprint,
    (event) => `${event.title}\u0000${event.startsAt.getTime()}\u0000${event.endsAt.getTime()}`,
  ];
  let remainingNext = unmatchedNext;
  let remainingPrevious = unmatchedPrevious;
  for (const key of keys) {
    // Nothing left on one side (a first import, or no churn): no key to compute.
    if (remainingNext.length === 0 || remainingPrevious.length === 0) break;
    const candidates = groupBy(remainingPrevious, key);
    const stillNext: TimetableEvent[] = [];
    const taken = new Set<TimetableEvent>();
    for (const after of remainingNext) {
      const before = candidates.get(key(after))?.find((event) => !taken.has(event));
      if (before === undefined) {
        stillNext.push(after);
        continue;
      }
      taken.add(before);
      remaps.push({ fromUid: before.uid, toUid: after.uid });
      const change = compare(before, after);
      if (change === undefined) unchanged += 1;
      else changes.push(change);
    }
    remainingNext = stillNext;
    remainingPrevious = remainingPrevious.filter((event) => !taken.has(event));
  }

  for (const after of remainingNext) {
    changes.push({
      uid: after.uid,
      kinds: [after.status === 'cancelled' ? 'details' : 'added'],
      before: undefined,
      after,
    });
  }

  let outOfSight = 0;
  for (const before of remainingPrevious) {
    if (!isInSight(before, options)) {
      outOfSight += 1;
      continue;
    }
    // Already announced as cancelled: its disappearance is not news.
    changes.push({
      uid: before.uid,
      kinds: [before.status === 'cancelled' ? 'details' : 'cancelled'],
      before,
      after: undefined,
    });
  }

  return { changes, remaps, unchanged, outOfSight };
}

/** Could the source have returned this event? Past classes and those outside its window: no. */
export function isInSight(event: TimetableEvent, options: DiffOptions): boolean {
  if (event.endsAt <= options.now) return false;
  const coverage = options.coverage;
  if (coverage === undefined) return true;
  return event.endsAt > coverage.from && event.startsAt < coverage.to;
}

/** Same as equal fingerprints, without hashing both sides of every matched event. */
function sameContent(before: TimetableEvent, after: TimetableEvent): boolean {
  const other: readonly unknown[] = comparableFields(after);
  return comparableFields(before).every((value, index) => {
    const counterpart = other[index];
    if (!Array.isArray(value)) return value === counterpart;
    return (
      Array.isArray(counterpart) &&
      value.length === counterpart.length &&
      value.every((item, position) => item === counterpart[position])
    );
  });
}

function compare(before: TimetableEvent, after: TimetableEvent): TimetableChange | undefined {
  if (sameContent(before, after)) return undefined;
  const kinds = new Set<ChangeKind>();
  const wasCancelled = before.status === 'cancelled';
  const isCancelled = after.status === 'cancelled';
  if (!wasCancelled && isCancelled) kinds.add('cancelled');
  else if (wasCancelled && !isCancelled) kinds.add('added');
  else {
    if (
      before.startsAt.getTime() !== after.startsAt.getTime() ||
      before.endsAt.getTime() !== after.endsAt.getTime() ||
      before.allDay !== after.allDay
    ) {
      kinds.add('moved');
    }
    if (before.location !== after.location) kinds.add('room');
    if (before.teacher !== after.teacher) kinds.add('teacher');
    if (before.title !== after.title) kinds.add('renamed');
  }
  if (kinds.size === 0) kinds.add('details');
  return {
    uid: after.uid,
    kinds: CHANGE_KINDS.filter((kind) => kinds.has(kind)),
    before,
    after,
  };
}

function groupBy(
  events: readonly TimetableEvent[],
  key: (event: TimetableEvent) => string,
): Map<string, TimetableEvent[]> {
  const groups = new Map<string, TimetableEvent[]>();
  for (const event of events) {
    const value = key(event);
    const group = groups.get(value);
    if (group === undefined) groups.set(value, [event]);
    else group.push(event);
  }
  return groups;
}
