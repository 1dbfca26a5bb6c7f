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
