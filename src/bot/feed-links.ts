import { buildFeedUrl, toGoogleSubscribeUrl, toWebcalUrl, type FeedToken } from '../core/index.ts';

export type FeedLinks = {
  readonly https: string;
  readonly webcal: string;
  readonly google: string;
  readonly outlook: string;
};

/**
 * Every form of one feed URL: the same subscribe links as the feed's web page (Google through
 * toGoogleSubscribeUrl; Outlook.com takes the https URL; see docs/calendar-clients.md).
 */
export function toFeedLinks(publicUrl: string, token: FeedToken, sectionName: string): FeedLinks {
  const https = buildFeedUrl(publicUrl, token);
  return {
    https,
    webcal: toWebcalUrl(https),
    google: toGoogleSubscribeUrl(https),
    outlook: `https://outlook.live.com/calendar/0/addfromweb?url=${encodeURIComponent(https)}&name=${encodeURIComponent(sectionName)}`,
  };
}
