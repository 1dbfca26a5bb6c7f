import {
  CHANGE_KINDS,
  categoryOf,
  comparableFields,
  eventFingerprint,
  foldText,
  zoneOffsetMs,
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
  /** Zone whose Monday-to-Sunday weeks bound move pairing (default UTC). */
  readonly timeZone?: string;
};

/**
 * Pure: previous and next timetables → changes. Events are matched by uid first; what is left is
 * matched by identical content (uid churn: no change), then by title and times (uid churn plus a
 * room or teacher change), then by course and week (a class moved or split under new uids: one
 * "moved" change). Several kinds on one event make one change.
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

  // A class moved (or split) under new uids: a vanished and an appeared event of the same course
  // in the same week are one "moved" change, not "cancelled" + "added".
  const moves = pairMoves(
    remainingPrevious.filter((event) => event.status !== 'cancelled' && isInSight(event, options)),
    remainingNext.filter((event) => event.status !== 'cancelled'),
    options.timeZone ?? 'UTC',
  );
  for (const move of moves) {
    remaps.push({ fromUid: move.before.uid, toUid: move.after.uid });
    const change = compare(move.before, move.after);
    if (move.otherParts.length === 0) {
      if (change === undefined) unchanged += 1;
      else changes.push(change);
      continue;
    }
    const kinds = new Set<ChangeKind>([...(change?.kinds ?? []), 'moved']);
    kinds.delete('details');
    changes.push({
      uid: move.after.uid,
      kinds: CHANGE_KINDS.filter((kind) => kinds.has(kind)),
      before: move.before,
      after: move.after,
      otherParts: move.otherParts,
    });
    // The other parts are new events; the "moved" change above is what announces them.
    for (const part of move.otherParts) {
      changes.push({ uid: part.uid, kinds: ['details'], before: undefined, after: part });
    }
  }
  const pairedEvents = new Set(
    moves.flatMap((move) => [move.before, move.after, ...move.otherParts]),
  );
  remainingNext = remainingNext.filter((event) => !pairedEvents.has(event));
  remainingPrevious = remainingPrevious.filter((event) => !pairedEvents.has(event));

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

/** A teacher list ("A, B") as a set: a list that only changes order is the same teachers. */
function teacherSet(teacher: string): string {
  return [...new Set(teacher.split(/\s*[,;]\s*/).map((name) => name.trim()))]
    .filter((name) => name !== '')
    .sort()
    .join(', ');
}

/** The event with its teachers and groups in a stable order (they compare as sets). */
function withStableLists(event: TimetableEvent): TimetableEvent {
  return {
    ...event,
    teacher: teacherSet(event.teacher),
    groups: [...new Set(event.groups)].sort(),
  };
}

/** Same as equal fingerprints (teachers and groups as sets), without hashing every event. */
function sameContent(before: TimetableEvent, after: TimetableEvent): boolean {
  const other: readonly unknown[] = comparableFields(withStableLists(after));
  return comparableFields(withStableLists(before)).every((value, index) => {
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
    if (teacherSet(before.teacher) !== teacherSet(after.teacher)) kinds.add('teacher');
    // "Algèbre linéaire" → "ALGEBRE LINEAIRE" is a new spelling, not a rename: no alert.
    if (foldText(before.title) !== foldText(after.title)) kinds.add('renamed');
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

type Move = {
  readonly before: TimetableEvent;
  readonly after: TimetableEvent;
  readonly otherParts: readonly TimetableEvent[];
};

/** Same course (title, teacher, type, ignoring case and accents) in the same local week. */
function moveKey(event: TimetableEvent, timeZone: string): string {
  const at = event.startsAt.getTime();
  const local = new Date(at + zoneOffsetMs(at, timeZone));
  const weekday = (local.getUTCDay() + 6) % 7;
  const monday = Date.UTC(
    local.getUTCFullYear(),
    local.getUTCMonth(),
    local.getUTCDate() - weekday,
  );
  return [
    foldText(event.title),
    foldText(event.teacher),
    foldText(categoryOf(event)),
    String(monday),
  ].join('\u0000');
}

const durationOf = (event: TimetableEvent) => event.endsAt.getTime() - event.startsAt.getTime();

/**
 * Vanished and appeared events of one course and week, paired: one vanished class whose
 * appeared parts add up to its duration is a split; otherwise the closest starts pair up.
 */
function pairMoves(
  vanished: readonly TimetableEvent[],
  appeared: readonly TimetableEvent[],
  timeZone: string,
): Move[] {
  if (vanished.length === 0 || appeared.length === 0) return [];
  const appearedByKey = groupBy(appeared, (event) => moveKey(event, timeZone));
  const vanishedByKey = groupBy(vanished, (event) => moveKey(event, timeZone));
  const moves: Move[] = [];
  const byStart = (a: TimetableEvent, b: TimetableEvent) =>
    a.startsAt.getTime() - b.startsAt.getTime() || a.uid.localeCompare(b.uid);
  for (const [key, befores] of vanishedByKey) {
    const afters = [...(appearedByKey.get(key) ?? [])].sort(byStart);
    if (afters.length === 0) continue;
    const [only] = befores;
    if (
      befores.length === 1 &&
      only !== undefined &&
      afters.length >= 2 &&
      afters.reduce((total, part) => total + durationOf(part), 0) === durationOf(only)
    ) {
      const [first, ...others] = afters;
      if (first !== undefined) moves.push({ before: only, after: first, otherParts: others });
      continue;
    }
    const left = [...befores].sort(byStart);
    const right = afters;
    while (left.length > 0 && right.length > 0) {
      let best: [number, number] = [0, 0];
      let bestGap = Number.POSITIVE_INFINITY;
      for (const [i, before] of left.entries()) {
        for (const [j, after] of right.entries()) {
          const gap = Math.abs(before.startsAt.getTime() - after.startsAt.getTime());
          if (gap < bestGap) {
            bestGap = gap;
            best = [i, j];
          }
        }
      }
      const [before] = left.splice(best[0], 1);
      const [after] = right.splice(best[1], 1);
      if (before !== undefined && after !== undefined) {
        moves.push({ before, after, otherParts: [] });
      }
    }
  }
  return moves;
}
