/**
 * One exam type: fixture schedule-exams.xml holds Aurion exams written every way seen
 * (className `est-epreuve`, `DS`, `Examen`, `EXAM`, `Partiel`, and an exam held in a TD slot)
 * plus one ordinary TD; filters, the feed and alerts all recognise the same exams.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatChangeLine } from '../../src/bot/alert-format.ts';
import { messages } from '../../src/bot/messages.ts';
import {
  EXAM_CATEGORY,
  applyFilter,
  categoryOf,
  deriveFilterOptions,
  isExam,
  parseEventFilter,
  type TimetableEvent,
} from '../../src/core/index.ts';
import type { StoredEvent } from '../../src/db/index.ts';
import { EXAM_TITLE_PREFIX, renderCalendar } from '../../src/feed/render-calendar.ts';
import {
  inspectPartialResponse,
  parseScheduleJson,
} from '../../src/scraper/sources/aurion-parse.ts';

function fixtureEvents(): TimetableEvent[] {
  const xml = readFileSync(
    new URL('../fixtures/sources/aurion/schedule-exams.xml', import.meta.url),
    'utf8',
  );
  const inspection = inspectPartialResponse(xml, 'form:j_idt118');
  if (inspection.kind !== 'schedule') throw new Error(`fixture: ${inspection.kind}`);
  return parseScheduleJson(inspection.json, {
    host: 'aurion.junia.com',
    titleStrategy: 'junia',
    timeZone: 'Europe/Paris',
  }).events;
}

const ids = (events: readonly TimetableEvent[]) => events.map((event) => event.uid.split('@')[0]);
const EXAMS = ['7001', '7002', '7003', '7004', '7005', '7006'];

describe('the exam type', () => {
  const events = fixtureEvents();

  it('maps every exam spelling to one type', () => {
    expect(
      events.map((event) => [
        event.uid.split('@')[0],
        event.course,
        isExam(event),
        categoryOf(event),
      ]),
    ).toEqual([
      ['7001', 'Algorithmique', true, EXAM_CATEGORY],
      ['7002', 'Physique', true, EXAM_CATEGORY],
      ['7003', 'Chimie', true, EXAM_CATEGORY],
      ['7004', 'Anglais', true, EXAM_CATEGORY],
      ['7005', 'Électronique', true, EXAM_CATEGORY],
      ['7006', 'Mathématiques', true, EXAM_CATEGORY],
      ['7007', 'Mathématiques', false, 'TD'],
    ]);
    expect(deriveFilterOptions(events).categories).toEqual([
      { value: EXAM_CATEGORY, count: 6 },
      { value: 'TD', count: 1 },
    ]);
  });

  it('is never hidden by hiding another type', () => {
    const kept = applyFilter(events, parseEventFilter({ hideCategories: ['TD', 'COURS'] }));
    expect(ids(kept)).toEqual(EXAMS);
  });

  it('is hidden when the student hides exams explicitly, whatever the spelling', () => {
    for (const spelling of ['EXAMEN', 'Examen', 'DS', 'Partiel', 'EXAM']) {
      const kept = applyFilter(events, parseEventFilter({ hideCategories: [spelling] }));
      expect(ids(kept)).toEqual(['7007']);
    }
  });

  it('is marked in the feed: CATEGORIES:EXAMEN and a visible mark in the title', () => {
    const stored: StoredEvent[] = events.map((event) => ({
      ...event,
      feedUid: event.uid,
      revision: 0,
      createdAt: new Date('2026-11-01T00:00:00Z'),
      changedAt: new Date('2026-11-01T00:00:00Z'),
      removedAt: null,
    }));
    const text = renderCalendar({
      section: { key: 'cir2', name: 'CIR2' },
      events: stored,
      timeZone: 'Europe/Paris',
      freshness: { lastSuccessAt: null, failing: false, staleBannerDay: null },
    }).replace(/\r\n[ \t]/g, '');
    const vevents = text.split('BEGIN:VEVENT').slice(1);
    expect(vevents).toHaveLength(7);
    for (const vevent of vevents) {
      const exam = !vevent.includes('UID:7007@');
      expect(vevent.includes('CATEGORIES:EXAMEN')).toBe(exam);
      expect(vevent.includes(`SUMMARY:${EXAM_TITLE_PREFIX}`)).toBe(exam);
    }
    expect(text).toContain('CATEGORIES:TD\r\n');
  });

  it('is marked in alerts, in French by default and in English', () => {
    const exam = events[0]!;
    const change = {
      uid: exam.uid,
      kinds: ['room' as const],
      before: exam,
      after: { ...exam, location: 'B002' },
    };
    expect(formatChangeLine(change, messages.fr)).toContain('**Algorithmique** (📝 Examen)');
    expect(formatChangeLine(change, messages.en)).toContain('**Algorithmique** (📝 Exam)');
    const td = events[6]!;
    const tdChange = {
      uid: td.uid,
      kinds: ['room' as const],
      before: td,
      after: { ...td, location: 'B002' },
    };
    expect(formatChangeLine(tdChange, messages.fr)).not.toContain('Examen');
  });
});
