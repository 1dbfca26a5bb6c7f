import type { TimetableEvent } from '../../src/core/index.ts';

/**
 * A normalized event for tests: a two-hour class "Cours" on Monday 23 November 2026, 08:00 UTC,
 * with empty text fields; `fields` override any of them.
 */
export function timetableEvent(fields: Partial<TimetableEvent> & { uid: string }): TimetableEvent {
  return {
    startsAt: new Date('2026-11-23T08:00:00Z'),
    endsAt: new Date('2026-11-23T10:00:00Z'),
    allDay: false,
    title: 'Cours',
    location: '',
    teacher: '',
    description: '',
    status: 'confirmed',
    category: '',
    course: '',
    groups: [],
    raw: {},
    ...fields,
  };
}

/** The fields the ICS fixture tests write out for every event, instants as ISO strings. */
export function writtenFields(event: TimetableEvent) {
  return {
    startsAt: event.startsAt.toISOString(),
    endsAt: event.endsAt.toISOString(),
    title: event.title,
    location: event.location,
    teacher: event.teacher,
    category: event.category,
  };
}

/** A calendar of one event, `a`, on Monday 23 November 2026 08:00-10:00 UTC, with `properties`. */
export function singleEventIcs(...properties: string[]): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//test//EN',
    'BEGIN:VEVENT',
    'UID:a',
    'DTSTAMP:20261121T080000Z',
    'DTSTART:20261123T080000Z',
    'DTEND:20261123T100000Z',
    ...properties,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}
