import QRCode from 'qrcode';
import {
  addDays,
  buildFeedUrl,
  describeFilter,
  filterFromJson,
  isEmptyFilter,
  matchesFilter,
  startOfDay,
  toCalendarDate,
  toGoogleSubscribeUrl,
  toWebcalUrl,
  type CalendarDate,
  type FeedToken,
} from '../core/index.ts';
import type { FeedTokenRow, Repositories, SectionRow, StoredEvent } from '../db/index.ts';
import type { WebLocale, WebMessages } from './messages.ts';

export type CalendarButton = { readonly id: string; readonly label: string; readonly href: string };

/**
 * The subscribe links of one feed. Google: `cid=` with the webcal:// form (the https:// form is
 * refused by Google's "add by link" with "isn't associated with an active Google Calendar
 * account"/"Unable to add calendar", as several subscribe tools reported; the page also says how
 * to add the https link by hand). Outlook.com and Microsoft 365 take the https URL in
 * `addfromweb`; Apple Calendar and Thunderbird open webcal:// themselves.
 */
export function calendarButtons(httpsLink: string, name: string, t: WebMessages): CalendarButton[] {
  const webcal = toWebcalUrl(httpsLink);
  const url = encodeURIComponent(httpsLink);
  const title = encodeURIComponent(name);
  return [
    {
      id: 'google',
      label: t.feedButton.google,
      href: toGoogleSubscribeUrl(httpsLink),
    },
    {
      id: 'outlook',
      label: t.feedButton.outlook,
      href: `https://outlook.live.com/calendar/0/addfromweb?url=${url}&name=${title}`,
    },
    {
      id: 'microsoft365',
      label: t.feedButton.microsoft365,
      href: `https://outlook.office.com/calendar/0/addfromweb?url=${url}&name=${title}`,
    },
    { id: 'apple', label: t.feedButton.apple, href: webcal },
    { id: 'thunderbird', label: t.feedButton.thunderbird, href: webcal },
  ];
}

