import { describe, expect, it } from 'vitest';
import { toSectionKey } from '../../src/core/index.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { section, T0 } from './helpers.ts';

describe('sections repository', () => {
  it('creates rows for new sections and refreshes names without losing state', () => {
    const { repositories } = createTestDatabase();
    const [first] = repositories.sections.sync([section('L3')], T0);
    repositories.sections.recordFailure(first!.id, {
      at: T0,
      code: 'scraper.network',
      message: 'GET https://ade.example.edu/L3.ics failed (ECONNREFUSED)',
      nextRunAt: new Date(T0.getTime() + 300_000),
    });
    const rows = repositories.sections.sync(
      [{ ...section('l3'), name: 'l3' }, section('M1')],
      new Date(T0.getTime() + 1_000),
    );
    expect(rows.map((row) => [row.id === first!.id, row.key, row.name])).toEqual([
      [true, 'l3', 'l3'],
      [false, 'm1', 'M1'],
    ]);
    expect(rows[0]).toMatchObject({ consecutiveFailures: 1, createdAt: T0 });
    expect(repositories.sections.list().map((row) => row.name)).toEqual(['M1', 'l3']);
  });

  it('never stores the credentials of an ICS URL', () => {
    const { repositories } = createTestDatabase();
    const [row] = repositories.sections.sync(
      [section('L3', 'https://planning:s3cret@ade.example.edu/cal.ics')],
      T0,
    );
    expect(row?.sourceRef).toBe('https://***@ade.example.edu/cal.ics');
  });

  it('counts consecutive failures and keeps the last error', () => {
    const { repositories } = createTestDatabase();
    const [row] = repositories.sections.sync([section('L3')], T0);
    for (const [index, code] of ['scraper.timeout', 'scraper.http_status'].entries()) {
      repositories.sections.recordFailure(row!.id, {
        at: new Date(T0.getTime() + index * 1_000),
        code,
        message: code,
        nextRunAt: new Date(T0.getTime() + 600_000),
      });
    }
    expect(repositories.sections.findByKey(toSectionKey('L3'))).toMatchObject({
      consecutiveFailures: 2,
      lastErrorCode: 'scraper.http_status',
      lastErrorAt: new Date(T0.getTime() + 1_000),
      nextRunAt: new Date(T0.getTime() + 600_000),
    });
    repositories.sections.setNextRun(row!.id, T0);
    expect(repositories.sections.findById(row!.id)?.nextRunAt).toEqual(T0);
  });
});
