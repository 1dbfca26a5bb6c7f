import { readFile } from 'node:fs/promises';
import { AppError } from '../../core/index.ts';
import { describeUrl } from '../http-client.ts';
import { decodeCalendarBytes, parseIcsCalendar } from '../ics.ts';
import type { RawPayload, Source } from './source.ts';

/** Parses every part of a payload as one iCalendar document (shared by ICS-based sources). */
export function parseIcsPayload(raw: RawPayload, context: Parameters<Source['parse']>[1]) {
  const part = raw.parts[0];
  if (part === undefined) throw new AppError('scraper.not_calendar', 'nothing was fetched');
  return parseIcsCalendar(decodeCalendarBytes(part.body), context);
}

/** Generic ICS exports: ADE, Hyperplanning, Celcat… (http, https, webcal; basic auth in the URL). */
export function createIcsUrlSource(): Source {
  return {
    kind: 'ics',
    async fetchRaw(section, { http, clock, signal }) {
      if (section.source.kind !== 'ics') throw new Error('ics source given another section');
      const response = await http.getBytes(section.source.url, {
        headers: { accept: 'text/calendar, text/plain;q=0.9, */*;q=0.1' },
        maxRedirects: 3,
        ...(signal === undefined ? {} : { signal }),
      });
      const contentType = response.headers['content-type'];
      return {
        fetchedAt: clock.now(),
        parts: [
          {
            body: response.body,
            contentType: typeof contentType === 'string' ? contentType : undefined,
            origin: describeUrl(section.source.url),
          },
        ],
      };
    },
    parse: parseIcsPayload,
  };
}

/** A local .ics file (the demo section, or an export dropped by another tool). */
export function createIcsFileSource(): Source {
  return {
    kind: 'file',
    async fetchRaw(section, { clock }) {
      if (section.source.kind !== 'file') throw new Error('file source given another section');
      let body: Buffer;
      try {
        body = await readFile(section.source.path);
      } catch (cause) {
        const code = cause instanceof Error && 'code' in cause ? String(cause.code) : 'error';
        throw new AppError(
          'scraper.file_unreadable',
          `cannot read ${section.source.path} (${code})`,
          {
            cause,
          },
        );
      }
      return {
        fetchedAt: clock.now(),
        parts: [{ body, contentType: 'text/calendar', origin: section.source.path }],
      };
    },
    parse: parseIcsPayload,
  };
}
