import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { createFeedHarness, makeEvent, recordFailure, seedSection } from './helpers.ts';

describe('GET /healthz describes the configured sections', () => {
  it('leaves out a section removed from SECTIONS, whose row and history are kept', async () => {
    const harness = await createFeedHarness({ env: { STALE_AFTER: '3600' } });
    const removed = parseConfig({ SECTIONS: 'Ancienne:file:./old.ics', LOG_LEVEL: 'silent' });
    seedSection(
      harness.repositories,
      removed,
      'Ancienne',
      [makeEvent({ uid: 'a' })],
      new Date('2026-11-01T08:00:00Z'),
    );
    recordFailure(harness.repositories, 'Ancienne', new Date('2026-11-02T08:00:00Z'));

    const body = (await harness.app.inject({ url: '/healthz' })).json<{
      sections: { name: string }[];
    }>();
    expect(body.sections.map((section) => section.name)).toEqual(['Génie Info', 'MIAGE']);
    expect(harness.repositories.sections.list().map((row) => row.name)).toContain('Ancienne');
  });

  it('reports a section that never succeeded as stale once STALE_AFTER has passed', async () => {
    const harness = await createFeedHarness({ env: { STALE_AFTER: '3600' } });
    recordFailure(harness.repositories, 'MIAGE', harness.clock.now());
    const staleness = async () =>
      (await harness.app.inject({ url: '/healthz' }))
        .json<{ sections: { name: string; stale: boolean; lastSuccessAt: string | null }[] }>()
        .sections.map((section) => [section.name, section.lastSuccessAt, section.stale]);

    expect(await staleness()).toEqual([
      ['Génie Info', null, false],
      ['MIAGE', null, false],
    ]);
    harness.clock.advance(3_600_000 + 1000);
    expect(await staleness()).toEqual([
      ['Génie Info', null, true],
      ['MIAGE', null, true],
    ]);
  });
});
