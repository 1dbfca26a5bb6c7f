import { describe, expect, it } from 'vitest';
import { parseAurionTitle, toTitleLines } from '../../../src/scraper/sources/aurion-titles.ts';

describe('parseAurionTitle', () => {
  it('anchors Junia titles on the time-range line', () => {
    expect(
      parseAurionTitle('Algorithmique\nCours\n13h30 - 15h30\nMadame ROUX Lea\nCIR3', 'junia'),
    ).toEqual({
      strategy: 'junia',
      title: 'Algorithmique',
      course: 'Algorithmique',
      type: 'Cours',
      location: '',
      teacher: 'Madame ROUX Lea',
      groups: ['CIR3'],
    });
  });

  it('falls back to the raw title when the Junia layout is absent', () => {
    expect(parseAurionTitle('Réunion de rentrée', 'junia')).toMatchObject({
      strategy: 'raw',
      title: 'Réunion de rentrée',
    });
  });

  it('falls back to the raw title when an ISEN Ouest line has too few fields', () => {
    expect(parseAurionTitle('Forum - Entreprises', 'isen-ouest')).toMatchObject({
      strategy: 'raw',
      title: 'Forum - Entreprises',
    });
  });

  it('chooses the layout by itself in auto mode', () => {
    expect(parseAurionTitle('X\nMaths\nTD\n08:00 - 10:00\nM. A', 'auto').strategy).toBe('junia');
    expect(
      parseAurionTitle('08:00 - B201 - CM - Maths - Algèbre - M. A - CIR1', 'auto').strategy,
    ).toBe('isen-ouest');
    expect(parseAurionTitle('Maths', 'auto').strategy).toBe('raw');
  });

  it('removes zero-width spaces and blank lines', () => {
    expect(toTitleLines('\u200BMaths\u200B\r\n\n  Cours   magistral ')).toEqual([
      'Maths',
      'Cours magistral',
    ]);
  });
});
