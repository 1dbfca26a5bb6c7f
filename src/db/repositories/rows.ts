import type { EventStatus, TimetableChange, TimetableEvent } from '../../core/index.ts';
import type { eventsTable } from '../schema.ts';

export type EventRow = typeof eventsTable.$inferSelect;

/** A stored event with what feeds need besides the event itself. */
export type StoredEvent = TimetableEvent & {
  readonly feedUid: string;
  readonly revision: number;
  readonly createdAt: Date;
  readonly changedAt: Date;
  readonly removedAt: Date | null;
};

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    uid: row.uid,
    feedUid: row.feedUid,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    allDay: row.allDay,
    title: row.title,
    location: row.location,
    teacher: row.teacher,
    description: row.description,
    status: row.status satisfies EventStatus,
    category: row.category,
    course: row.course,
    groups: parseJson<string[]>(row.groupsJson, []),
    raw: parseJson<Record<string, string>>(row.rawJson, {}),
    revision: row.revision,
    createdAt: row.createdAt,
    changedAt: row.changedAt,
    removedAt: row.removedAt,
  };
}

/** The columns an event's content fills (everything but identity, revision and times of change). */
export function toEventColumns(event: TimetableEvent, contentHash: string) {
  return {
    uid: event.uid,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    allDay: event.allDay,
    title: event.title,
    location: event.location,
    teacher: event.teacher,
    description: event.description,
    status: event.status,
    category: event.category,
    course: event.course,
    groupsJson: JSON.stringify(event.groups),
    rawJson: JSON.stringify(event.raw),
    contentHash,
  };
}

export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** JSON form of an event kept in the change history (no raw fields: they can be large). */
export function toEventJson(event: TimetableEvent | undefined): string | null {
  if (event === undefined) return null;
  const { raw: _raw, ...rest } = event;
  return JSON.stringify(rest);
}

/** A change's `after` JSON; a split keeps its other parts in it (`otherParts`). */
export function toChangeAfterJson(change: TimetableChange): string | null {
  const json = toEventJson(change.after);
  if (json === null || change.otherParts === undefined || change.otherParts.length === 0) {
    return json;
  }
  const parts = change.otherParts.map((part) => JSON.parse(toEventJson(part) ?? 'null') as unknown);
  return JSON.stringify({ ...(JSON.parse(json) as object), otherParts: parts });
}

/** The other parts of a split stored by toChangeAfterJson ([] for any other change). */
export function otherPartsFromJson(text: string | null): TimetableEvent[] {
  if (text === null) return [];
  const value = parseJson<{ otherParts?: unknown } | null>(text, null);
  if (value === null || !Array.isArray(value.otherParts)) return [];
  return value.otherParts
    .map((part) => fromEventJson(JSON.stringify(part)))
    .filter((part) => part !== undefined);
}

/** Inverse of toEventJson. */
export function fromEventJson(text: string | null): TimetableEvent | undefined {
  if (text === null) return undefined;
  const parsed = parseJson<Record<string, unknown> | null>(text, null);
  if (parsed === null) return undefined;
  const { otherParts: _otherParts, ...value } = parsed;
  return {
    ...(value as unknown as TimetableEvent),
    startsAt: new Date(value.startsAt as string),
    endsAt: new Date(value.endsAt as string),
    raw: {},
  };
}
