import { escapeIcsText, icsUtc } from '../../helpers/ics-text.ts';

/** Builds ADE-like iCalendar text for tests whose calendar changes between scrapes. */
export type IcsEventSpec = {
  readonly uid: string;
  /** ISO instant, e.g. 2026-11-23T07:30:00Z. */
  readonly start: string;
  readonly end: string;
  readonly summary: string;
  readonly location?: string;
  /** Lines of the DESCRIPTION (ADE: groups then teachers). */
  readonly description?: readonly string[];
  readonly status?: 'CONFIRMED' | 'CANCELLED' | 'TENTATIVE';
};

export function icsDateTime(iso: string): string {
  return icsUtc(new Date(iso));
}

/** Folds a content line at 75 characters, as RFC 5545 §3.1 asks. */
function fold(line: string): string {
  const parts: string[] = [];
  let rest = line;
  while (rest.length > 75) {
    parts.push(rest.slice(0, 75));
    rest = ` ${rest.slice(75)}`;
  }
  parts.push(rest);
  return parts.join('\r\n');
}

/**
 * An ADE-style export: UTC times, "(Exporté le:…)" in every DESCRIPTION, export-time DTSTAMP and
 * LAST-MODIFIED, a huge SEQUENCE. `exportedAt` changes only those volatile fields.
 */
export function buildCalendar(
  events: readonly IcsEventSpec[],
  options: { exportedAt?: string } = {},
): string {
  const exportedAt = new Date(options.exportedAt ?? '2026-11-21T10:00:00Z');
  const stamp = icsDateTime(exportedAt.toISOString());
  const frenchStamp = `${pad(exportedAt.getUTCDate())}/${pad(exportedAt.getUTCMonth() + 1)}/${exportedAt.getUTCFullYear()} ${pad(exportedAt.getUTCHours())}:${pad(exportedAt.getUTCMinutes())}`;
  const sequence = 2_141_000_000 + (Math.floor(exportedAt.getTime() / 60_000) % 1_000_000);
  const lines = [
    'BEGIN:VCALENDAR',
    'METHOD:REQUEST',
    'PRODID:-//ADE/version 6.0',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
  ];
  for (const event of events) {
    const description = [...(event.description ?? []), `(Exporté le:${frenchStamp})`];
    lines.push(
      'BEGIN:VEVENT',
      `DTSTAMP:${stamp}`,
      `DTSTART:${icsDateTime(event.start)}`,
      `DTEND:${icsDateTime(event.end)}`,
      `SUMMARY:${escapeIcsText(event.summary)}`,
      `LOCATION:${escapeIcsText(event.location ?? '')}`,
      `DESCRIPTION:${escapeIcsText(`\n\n${description.join('\n')}\n`)}`,
      `UID:${event.uid}`,
      'CREATED:19700101T000000Z',
      `LAST-MODIFIED:${stamp}`,
      `SEQUENCE:${sequence}`,
      ...(event.status === undefined ? [] : [`STATUS:${event.status}`]),
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
