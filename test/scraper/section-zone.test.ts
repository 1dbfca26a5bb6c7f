import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { toSectionKey } from '../../src/core/index.ts';
import { createScraperHarness } from './helpers/scraper-harness.ts';

const FLOATING = fileURLToPath(new URL('../fixtures/ics/floating-no-zone.ics', import.meta.url));

describe('a section with its own zone (SECTION_TIMEZONES)', () => {
  it('is parsed from the setting and checked against SECTIONS', () => {
    const config = parseConfig({
      SECTIONS: `Guyane:file:${FLOATING},Paris:file:${FLOATING}`,
      SECTION_TIMEZONES: 'guyane=America/Cayenne',
    });
    expect(config.sections.map((section) => [section.name, section.timeZone])).toEqual([
      ['Guyane', 'America/Cayenne'],
      ['Paris', undefined],
    ]);
    expect(() =>
      parseConfig({ SECTIONS: `A:file:${FLOATING}`, SECTION_TIMEZONES: 'B=America/Cayenne' }),
    ).toThrow(/SECTION_TIMEZONES: "B=America\/Cayenne": no section "B"/);
    expect(() =>
      parseConfig({ SECTIONS: `A:file:${FLOATING}`, SECTION_TIMEZONES: 'A=Mars/Olympus' }),
    ).toThrow(/SECTION_TIMEZONES: "A=Mars\/Olympus": expected an IANA time zone/);
  });

  it("reads that section's floating times in its zone, the others in TIMEZONE", async () => {
    const harness = await createScraperHarness({
      extraSections: [
        {
          key: toSectionKey('Guyane'),
          name: 'Guyane',
          source: { kind: 'file', path: FLOATING },
          timeZone: 'America/Cayenne',
        },
        { key: toSectionKey('Paris'), name: 'Paris', source: { kind: 'file', path: FLOATING } },
      ],
    });
    await harness.scraper.runOnce({ section: 'Guyane' });
    await harness.scraper.runOnce({ section: 'Paris' });
    const starts = harness.database.sqlite
      .prepare(
        'select s.key as section, e.starts_at as startsAt from events e join sections s on s.id = e.section_id order by s.key',
      )
      .all() as { section: string; startsAt: number }[];
    expect(starts.map((row) => [row.section, new Date(row.startsAt).toISOString()])).toEqual([
      ['guyane', '2026-11-23T11:00:00.000Z'],
      ['paris', '2026-11-23T07:00:00.000Z'],
    ]);
  });
});