/** The page's own address (what the QR code holds): opens this page, or the calendar in an app. */
export function feedPageUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/feeds/${token}`;
}

export type PreviewEvent = {
  readonly uid: string;
  readonly startIso: string;
  readonly time: string;
  readonly title: string;
  readonly details: string;
  readonly cancelled: boolean;
};
export type PreviewDay = { readonly label: string; readonly events: PreviewEvent[] };
export type PreviewWeek = { readonly title: string; readonly days: PreviewDay[] };

/** Monday of the week holding `date` (ISO weeks, as French timetables are laid out). */
function mondayOf(date: CalendarDate): CalendarDate {
  const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return addDays(date, -((weekday + 6) % 7));
}

/**
 * This week and next from the events the feed itself serves: the token's filter applied, events
 * removed upstream within the retention shown as cancelled, times in the school's zone.
 */
export function buildPreview(input: {
  events: readonly StoredEvent[];
  now: Date;
  timeZone: string;
  locale: WebLocale;
  t: WebMessages;
}): PreviewWeek[] {
  const { timeZone, locale, t } = input;
  const monday = mondayOf(toCalendarDate(input.now, timeZone));
  const intlLocale = locale === 'fr' ? 'fr-FR' : 'en-GB';
  const time = new Intl.DateTimeFormat(intlLocale, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
  });
  const dayLabel = new Intl.DateTimeFormat(intlLocale, {
    timeZone: 'UTC',
    weekday: 'long',
    day: 'numeric',
    month: 'long',
  });
  const weeks: PreviewWeek[] = [];
  for (const [index, title] of [t.feedThisWeek, t.feedNextWeek].entries()) {
    const days: PreviewDay[] = [];
    for (let offset = 0; offset < 7; offset += 1) {
      const date = addDays(monday, index * 7 + offset);
      const from = startOfDay(date, timeZone).getTime();
      const to = startOfDay(addDays(date, 1), timeZone).getTime();
      const dayUtc = Date.UTC(date.year, date.month - 1, date.day);
      const events = input.events
        .filter((event) =>
          event.allDay
            ? event.startsAt.getTime() <= dayUtc && event.endsAt.getTime() > dayUtc
            : event.startsAt.getTime() >= from && event.startsAt.getTime() < to,
        )
        .map((event) => ({
          uid: event.feedUid,
          startIso: event.startsAt.toISOString(),
          time: event.allDay
            ? t.feedAllDay
            : `${time.format(event.startsAt)}–${time.format(event.endsAt)}`,
          title: event.title,
          details: [event.location, event.teacher]
            .map((text) => text.trim())
            .filter((text) => text !== '')
            .join(' · '),
          cancelled: event.status === 'cancelled' || event.removedAt !== null,
        }));
      if (events.length > 0) days.push({ label: dayLabel.format(new Date(dayUtc)), events });
    }
    weeks.push({ title, days });
  }
  return weeks;
}

/** The earliest failed run since the last success: when the school site started failing. */
function failingSince(
  repositories: Pick<Repositories, 'scrapeRuns'>,
  section: SectionRow,
): Date | undefined {
  if (section.consecutiveFailures === 0) return undefined;
  const runs = repositories.scrapeRuns.listRecent(section.id, section.consecutiveFailures + 50);
  let since: Date | undefined;
  for (const run of runs) {
    if (section.lastSuccessAt !== null && run.startedAt <= section.lastSuccessAt) break;
    if (run.status === 'failed') since = run.startedAt;
  }
  return since ?? section.lastErrorAt ?? undefined;
}

export async function buildFeedPage(input: {
  repositories: Pick<Repositories, 'events' | 'scrapeRuns'>;
  publicUrl: string;
  timeZone: string;
  cancelledRetentionMs: number;
  now: Date;
  token: string;
  row: FeedTokenRow;
  section: SectionRow;
  locale: WebLocale;
  t: WebMessages;
}) {
  const { t, locale, section, timeZone } = input;
  const httpsLink = buildFeedUrl(input.publicUrl, input.token as FeedToken);
  const pageLink = feedPageUrl(input.publicUrl, input.token);
  const filter = filterFromJson(input.row.filterJson);
  // Only the two weeks shown (all-day events are dated in UTC: a day of margin either side).
  const monday = mondayOf(toCalendarDate(input.now, timeZone));
  const events = input.repositories.events
    .listForFeedBetween(
      section.id,
      new Date(input.now.getTime() - input.cancelledRetentionMs),
      new Date(startOfDay(addDays(monday, -1), timeZone)),
      new Date(startOfDay(addDays(monday, 15), timeZone)),
    )
    .filter((event) => matchesFilter(event, filter));
  const when = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    timeZone,
    dateStyle: 'long',
    timeStyle: 'short',
  });
  const since = failingSince(input.repositories, section);
  const qrSvg = await QRCode.toString(pageLink, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 4,
  });
  return {
    heading: t.feedTitle(section.name),
    filter: isEmptyFilter(filter) ? t.feedWholeSection : describeFilter(filter, locale),
    updated:
      section.lastSuccessAt === null
        ? t.feedNeverUpdated
        : t.feedUpdated(when.format(section.lastSuccessAt)),
    failing: since === undefined ? undefined : t.feedFailingSince(when.format(since)),
    buttons: calendarButtons(httpsLink, section.name, t),
    httpsLink,
    pageLink,
    qrSvg: qrSvg.replace('<svg ', `<svg role="img" aria-label="${t.feedQrLabel}" `),
    refresh: [
      t.feedRefresh.google,
      t.feedRefresh.outlook,
      t.feedRefresh.apple,
      t.feedRefresh.thunderbird,
    ],
    timesIn: t.feedTimesIn(timeZone),
    weeks: buildPreview({ events, now: input.now, timeZone, locale, t }),
  };
}
