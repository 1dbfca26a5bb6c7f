import { buildFeedUrl, toWebcalUrl, type FeedToken } from '../core/index.ts';

export type FeedLinks = {
  readonly https: string;
  readonly webcal: string;
  readonly google: string;
  readonly outlook: string;
};

/**
 * Every form of one feed URL. Google's one-click link is reported to need the plain http:// form
 * in `cid` even for an https feed (calendar-clients.md §5.3); Outlook.com takes the https URL.
 */
export function toFeedLinks(publicUrl: string, token: FeedToken, sectionName: string): FeedLinks {
  const https = buildFeedUrl(publicUrl, token);
  const httpForm = https.replace(/^https:\/\//, 'http://');
  return {
    https,
    webcal: toWebcalUrl(https),
    google: `https://calendar.google.com/calendar/render?cid=${encodeURIComponent(httpForm)}`,
    outlook: `https://outlook.live.com/calendar/0/addfromweb?url=${encodeURIComponent(https)}&name=${encodeURIComponent(sectionName)}`,
  };
}
