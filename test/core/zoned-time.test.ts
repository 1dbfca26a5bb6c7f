import { describe, expect, it } from 'vitest';
import { wallClockToInstant, zoneOffsetMs } from '../../src/core/index.ts';

function wall(text: string) {
  const [date = '', time = ''] = text.split('T');
  const [year, month, day] = date.split('-').map(Number);
  const [hour, minute, second = 0] = time.split(':').map(Number);
  return {
    year: year!,
    month: month!,
    day: day!,
    hour: hour!,
    minute: minute!,
    second,
  };
}

const at = (text: string, zone: string) => wallClockToInstant(wall(text), zone).toISOString();

describe('zoneOffsetMs', () => {
  it('gives Europe/Paris +1 h in winter and +2 h in summer', () => {
    expect(zoneOffsetMs(Date.parse('2026-12-01T12:00:00Z'), 'Europe/Paris')).toBe(3_600_000);
    expect(zoneOffsetMs(Date.parse('2027-07-01T12:00:00Z'), 'Europe/Paris')).toBe(7_200_000);
  });

  it('switches at 01:00 UTC on the last Sunday of October', () => {
    expect(zoneOffsetMs(Date.parse('2026-10-25T00:59:59Z'), 'Europe/Paris')).toBe(7_200_000);
    expect(zoneOffsetMs(Date.parse('2026-10-25T01:00:00Z'), 'Europe/Paris')).toBe(3_600_000);
  });

  it('gives negative offsets west of Greenwich and 0 for UTC', () => {
    expect(zoneOffsetMs(Date.parse('2026-12-01T12:00:00Z'), 'America/Toronto')).toBe(-18_000_000);
    expect(zoneOffsetMs(Date.parse('2026-12-01T12:00:00Z'), 'UTC')).toBe(0);
  });
});

describe('wallClockToInstant', () => {
  it('reads ordinary Europe/Paris times with the offset of that day', () => {
    expect(at('2026-11-23T08:00', 'Europe/Paris')).toBe('2026-11-23T07:00:00.000Z');
    expect(at('2027-06-07T08:00', 'Europe/Paris')).toBe('2027-06-07T06:00:00.000Z');
    expect(at('2026-12-31T23:30:15', 'Europe/Paris')).toBe('2026-12-31T22:30:15.000Z');
  });

  it('takes the first of the two 02:30 of the October change', () => {
    expect(at('2026-10-25T02:30', 'Europe/Paris')).toBe('2026-10-25T00:30:00.000Z');
    expect(at('2026-10-25T01:59', 'Europe/Paris')).toBe('2026-10-24T23:59:00.000Z');
    expect(at('2026-10-25T03:00', 'Europe/Paris')).toBe('2026-10-25T02:00:00.000Z');
  });

  it('moves a time skipped in March forward by the gap', () => {
    expect(at('2027-03-28T02:30', 'Europe/Paris')).toBe('2027-03-28T01:30:00.000Z');
    expect(at('2027-03-28T01:59', 'Europe/Paris')).toBe('2027-03-28T00:59:00.000Z');
    expect(at('2027-03-28T03:00', 'Europe/Paris')).toBe('2027-03-28T01:00:00.000Z');
  });

  it('handles zones far from UTC and on the other hemisphere', () => {
    expect(at('2026-11-23T08:00', 'America/Toronto')).toBe('2026-11-23T13:00:00.000Z');
    // Sydney is in summer time (+11) in November.
    expect(at('2026-11-23T08:00', 'Australia/Sydney')).toBe('2026-11-22T21:00:00.000Z');
    expect(at('2026-11-23T08:00', 'Asia/Kolkata')).toBe('2026-11-23T02:30:00.000Z');
  });

  it('is the identity in UTC', () => {
    expect(at('2027-03-28T02:30', 'UTC')).toBe('2027-03-28T02:30:00.000Z');
  });
});
