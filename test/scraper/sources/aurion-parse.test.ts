import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  findLoginButtonName,
  hasInvalidLoginMessage,
  inspectPartialResponse,
  isAurionLoginPage,
  parseAurionDateTime,
  parseHomePage,
  parsePlanningPage,
  parseScheduleJson,
  parseSidebarLeaves,
} from '../../../src/scraper/sources/aurion-parse.ts';
import { createAurionSource } from '../../../src/scraper/sources/aurion.source.ts';
import type { RawPayload } from '../../../src/scraper/sources/source.ts';
import { createTestClock } from '../../helpers/clock.ts';
import { aurionConfig, JUNIA_MATHS, parseContext } from './aurion-test-kit.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/sources/aurion/${name}`, import.meta.url), 'utf8');

const ORIGIN = 'https://aurion.junia.com/faces/Planning.xhtml#form:j_idt118';
const context = parseContext(createTestClock('2026-10-20T08:00:00Z'));

function payload(names: string[], origin = ORIGIN): RawPayload {
  return {
    fetchedAt: new Date('2026-10-20T08:00:00Z'),
    parts: names.map((name) => ({
      body: Buffer.from(fixture(name), 'utf8'),
      contentType: 'text/xml;charset=UTF-8',
      origin,
    })),
    coverage: { from: new Date('2026-10-18T22:00:00Z'), to: new Date('2026-11-15T23:00:00Z') },
  };
}

describe('aurion login pages', () => {
  it('reads the submit button name from the page (j_idt28 at Junia, j_idt27 at ECAM, none at ISEN Ouest)', () => {
    expect(findLoginButtonName(fixture('login-junia.html'))).toBe('j_idt28');
    expect(findLoginButtonName(fixture('login-invalid-ecam.html'))).toBe('j_idt27');
    expect(findLoginButtonName(fixture('login-isen-ouest.html'))).toBeUndefined();
  });

  it('recognises the login page and the invalid-credentials message', () => {
    expect(isAurionLoginPage(fixture('login-junia.html'))).toBe(true);
    expect(hasInvalidLoginMessage(fixture('login-junia.html'))).toBe(false);
    expect(hasInvalidLoginMessage(fixture('login-invalid-ecam.html'))).toBe(true);
    expect(isAurionLoginPage(fixture('home-junia-2025.html'))).toBe(false);
  });
});

describe('aurion home and planning pages', () => {
  it('reads the ViewState, form:idInit, the sidebar and the submenu command (Junia 2025)', () => {
    expect(parseHomePage(fixture('home-junia-2025.html'))).toEqual({
      viewState: '-8677916307983691826:-6332955211556887046',
      idInit: 'webscolaapp.Planning_-5219369535766895590',
      leaves: [
        { menuId: '0', label: 'Accueil' },
        { menuId: '1', label: 'Mon Planning' },
      ],
      submenus: [{ submenuId: 'submenu_44413', label: 'Scolarité' }],
      submenuCommandId: 'form:j_idt52',
    });
  });

  it('reads lazy parents and their numeric entities where the planning is in a submenu (ISEN Ouest)', () => {
    const home = parseHomePage(fixture('home-isen-ouest.html'));
    expect(home?.idInit).toBeUndefined();
    expect(home?.submenuCommandId).toBe('form:j_idt46');
    expect(home?.submenus).toEqual([
      { submenuId: 'submenu_1187', label: 'Divers' },
      { submenuId: 'submenu_291906', label: 'Scolarité' },
    ]);
    expect(home?.leaves.map((leaf) => leaf.label)).toEqual(['Accueil']);
  });

  it('finds the position-id leaf in an expanded submenu answer', () => {
    const inspection = inspectPartialResponse(fixture('submenu-expanded.xml'), undefined);
    expect(inspection.kind).toBe('sidebar');
    if (inspection.kind !== 'sidebar') return;
    expect(inspection.viewState).toBe('4419235960476376436:-7745402230391658320');
    expect(parseSidebarLeaves(inspection.html)).toEqual([
      { menuId: '3_0', label: 'Mon planning' },
      { menuId: '3_1', label: 'Mes absences' },
    ]);
  });

  it('reads the schedule id from the widget call or from the schedule div (nested ECAM id)', () => {
    expect(parsePlanningPage(fixture('planning-junia-2025.html'))).toEqual({
      viewState: '-8677916307983691826:2750394611234567890',
      idInit: 'webscolaapp.Planning_-5219369535766895590',
      scheduleId: 'form:j_idt118',
    });
    expect(parsePlanningPage(fixture('planning-ecam-nested.html'))?.scheduleId).toBe(
      'form:j_idt757:j_idt760',
    );
    expect(parsePlanningPage(fixture('home-junia-2025.html'))).toBeUndefined();
  });
});

