/** Calendar apps the dashboard tells apart, from the User-Agent of their feed requests. */
export const CALENDAR_CLIENTS = ['google', 'apple', 'outlook', 'thunderbird', 'other'] as const;
export type CalendarClient = (typeof CALENDAR_CLIENTS)[number];

// What each app's fetcher sends: Google's "Google-Calendar-Importer"; Apple's daemons
// ("dataaccessd" on iOS, "CalendarAgent"/"iCal" on macOS); Outlook.com / Microsoft 365 and
// Outlook desktop ("Microsoft Outlook", "Microsoft Office", Exchange); Thunderbird (or its old
// Lightning add-on).
const PATTERNS: readonly (readonly [CalendarClient, RegExp])[] = [
  ['google', /Google-Calendar-Importer|GoogleCalendar/i],
  ['apple', /dataaccessd|CalendarAgent|\biCal\/|accountsd|remindd/i],
  ['outlook', /Outlook|Microsoft Office|MSOffice|Exchange/i],
  ['thunderbird', /Thunderbird|Lightning/i],
];

export function classifyUserAgent(userAgent: string | undefined | null): CalendarClient {
  if (userAgent == null || userAgent === '') return 'other';
  for (const [client, pattern] of PATTERNS) if (pattern.test(userAgent)) return client;
  return 'other';
}
