import ICAL from 'ical.js';
import { expect } from 'vitest';

/** RFC 5545 shape checks every served calendar must pass. */
export function assertWellFormedIcs(text: string): void {
  expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
  expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
  // No bare LF or CR: every line ends with CRLF.
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  const bytes = Buffer.from(text, 'utf8');
  let start = 0;
  for (let index = 0; index < bytes.length - 1; index++) {
    if (bytes[index] === 0x0d && bytes[index + 1] === 0x0a) {
      const line = bytes.subarray(start, index);
      expect(line.length).toBeLessThanOrEqual(75);
      // Folding never splits a UTF-8 sequence: each physical line decodes on its own.
      expect(new TextDecoder('utf-8', { fatal: true }).decode(line)).toBeTypeOf('string');
      start = index + 2;
    }
  }
  // Every TZID used has its VTIMEZONE.
  const tzids = new Set([...text.matchAll(/;TZID=([^:;]+)/g)].map((match) => match[1]));
  for (const tzid of tzids) expect(text).toContain(`BEGIN:VTIMEZONE\r\nTZID:${tzid ?? ''}`);
}

export type ParsedEvent = {
  uid: string;
  summary: string;
  description: string;
  status: string | null;
  sequence: number;
  start: Date;
  end: Date;
  allDay: boolean;
  lastModified: string | null;
  dtstamp: string | null;
};

/** Parses with ical.js (what calendar apps do) and returns the events in file order. */
export function parseIcs(text: string): {
  calendar: ICAL.Component;
  events: ParsedEvent[];
} {
  const calendar = ICAL.Component.fromString(text);
  const events = calendar.getAllSubcomponents('vevent').map((component) => {
    const event = new ICAL.Event(component);
    const text = (name: string) => {
      const value: unknown = component.getFirstPropertyValue(name);
      if (value === null) return null;
      // Dates and durations are ical.js objects whose toString() is the iCalendar form.
      return typeof value === 'string' ? value : (value as { toString(): string }).toString();
    };
    return {
      uid: event.uid,
      summary: event.summary,
      description: event.description,
      status: text('status'),
      sequence: event.sequence,
      start: event.startDate.toJSDate(),
      end: event.endDate.toJSDate(),
      allDay: event.startDate.isDate,
      lastModified: text('last-modified'),
      dtstamp: text('dtstamp'),
    };
  });
  return { calendar, events };
}
