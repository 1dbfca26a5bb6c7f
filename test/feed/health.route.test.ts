import { describe, expect, it } from 'vitest';
import { createToken } from '../../src/feed/tokens.ts';
import {
  createFeedHarness,
  makeEvent,
  recordFailure,
  seedSection,
  seedTwoClasses,
} from './helpers.ts';

describe('GET /healthz', () => {
  it('answers 200 with per-section freshness while the database answers', async () => {
    const harness = await createFeedHarness({ env: { STALE_AFTER: '3600' } });
    seedSection(
      harness.repositories,
      harness.config,
      'MIAGE',
      [makeEvent({ uid: 'a' })],
      new Date('2026-11-21T11:00:00Z'),
    );
    recordFailure(harness.repositories, 'MIAGE', new Date('2026-11-21T12:00:00Z'));
    const base = await harness.listen();
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      version: '0.0.0-test',
      sections: [
        {
          name: 'Génie Info',
          lastSuccessAt: null,
          ageSeconds: null,
          stale: false,
          consecutiveFailures: 0,
        },
        {
          name: 'MIAGE',
          lastSuccessAt: '2026-11-21T11:00:00.000Z',
          ageSeconds: 7500,
          stale: true,
          consecutiveFailures: 1,
        },
      ],
    });
  });

  it('answers 503 when the database does not', async () => {
    const harness = await createFeedHarness();
    harness.close();
    const response = await harness.app.inject({ url: '/healthz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unavailable', version: '0.0.0-test' });
    const metrics = await harness.app.inject({ url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('planning_proxy_database_up 0');
  });
});

describe('GET /metrics', () => {
  it('exposes feed hits, 304s, 404s, scrape runs, events, tokens and the alert backlog', async () => {
    const harness = await createFeedHarness({ alertBacklog: () => 4 });
    seedTwoClasses(harness, 'MIAGE', new Date('2026-11-21T13:00:00Z'));
    recordFailure(harness.repositories, 'MIAGE', new Date('2026-11-21T13:01:00Z'));
    const { token } = createToken(harness, { name: 'alice', section: 'MIAGE' });
    createToken(harness, { name: 'ipp' });
    const ok = await harness.app.inject({ url: `/feeds/${token}.ics` });
    await harness.app.inject({
      url: `/feeds/${token}.ics`,
      headers: { 'if-none-match': ok.headers.etag! },
    });
    await harness.app.inject({ url: `/feeds/${'0'.repeat(64)}.ics` });

    const response = await harness.app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.body;
    for (const line of [
      'planning_proxy_feed_requests_total{section="MIAGE",status="200"} 1',
      'planning_proxy_feed_requests_total{section="MIAGE",status="304"} 1',
      'planning_proxy_feed_not_found_total 1',
      'planning_proxy_scrape_runs{section="MIAGE",status="baseline"} 1',
      'planning_proxy_scrape_runs{section="MIAGE",status="failed"} 1',
      'planning_proxy_section_events{section="MIAGE"} 2',
      'planning_proxy_section_events{section="Génie Info"} 0',
      'planning_proxy_section_consecutive_failures{section="MIAGE"} 1',
      'planning_proxy_feed_tokens_active{section="MIAGE"} 1',
      'planning_proxy_feed_tokens_active{section="*"} 1',
      'planning_proxy_alert_backlog 4',
      'planning_proxy_database_up 1',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).not.toContain('process_cpu');
  });

  it('omits the alert backlog when there is no bot', async () => {
    const harness = await createFeedHarness();
    const response = await harness.app.inject({ url: '/metrics' });
    expect(response.body).not.toContain('alert_backlog');
  });
});