describe('aurion partial-responses', () => {
  it.each([
    ['schedule-junia.xml', 'schedule'],
    ['schedule-empty.xml', 'schedule'],
    ['schedule-drifted.xml', 'schedule'],
    ['schedule-missing.xml', 'missing'],
    ['schedule-view-expired.xml', 'view_expired'],
    ['schedule-number-format.xml', 'error'],
    ['schedule-redirect.xml', 'redirect'],
    ['schedule-truncated.xml', 'truncated'],
    ['login-junia.html', 'login_page'],
  ])('classifies %s as %s', (name, kind) => {
    expect(inspectPartialResponse(fixture(name), 'form:j_idt118').kind).toBe(kind);
  });

  it('picks the update by schedule id past the leading ui-messages updates', () => {
    const inspection = inspectPartialResponse(fixture('schedule-junia.xml'), 'form:j_idt118');
    expect(inspection).toMatchObject({
      kind: 'schedule',
      updateId: 'form:j_idt118',
      viewState: '-8677916307983691826:-1098765432109876543',
    });
  });

  it('falls back to the CDATA starting with {"events" after an id drift', () => {
    const inspection = inspectPartialResponse(fixture('schedule-drifted.xml'), 'form:j_idt118');
    expect(inspection).toMatchObject({ kind: 'schedule', updateId: 'form:j_idt144' });
  });
});

