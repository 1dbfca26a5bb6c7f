import { describe, expect, it } from 'vitest';
import { createToken } from '../../src/feed/tokens.ts';
import { createFeedHarness, makeEvent, recordFailure, seedSection } from './helpers.ts';

/** RFC 5545 content lines are folded at 75 octets. */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');

describe('a feed before the first successful scrape', () => {
  it('says in the calendar that the timetable is being fetched, until it is', async () => {
    const harness = await createFeedHarness();
    const { token } = createToken(harness, { name: 'alice', section: 'MIAGE' });
    const feed = async () =>
      unfold((await harness.app.inject({ url: `/feeds/${token}.ics` })).body);

    const pending = await feed();
    expect(pending).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(pending).toContain('SUMMARY:⏳ Emploi du temps en cours de récupération');
    expect(pending).toContain(
      "X-WR-CALDESC:Emploi du temps MIAGE (Planning Proxy). L'emploi du temps est en cours de récupération",
    );
    expect(pending).toContain('DTSTART;VALUE=DATE:20261121');
    expect(pending.match(/BEGIN:VEVENT/g)).toHaveLength(1);

    seedSection(
      harness.repositories,
      harness.config,
      'MIAGE',
      [makeEvent({ uid: 'a', title: 'Maths' })],
      harness.clock.now(),
    );
    const fetched = await feed();
    expect(fetched).toContain('SUMMARY:Maths');
    expect(fetched).not.toContain('récupération');
    expect(fetched.match(/BEGIN:VEVENT/g)).toHaveLength(1);
  });

  it('says the timetable could not be fetched yet when the source fails', async () => {
    const harness = await createFeedHarness();
    const { token } = createToken(harness, { name: 'alice', section: 'MIAGE' });
    recordFailure(harness.repositories, 'MIAGE', harness.clock.now());
    const body = unfold((await harness.app.inject({ url: `/feeds/${token}.ics` })).body);
    expect(body).toContain('SUMMARY:⚠ Emploi du temps pas encore récupéré');
    expect(body).toContain('La source ne répond pas');
    expect(body).not.toContain('en cours de récupération');
  });
});
