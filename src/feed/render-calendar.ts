import ical, { ICalEventStatus, ICalEventTransparency } from 'ical-generator';
import { EXAM_CATEGORY, isExam, type EventStatus } from '../core/index.ts';
import type { StoredEvent } from '../db/index.ts';

/** RFC 7986 REFRESH-INTERVAL / X-PUBLISHED-TTL: a hint only (Google ignores both). */
export const FEED_REFRESH_INTERVAL_SECONDS = 900;
export const CANCELLED_TITLE_PREFIX = 'Annulé : ';
/** The visible mark of an exam in a calendar app (its CATEGORIES is EXAMEN). */
export const EXAM_TITLE_PREFIX = '📝 ';
/** Said in a calendar whose section was never scraped successfully yet. */
export const PENDING_TEXT =
  "L'emploi du temps est en cours de récupération auprès de l'école : les cours apparaîtront à une prochaine actualisation du calendrier.";
const PRODUCT_ID = { company: 'planning-proxy', product: 'feed', language: 'FR' } as const;

export type CalendarFreshness = {
  /** Last successful scrape (null: never). */
  readonly lastSuccessAt: Date | null;
  /** The source failed on its latest attempt(s): the calendar description says when it was last verified. */
  readonly failing: boolean;
  /**
   * Set while the section is stale or was never scraped successfully: one all-day banner event on
   * that local day (YYYY-MM-DD).
   */
  readonly staleBannerDay: string | null;
};

export type RenderCalendarInput = {
  readonly section: { readonly key: string; readonly name: string };
  /** Events to publish; removed ones (removedAt set) are shown as cancelled. */
  readonly events: readonly StoredEvent[];
  readonly timeZone: string;
  readonly freshness: CalendarFreshness;
  /** A personal filter's description ("Filtre : groupes TD1"), said in the calendar description. */
  readonly filterDescription?: string | undefined;
};

/**
 * Pure and deterministic: no clock reads, events sorted, DTSTAMP/LAST-MODIFIED from stored change
 * times. Times are written in UTC (`...Z`): no TZID means no VTIMEZONE to get wrong, and every
 * client converts UTC to the viewer's zone; X-WR-TIMEZONE only tells clients the display zone.
 */
export function renderCalendar(input: RenderCalendarInput): string {
  const { section, timeZone, freshness } = input;
  const formatDateTime = createDateTimeFormatter(timeZone);
  const calendar = ical({
    name: cleanLine(section.name),
    prodId: PRODUCT_ID,
    ttl: FEED_REFRESH_INTERVAL_SECONDS,
    description: calendarDescription(
      section.name,
      freshness,
      formatDateTime,
      input.filterDescription,
    ),
    timezone: null,
  });
  calendar.x('X-WR-TIMEZONE', timeZone);

  if (freshness.staleBannerDay !== null) {
    calendar.createEvent(staleBanner(section, freshness, freshness.staleBannerDay, formatDateTime));
  }

  for (const event of [...input.events].sort(compareEvents)) {
    const cancelled = event.removedAt !== null || event.status === 'cancelled';
    const exam = isExam(event);
    const title = `${exam ? EXAM_TITLE_PREFIX : ''}${cleanLine(event.title) || 'Cours'}`;
    const category = exam ? EXAM_CATEGORY : cleanLine(event.category);
    calendar.createEvent({
      id: cleanLine(event.feedUid),
      start: event.startsAt,
      end: event.endsAt,
      allDay: event.allDay,
      summary: cancelled ? `${CANCELLED_TITLE_PREFIX}${title}` : title,
      location: cleanLine(event.location) || null,
      description: eventDescription(event, formatDateTime),
      status: cancelled ? ICalEventStatus.CANCELLED : toIcalStatus(event.status),
      sequence: event.revision,
      stamp: event.changedAt,
      lastModified: event.changedAt,
      created: event.createdAt,
      categories: category === '' ? [] : [{ name: category }],
    });
  }
  // RFC 5545 §3.1: every content line, the last one included, ends with CRLF.
  return `${calendar.toString()}\r\n`;
}

function compareEvents(a: StoredEvent, b: StoredEvent): number {
  return (
    a.startsAt.getTime() - b.startsAt.getTime() ||
    a.endsAt.getTime() - b.endsAt.getTime() ||
    (a.feedUid < b.feedUid ? -1 : a.feedUid > b.feedUid ? 1 : 0)
  );
}