describe('aurion schedule JSON', () => {
  const source = createAurionSource({ config: aurionConfig('https://aurion.junia.com') });

  it('parses the FullCalendar events with their own offsets and <id>@<host> UIDs', () => {
    const result = source.parse(payload(['schedule-junia.xml']), context);
    expect(result.issues).toEqual([]);
    expect(result.coverage).toEqual({
      from: new Date('2026-10-18T22:00:00Z'),
      to: new Date('2026-11-15T23:00:00Z'),
    });
    expect(
      result.events.map((event) => [
        event.uid,
        event.startsAt.toISOString(),
        event.endsAt.toISOString(),
      ]),
    ).toEqual([
      ['15446554@aurion.junia.com', '2026-10-23T06:00:00.000Z', '2026-10-23T08:00:00.000Z'],
      ['15446555@aurion.junia.com', '2026-10-26T09:15:00.000Z', '2026-10-26T11:15:00.000Z'],
      ['15446556@aurion.junia.com', '2026-10-27T12:30:00.000Z', '2026-10-27T16:30:00.000Z'],
      ['15446558@aurion.junia.com', '2026-10-28T11:00:00.000Z', '2026-10-28T12:00:00.000Z'],
      ['15446557@aurion.junia.com', '2026-10-31T00:00:00.000Z', '2026-11-02T00:00:00.000Z'],
    ]);
  });

  it('extracts course, type, room, teacher and groups from Junia titles and keeps the raw title', () => {
    const [first, second, third, fourth, holiday] = source.parse(
      payload(['schedule-junia.xml']),
      context,
    ).events;
    expect(first).toMatchObject({
      ...JUNIA_MATHS,
      status: 'confirmed',
      allDay: false,
    });
    expect(first!.raw.title).toBe(
      'Cours - ISEN B501\nMathématiques\nCours magistral\n08:00 - 10:00\nMonsieur DUPONT Jean\nCIR2\nISEN Lille - 2026/2027',
    );
    expect(first!.description).toContain('Cours magistral');
    expect(second).toMatchObject({
      title: 'Physique',
      groups: ['CIR2 G1', 'CIR2 G2'],
      category: 'TD',
    });
    expect(third).toMatchObject({
      title: 'Électronique [labo}]',
      teacher: 'Monsieur PETIT Paul',
      groups: [],
    });
    expect(third!.raw.id).toBe('15446556');
    expect(fourth).toMatchObject({
      title: 'Réunion - Information stages',
      category: '',
      course: '',
    });
    expect(holiday).toMatchObject({
      allDay: true,
      title: 'Vacances de la Toussaint',
      category: 'CONGES',
    });
  });

  it('reads ISEN Ouest one-line titles (fewer than 9 fields, and 9 or more)', () => {
    const isen = createAurionSource({
      config: aurionConfig('https://web.isen-ouest.fr/webAurion', { titleStrategy: 'isen-ouest' }),
    });
    const result = isen.parse(
      payload(
        ['schedule-isen-ouest.xml'],
        'https://web.isen-ouest.fr/webAurion/faces/Planning.xhtml#form:j_idt118',
      ),
      context,
    );
    expect(result.events[0]).toMatchObject({
      uid: '8812@web.isen-ouest.fr',
      location: 'B201',
      course: 'Mathématiques',
      title: 'Algèbre linéaire',
      teacher: 'M. LE GALL',
      groups: ['CIR1 Brest'],
    });
    expect(result.events[1]).toMatchObject({
      location: 'A001',
      course: 'Langage C',
      title: 'Groupe 2',
      teacher: 'Mme KERJEAN',
      groups: ['CIR1 Brest G2'],
    });
  });

  it('keeps whole titles with the raw strategy', () => {
    const raw = createAurionSource({
      config: aurionConfig('https://aurion.junia.com', { titleStrategy: 'raw' }),
    });
    const [first] = raw.parse(payload(['schedule-junia.xml']), context).events;
    expect(first).toMatchObject({ course: '', teacher: '', location: '', category: 'COURS' });
    expect(first!.title).toBe(
      'Cours - ISEN B501 - Mathématiques - Cours magistral - 08:00 - 10:00 - Monsieur DUPONT Jean - CIR2 - ISEN Lille - 2026/2027',
    );
  });

  it('merges chunks and drops the duplicates of an event seen twice', () => {
    const result = source.parse(
      payload(['schedule-junia.xml', 'schedule-drifted.xml', 'schedule-empty.xml']),
      context,
    );
    expect(result.events).toHaveLength(5);
  });

  it('returns no events for an empty range', () => {
    expect(source.parse(payload(['schedule-empty.xml']), context).events).toEqual([]);
  });

  it('reports a bad event as an issue and keeps the others', () => {
    const result = source.parse(payload(['schedule-bad-events.xml']), context);
    expect(result.events.map((event) => event.uid)).toEqual(['15446554@aurion.junia.com']);
    expect(result.issues.map((issue) => issue.code)).toEqual([
      'aurion.event_invalid',
      'aurion.event_invalid',
    ]);
  });

  it.each([
    ['schedule-truncated.xml', 'scraper.parse_failed'],
    ['schedule-missing.xml', 'scraper.schedule_missing'],
    ['schedule-view-expired.xml', 'scraper.schedule_missing'],
  ])('refuses %s with %s', (name, code) => {
    expect(() => source.parse(payload([name]), context)).toThrow(expect.objectContaining({ code }));
  });

  it('throws parse_failed on a schedule update that is not JSON', () => {
    expect(() =>
      parseScheduleJson('{"events" : [{"id": "1",', {
        host: 'h',
        titleStrategy: 'auto',
        timeZone: 'Europe/Paris',
      }),
    ).toThrow(expect.objectContaining({ code: 'scraper.parse_failed' }));
  });
});

describe('parseAurionDateTime', () => {
  it.each([
    ['2025-01-06T08:00:00+0100', '2025-01-06T07:00:00.000Z'],
    ['2025-07-07T08:00:00+0200', '2025-07-07T06:00:00.000Z'],
    ['2025-07-07T08:00:00+02:00', '2025-07-07T06:00:00.000Z'],
    ['2025-07-07T08:00:00Z', '2025-07-07T08:00:00.000Z'],
    ['2025-07-07T08:00:00', '2025-07-07T06:00:00.000Z'],
    ['2025-01-06T08:00:00', '2025-01-06T07:00:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseAurionDateTime(text, 'Europe/Paris')?.instant.toISOString()).toBe(iso);
  });

  it('rejects text that is not a date', () => {
    expect(parseAurionDateTime('demain', 'Europe/Paris')).toBeUndefined();
  });
});
