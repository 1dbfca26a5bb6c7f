import { describe, expect, it } from 'vitest';
import { redactUrlCredentials } from '../src/core/index.ts';
import { parseConfig, parseSections } from '../src/config.ts';
import { createTestConfig, problemsOf } from './helpers/config.ts';

const WEBDBF = { WEB_USERNAME: 'eleve', WEB_PASSWORD: 'motdepasse' };
const AURION = {
  AURION_URL: 'https://aurion.example.edu',
  AURION_USERNAME: 'etudiant',
  AURION_PASSWORD: 'secret',
};

function sections(value: string) {
  const problems: string[] = [];
  const parsed = parseSections(value, problems);
  return { parsed, problems };
}

describe('parseSections', () => {
  it("keeps IPP's SECTIONS=2A-SR:eleve/12345 as a webdbf suffix", () => {
    expect(sections('2A-SR:eleve/12345')).toEqual({
      parsed: [{ key: '2a-sr', name: '2A-SR', source: { kind: 'webdbf', suffix: 'eleve/12345' } }],
      problems: [],
    });
  });

  it('reads every SPEC form, splitting each entry at its first colon', () => {
    const { parsed, problems } = sections(
      [
        'L3 INFO:ics:https://ade.example.edu/jsp/custom/modules/plannings/anonymous_cal.jsp?data=ab:cd',
        'M1:https://hp.example.edu/Telechargements/ical/Edt_M1.ics?version=2026.0.4',
        'M2:webcal://calendar.example.edu/m2.ics',
        'Demo:file:./samples/demo.ics',
        'Junia:aurion',
        '1A:webdbf:promo/75',
        'Lab: ICS:http://intranet.example.edu/lab.ics ',
      ].join(','),
    );
    expect(problems).toEqual([]);
    expect(parsed.map((section) => [section.key, section.name, section.source])).toEqual([
      [
        'l3 info',
        'L3 INFO',
        {
          kind: 'ics',
          url: 'https://ade.example.edu/jsp/custom/modules/plannings/anonymous_cal.jsp?data=ab:cd',
        },
      ],
      [
        'm1',
        'M1',
        {
          kind: 'ics',
          url: 'https://hp.example.edu/Telechargements/ical/Edt_M1.ics?version=2026.0.4',
        },
      ],
      ['m2', 'M2', { kind: 'ics', url: 'https://calendar.example.edu/m2.ics' }],
      ['demo', 'Demo', { kind: 'file', path: './samples/demo.ics' }],
      ['junia', 'Junia', { kind: 'aurion' }],
      ['1a', '1A', { kind: 'webdbf', suffix: 'promo/75' }],
      ['lab', 'Lab', { kind: 'ics', url: 'http://intranet.example.edu/lab.ics' }],
    ]);
  });

  it('refuses two sections whose names differ only by case', () => {
    const { parsed, problems } = sections('L3:file:a.ics,l3:file:b.ics');
    expect(parsed).toHaveLength(1);
    expect(problems).toEqual([
      'SECTIONS: entry 2 ("l3:file:b.ics"): section name "l3" is used twice (names ignore case)',
    ]);
  });

  it('lists every bad entry at once, without the credentials of a URL', () => {
    const { problems } = sections(
      'good:file:a.ics,nocolon,:file:x.ics,Bad:ics:ftp://user:pw@x.example/cal.ics,E:file:,W:webdbf:,S:eleve 12345,$$:aurion',
    );
    expect(problems).toHaveLength(7);
    expect(problems[0]).toMatch(/^SECTIONS: entry 2 \("nocolon"\): expected NAME:SPEC$/);
    expect(problems[1]).toMatch(/^SECTIONS: entry 3 .*expected NAME:SPEC$/);
    expect(problems[2]).toMatch(/entry 4 .*ics: needs an http\(s\) or webcal URL/);
    expect(problems[2]).not.toMatch(/pw@/);
    expect(problems[3]).toMatch(/entry 5 .*file: needs a path/);
    expect(problems[4]).toMatch(/entry 6 .*webdbf: needs a suffix/);
    expect(problems[5]).toMatch(/entry 7 .*no spaces in a webdbf suffix/);
    expect(problems[6]).toMatch(/entry 8 .*section name must be/);
  });

  it('says so when nothing is configured', () => {
    expect(sections(' , ').problems).toEqual(['SECTIONS: no section configured']);
  });
});

