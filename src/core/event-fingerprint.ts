import { createHash } from 'node:crypto';
import type { TimetableEvent } from './domain.ts';

/**
 * The fields a change is made of. Volatile export fields (DTSTAMP, LAST-MODIFIED, SEQUENCE, ADE's
 * "(Exporté le ...)") never reach them: sources strip those while normalizing, and `raw` is ignored.
 */
export function comparableFields(event: TimetableEvent) {
  return [
    event.startsAt.getTime(),
    event.endsAt.getTime(),
    event.allDay,
    event.title,
    event.location,
    event.teacher,
    event.description,
    event.status,
    event.category,
    event.course,
    [...event.groups],
  ] as const;
}

/** Equal fingerprints: nothing a user could see has changed. */
export function eventFingerprint(event: TimetableEvent): string {
  return createHash('sha1')
    .update(JSON.stringify(comparableFields(event)))
    .digest('base64url');
}

/** Fingerprint of a whole timetable, independent of order (used to confirm a held-back drop). */
export function timetableFingerprint(events: readonly TimetableEvent[]): string {
  const parts = events.map((event) => `${event.uid}\u0000${eventFingerprint(event)}`).sort();
  return createHash('sha1').update(parts.join('\n')).digest('base64url');
}
