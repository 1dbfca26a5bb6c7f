import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { problemsOf } from './helpers/config.ts';

describe('configuration messages a person can act on', () => {
  it.each([
    ['htps://ade.example.edu/cal.ics', '"htps://"'],
    ['ftp://ade.example.edu/cal.ics', '"ftp://"'],
    ['webcal//ade.example.edu/cal.ics', '"webcal//"'],
    ['https:/ade.example.edu/cal.ics', '"https:/"'],
  ])('refuses the URL typo %s as an unsupported scheme, not as a webdbf suffix', (url, shown) => {
    const problems = problemsOf({ SECTIONS: `1A:${url}` });
    expect(problems).toEqual([
      `SECTIONS: entry 1 ("1A:${url}"): ${shown} is not a supported URL scheme: write https://, http:// or webcal://`,
    ]);
    // Read as a webdbf suffix, it used to blame the webdbf credentials instead.
    expect(problems.join('\n')).not.toContain('WEB_USERNAME');
  });

  it('tells that a bare URL needs a name', () => {
    expect(
      problemsOf({ SECTIONS: 'https://ade.example.edu/cal.ics?resources=1,2,M1:file:a.ics' }),
    ).toEqual(['SECTIONS: entry 1 looks like a URL without a name: write NAME:https://...']);
    expect(problemsOf({ SECTIONS: 'L3:file:a.ics,webcal://cal.example.edu/m1.ics' })).toEqual([
      'SECTIONS: entry 2 looks like a URL without a name: write NAME:https://...',
    ]);
  });

  it('still reads the IPP suffix and well-formed URLs', () => {
    const config = parseConfig({
      SECTIONS: '2A:eleve/12345,M1:webcal://cal.example.edu/m1.ics',
      WEB_USERNAME: 'eleve',
      WEB_PASSWORD: 'motdepasse',
    });
    expect(config.sections.map((section) => section.source)).toEqual([
      { kind: 'webdbf', suffix: 'eleve/12345' },
      { kind: 'ics', url: 'https://cal.example.edu/m1.ics' },
    ]);
  });

  it('says what a number variable counts', () => {
    expect(problemsOf({ SCRAPE_INTERVAL: 'abc' })).toEqual([
      'SCRAPE_INTERVAL: expected a number of seconds, such as 300',
    ]);
    expect(problemsOf({ DOWNLOAD_INTERVAL: '5min', STALE_AFTER: '1.5' })).toEqual([
      'DOWNLOAD_INTERVAL: expected a number of seconds, such as 300',
      'STALE_AFTER: expected a number of seconds, such as 3600',
    ]);
    expect(problemsOf({ FLASK_PORT: 'http' })).toEqual([
      'FLASK_PORT: expected a port number, such as 5000',
    ]);
    expect(problemsOf({ RETENTION_DAYS: 'ninety' })).toEqual([
      'RETENTION_DAYS: expected a whole number',
    ]);
  });
});