describe('parseConfig', () => {
  it('gives the documented defaults', () => {
    const config = parseConfig({});
    expect(config.scraper.intervalSeconds).toBe(300);
    expect(config.database.path).toBe('./data/planning-proxy.db');
    expect(config.timeZone).toBe('Europe/Paris');
    expect(config.sections.map((section) => section.name)).toEqual(['Demo']);
  });

  it("accepts IPP's DOWNLOAD_INTERVAL, and SCRAPE_INTERVAL wins over it", () => {
    expect(parseConfig({ DOWNLOAD_INTERVAL: '600' }).scraper.intervalSeconds).toBe(600);
    expect(
      parseConfig({ DOWNLOAD_INTERVAL: '600', SCRAPE_INTERVAL: '120' }).scraper.intervalSeconds,
    ).toBe(120);
  });

  it('treats empty values as unset', () => {
    expect(parseConfig({ SCRAPE_INTERVAL: '', TIMEZONE: '  ' }).scraper.intervalSeconds).toBe(300);
  });

  it('requires the webdbf and Aurion credentials their sections need', () => {
    expect(problemsOf({ SECTIONS: '2A-SR:eleve/12345,Junia:aurion' })).toEqual([
      'WEB_USERNAME: required by webdbf sections',
      'WEB_PASSWORD: required by webdbf sections',
      'AURION_URL: required by aurion sections',
      'AURION_USERNAME: required by aurion sections',
      'AURION_PASSWORD: required by aurion sections',
    ]);
    const config = parseConfig({
      SECTIONS: '2A-SR:eleve/12345,Junia:aurion',
      ...WEBDBF,
      ...AURION,
    });
    expect(config.sections.map((section) => section.source.kind)).toEqual(['webdbf', 'aurion']);
  });

  it('lists every problem at once, each naming its variable', () => {
    const problems = problemsOf({
      SECTIONS: 'A:file:a.ics,a:file:b.ics',
      SCRAPE_INTERVAL: '5',
      DOWNLOAD_INTERVAL: 'often',
      TIMEZONE: 'Paris',
      LOG_LEVEL: 'loud',
      DATABASE_PATH: '',
      PORT: '99999',
    });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(
      expect.arrayContaining([
        'SCRAPE_INTERVAL',
        'DOWNLOAD_INTERVAL',
        'TIMEZONE',
        'LOG_LEVEL',
        'PORT',
        'SECTIONS',
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('never puts a password of SECTIONS in its error', () => {
    const problems = problemsOf({ SECTIONS: 'A:ics:https://me:hunter2@x.example/a.ics,A:file:a' });
    expect(problems.join('\n')).not.toMatch(/hunter2/);
  });

  it('builds the test configuration on the ADE fixture', () => {
    expect(createTestConfig().sections).toEqual([
      {
        key: 'test',
        name: 'Test',
        source: { kind: 'file', path: './test/fixtures/ics/ade-like.ics' },
      },
    ]);
  });
});

describe('redactUrlCredentials', () => {
  it('hides user and password of every URL in a text', () => {
    expect(redactUrlCredentials('A:https://u:p@x.example/a, B:webcal://t@y.example/b')).toBe(
      'A:https://***@x.example/a, B:webcal://***@y.example/b',
    );
  });
});

describe('SECTIONS with URLs that contain commas', () => {
  it('keeps an ADE link listing several resources in one section', () => {
    const config = parseConfig({
      SECTIONS:
        'ADE-1A:https://ade.example.fr/jsp/custom/modules/plannings/anonymous_cal.jsp?resources=6193,6194,6195&projectId=1&calType=ical,2A-SR:eleve/12345',
      WEB_USERNAME: 'prenom.nom',
      WEB_PASSWORD: 'secret-password',
    });
    expect(config.sections.map((section) => section.name)).toEqual(['ADE-1A', '2A-SR']);
    expect(config.sections[0]?.source).toEqual({
      kind: 'ics',
      url: 'https://ade.example.fr/jsp/custom/modules/plannings/anonymous_cal.jsp?resources=6193,6194,6195&projectId=1&calType=ical',
    });
  });

  it('still reports a piece without NAME: after a non-URL entry', () => {
    expect(() => parseConfig({ SECTIONS: 'A:file:a.ics,B' })).toThrow(
      /entry 2 \("B"\): expected NAME:SPEC/,
    );
  });
});