function toIcalStatus(status: EventStatus): ICalEventStatus {
  switch (status) {
    case 'confirmed':
      return ICalEventStatus.CONFIRMED;
    case 'tentative':
      return ICalEventStatus.TENTATIVE;
    case 'cancelled':
      return ICalEventStatus.CANCELLED;
  }
}

function eventDescription(event: StoredEvent, format: (at: Date) => string): string {
  const lines: string[] = [];
  const description = cleanText(event.description).trim();
  if (description !== '') lines.push(description);
  const teacher = cleanLine(event.teacher);
  if (teacher !== '' && !description.includes(teacher)) lines.push(`Enseignant : ${teacher}`);
  const groups = event.groups.map(cleanLine).filter((group) => group !== '');
  if (groups.length > 0 && !description.includes(groups.join(', '))) {
    lines.push(`Groupes : ${groups.join(', ')}`);
  }
  if (event.removedAt !== null)
    lines.push(`Retiré de l'emploi du temps le ${format(event.removedAt)}`);
  if (lines.length > 0) lines.push('');
  lines.push(`Dernière modification : ${format(event.changedAt)}`);
  return lines.join('\n');
}

function calendarDescription(
  name: string,
  freshness: CalendarFreshness,
  format: (at: Date) => string,
  filterDescription: string | undefined,
): string {
  const filter = cleanLine(filterDescription ?? '');
  const base = `Emploi du temps ${cleanLine(name)} (Planning Proxy)${filter === '' ? '' : `. ${filter}`}`;
  if (!freshness.failing && freshness.lastSuccessAt === null) return `${base}. ${PENDING_TEXT}`;
  if (!freshness.failing) return base;
  const verified =
    freshness.lastSuccessAt === null
      ? 'aucune mise à jour réussie pour le moment'
      : `dernière vérification réussie le ${format(freshness.lastSuccessAt)}`;
  return `${base}. La source ne répond pas : ${verified}.`;
}

function staleBanner(
  section: RenderCalendarInput['section'],
  freshness: CalendarFreshness,
  day: string,
  format: (at: Date) => string,
) {
  const start = new Date(`${day}T00:00:00Z`);
  const since = freshness.lastSuccessAt;
  // Before the first successful scrape: being fetched, or (failing) not fetched yet.
  const pending = since === null && !freshness.failing;
  const summary = pending
    ? '⏳ Emploi du temps en cours de récupération'
    : since === null
      ? '⚠ Emploi du temps pas encore récupéré'
      : `⚠ Emploi du temps non actualisé depuis le ${format(since)}`;
  return {
    id: `stale-${day}-${toUidPart(section.key)}@planning-proxy`,
    start,
    end: new Date(start.getTime() + 86_400_000),
    allDay: true,
    summary,
    description: pending
      ? PENDING_TEXT
      : "La source de l'emploi du temps ne répond plus. Les cours affichés sont les derniers connus " +
        'et peuvent avoir changé depuis : vérifiez auprès de votre école.',
    status: ICalEventStatus.CONFIRMED,
    transparency: ICalEventTransparency.TRANSPARENT,
    sequence: 0,
    stamp: since ?? start,
    lastModified: since ?? start,
  };
}

function toUidPart(key: string): string {
  return key
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-');
}

/** "21/11/2026 14:05" in the given zone. */
export function createDateTimeFormatter(timeZone: string): (at: Date) => string {
  const formatter = new Intl.DateTimeFormat('fr-FR', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return (at) => {
    const parts = Object.fromEntries(
      formatter.formatToParts(at).map((part) => [part.type, part.value]),
    );
    return `${parts.day ?? ''}/${parts.month ?? ''}/${parts.year ?? ''} ${parts.hour ?? ''}:${parts.minute ?? ''}`;
  };
}

// TEXT may not carry control characters (RFC 5545 §3.3.11); tab and line breaks are kept.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL_CHARS, '');
}

/** Single-line text (titles, places): line breaks become spaces. */
export function cleanLine(text: string): string {
  return cleanText(text)
    .replace(/[\n\t]+/g, ' ')
    .trim();
}
