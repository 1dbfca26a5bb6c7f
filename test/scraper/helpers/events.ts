import { readFileSync } from 'node:fs';
import type { ParseResult, TimetableEvent } from '../../../src/core/index.ts';
import { decodeCalendarBytes, parseIcsCalendar } from '../../../src/scraper/ics.ts';
import { timetableEvent } from '../../helpers/events.ts';

export const FIXTURES = new URL('../../fixtures/ics/', import.meta.url);

/** The bytes of a fixture in test/fixtures/ics. */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

/** The text of a fixture in test/fixtures/ics, read as UTF-8. */
export function fixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

/** The "now" of every fixture: ADE's export stamp, Saturday 21 November 2026, 10:00 UTC. */
export const FIXTURE_NOW = new Date('2026-11-21T10:00:00Z');

/** Decodes and parses a fixture as a source would (Europe/Paris, one year of recurrences). */
export function parseFixture(
  name: string,
  context: { timeZone?: string; now?: Date; horizonDays?: number } = {},
): ParseResult {
  return parseIcsCalendar(decodeCalendarBytes(fixtureBytes(name)), {
    timeZone: context.timeZone ?? 'Europe/Paris',
    now: context.now ?? FIXTURE_NOW,
    horizonDays: context.horizonDays ?? 365,
  });
}

/** One event of a parse result, by uid (fails loudly when absent). */
export function byUid(result: Pick<ParseResult, 'events'>, uid: string): TimetableEvent {
  const event = result.events.find((candidate) => candidate.uid === uid);
  if (event === undefined) throw new Error(`no event with uid ${uid}`);
  return event;
}

/** A normalized event for diff tests: a two-hour class on Monday 23 November 2026, 08:00 UTC. */
export function makeEvent(overrides: Partial<TimetableEvent> & { uid: string }): TimetableEvent {
  return timetableEvent({
    title: 'Algorithmique avancée',
    location: 'Amphi A',
    teacher: 'DUPONT Marie',
    description: 'L3 INFO\nDUPONT Marie',
    ...overrides,
  });
}

/** Instants as ISO strings, for readable assertions. */
export function times(event: TimetableEvent): [string, string] {
  return [event.startsAt.toISOString(), event.endsAt.toISOString()];
}
