/**
 * What an alert says matches what happened: fixtures moves-before.ics → moves-after.ics (ADE
 * layout) hold a class moved under a new uid, a class split in two under new uids, a case-only
 * rename, a teacher change read from ADE's description, and one real cancellation + addition.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatChangeAlert } from '../../src/bot/alert-format.ts';
import { messages } from '../../src/bot/messages.ts';
import type { TimetableChange } from '../../src/core/index.ts';
import { diffTimetables } from '../../src/scraper/diff.ts';
import { parseIcsCalendar } from '../../src/scraper/ics.ts';
import { createScraperHarness, edit } from './helpers/scraper-harness.ts';

const NOW = new Date('2026-11-21T10:00:00Z');
const parse = (name: string) =>
  parseIcsCalendar(readFileSync(new URL(`../fixtures/ics/${name}`, import.meta.url), 'utf8'), {
    timeZone: 'Europe/Paris',
    now: NOW,
    horizonDays: 365,
  }).events;

function summarize(change: TimetableChange) {
  return {
    kinds: change.kinds,
    before: change.before?.uid,
    after: change.after?.uid,
    otherParts: change.otherParts?.map((part) => part.uid),
  };
}

function alertText(changes: readonly TimetableChange[], locale: 'fr' | 'en'): string {
  return formatChangeAlert({ sectionName: 'L3', changes, t: messages[locale] })
    .flatMap((message) => message.embeds)
    .flatMap((embed) => [
      embed.title ?? '',
      ...(embed.fields ?? []).flatMap((f) => [f.name, f.value]),
    ])
    .join('\n');
}

describe('diff of moves-before.ics → moves-after.ics', () => {
  const diff = diffTimetables(parse('moves-before.ics'), parse('moves-after.ics'), {
    now: NOW,
    timeZone: 'Europe/Paris',
  });

  it('gives one change per thing that happened', () => {
    const byBefore = (uid: string) =>
      diff.changes.filter((change) => change.before?.uid === uid).map(summarize);
    // Moved under a new uid: one "moved", not "cancelled" + "added".
    expect(byBefore('ADE-algebre-1')).toEqual([
      { kinds: ['moved'], before: 'ADE-algebre-1', after: 'ADE-algebre-2', otherParts: undefined },
    ]);
    // Split in two under new uids: one "moved" naming both halves (a room change on the way).
    expect(byBefore('ADE-projet-1')).toEqual([
      {
        kinds: ['moved'],
        before: 'ADE-projet-1',
        after: 'ADE-projet-2',
        otherParts: ['ADE-projet-3'],
      },
    ]);
    // A new spelling only: the feed takes it, no alertable kind.
    expect(byBefore('ADE-physique')).toEqual([
      { kinds: ['details'], before: 'ADE-physique', after: 'ADE-physique', otherParts: undefined },
    ]);
    // ADE's teacher line changed: a teacher change, not a silent "details".
    expect(byBefore('ADE-anglais')).toEqual([
      { kinds: ['teacher'], before: 'ADE-anglais', after: 'ADE-anglais', otherParts: undefined },
    ]);
    // Different courses stay a cancellation and an addition.
    expect(byBefore('ADE-chimie')).toEqual([
      { kinds: ['cancelled'], before: 'ADE-chimie', after: undefined, otherParts: undefined },
    ]);
    expect(diff.changes.filter((change) => change.before === undefined).map(summarize)).toEqual([
      { kinds: ['details'], before: undefined, after: 'ADE-projet-3', otherParts: undefined },
      { kinds: ['added'], before: undefined, after: 'ADE-biologie', otherParts: undefined },
    ]);
    expect(diff.remaps).toEqual([
      { fromUid: 'ADE-algebre-1', toUid: 'ADE-algebre-2' },
      { fromUid: 'ADE-projet-1', toUid: 'ADE-projet-2' },
    ]);
  });

  it('takes the new spelling in the stored event', () => {
    const physique = diff.changes.find((change) => change.after?.uid === 'ADE-physique');
    expect(physique?.after?.title).toBe('PHYSIQUE QUANTIQUE');
  });

  it('words the alert clearly, in French by default and in English', () => {
    const fr = alertText(diff.changes, 'fr');
    expect(fr).toContain('Déplacé (2)');
    expect(fr).toContain("Changement d'enseignant (1)");
    expect(fr).toContain('SMITH John → BROWN Emma');
    expect(fr).toContain('scindé en 2');
    expect(fr).toContain('Annulé (1)');
    expect(fr).not.toMatch(/Renommé|PHYSIQUE/);
    expect(fr.match(/Annulé/g)).toHaveLength(1);
    const en = alertText(diff.changes, 'en');
    expect(en).toContain('Moved (2)');
    expect(en).toContain('Teacher change (1)');
    expect(en).toContain('split into 2');
    expect(en).not.toMatch(/Renamed/);
  });
});

describe('a split stored and read back', () => {
  it('keeps both halves in the change history the alert is built from', async () => {
    const harness = await createScraperHarness();
    harness.serve(edit({}));
    await harness.scrape();
    // ADE-project (13:00-16:00 UTC, 3 h) split into two 1 h 30 parts under new uids.
    const week = edit({ 'ADE-project': null });
    harness.serve([
      ...week,
      {
        uid: 'ADE-project-a',
        start: '2026-11-24T13:00:00Z',
        end: '2026-11-24T14:30:00Z',
        summary: 'Projet tutoré',
        location: 'B101',
        description: ['L3 INFO TD1', 'PETIT Julien'],
      },
      {
        uid: 'ADE-project-b',
        start: '2026-11-25T13:00:00Z',
        end: '2026-11-25T14:30:00Z',
        summary: 'Projet tutoré',
        location: 'B101',
        description: ['L3 INFO TD1', 'PETIT Julien'],
      },
    ]);
    const summary = await harness.scrape();
    expect(summary.status).toBe('ok');
    const stored = harness.database.repositories.changes.listForRun(summary.runId!);
    const moved = stored.filter((change) => change.kinds.includes('moved'));
    expect(moved.map(summarize)).toEqual([
      {
        kinds: ['moved'],
        before: 'ADE-project',
        after: 'ADE-project-a',
        otherParts: ['ADE-project-b'],
      },
    ]);
    expect(stored.some((change) => change.kinds.includes('cancelled'))).toBe(false);
    const text = alertText(stored, 'fr');
    expect(text).toContain('scindé en 2');
    expect(text).toContain(String(Date.parse('2026-11-25T13:00:00Z') / 1000));
    // Both halves are in the feed's events, the old uid is gone.
    const uids = harness.rows
      .events()
      .filter((row) => row.removed_at === null)
      .map((row) => row.uid);
    expect(uids).toEqual(expect.arrayContaining(['ADE-project-a', 'ADE-project-b']));
    expect(uids).not.toContain('ADE-project');
  });
});
