/**
 * Alert lanes through the fake Discord and the real discord.js client: channel alerts never wait
 * for DMs, one student's rate limit or closed DMs never hold the others, DM channels are opened
 * once, and nonces stay unique after a database restored from a backup.
 */
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createBot } from '../../src/bot/index.ts';
import { toDiscordUserId, toSectionKey, type TimetableChange } from '../../src/core/index.ts';
import { createRepositories, openDatabase, runMigrations } from '../../src/db/index.ts';
import type { FakeUser } from '../fake-discord/index.ts';
import { changeOf, createHarness, eventually, subscribeToAlerts, type Harness } from './helpers.ts';

const DM_OPEN = /^\/users\/@me\/channels$/;

function cancellation(): TimetableChange {
  return { ...changeOf('algo-1', ['cancelled'], {}), after: undefined };
}

function roomChange(location: string): TimetableChange {
  return changeOf('net-1', ['room'], { location });
}

/** Students who opted in to /notify and hold a link to Info 1. */
function addStudents(h: Harness, count: number): FakeUser[] {
  const sectionId = h.sectionId('info 1');
  return Array.from({ length: count }, (_, index) => {
    const user = h.fake.addUser(`student-${String(index).padStart(2, '0')}`);
    subscribeToAlerts(h, user.id, sectionId);
    return user;
  });
}

const dmCount = (h: Harness, user: FakeUser): number => h.fake.dmMessages(user.id).length;

describe('alert lanes', () => {
  it('posts every channel alert while DMs are stuck, then 30 DMs, opening each DM channel once', async () => {
    const h = await createHarness();
    const students = addStudents(h, 30);
    // Slow callbacks: every DM channel open hangs until released.
    const release = h.fake.holdRoute({ method: 'POST', path: DM_OPEN });
    h.recordChanges([cancellation()]);
    h.recordChanges([cancellation()], 'info 2');
    h.bot.notifier.notify();

    // Before the fix, Info 2's channel alert waited behind Info 1's DMs.
    await eventually(
      () => h.fake.channelMessages(h.fake.channels.alerts.id).length === 2,
      'both channel alerts while the DMs are held',
    );
    expect(h.fake.heldCalls).toBeGreaterThan(0);
    expect(students.filter((user) => dmCount(h, user) > 0)).toHaveLength(0);

    const released = Date.now();
    release();
    await eventually(
      () => students.every((user) => dmCount(h, user) === 1),
      'a DM for each of the 30 students',
    );
    const elapsed = Date.now() - released;
    await eventually(() => h.bot.backlog() === 0, 'the outbox to empty');
    console.log(`[figures] DM lane: 30 DMs (30 channel opens) in ${elapsed} ms`);

    // A second alert reuses the DM channels.
    h.recordChanges([roomChange('C3')]);
    h.bot.notifier.notify();
    await eventually(
      () => students.every((user) => dmCount(h, user) === 2),
      'a second DM for each student',
    );
    expect(h.fake.callsTo('POST', DM_OPEN)).toHaveLength(30);
  });

  it('a rate-limited student waits alone; the others get their DM', async () => {
    const h = await createHarness({ maxRateLimitWaitMs: 200 });
    const students = addStudents(h, 10);
    h.recordChanges([cancellation()]);
    h.bot.notifier.notify();
    await eventually(() => students.every((user) => dmCount(h, user) === 1), 'the first DMs');

    const [limited] = students;
    if (limited === undefined) throw new Error('no student');
    const channelId = h.fake.dmChannelId(limited.id) ?? '';
    h.fake.failRoute({
      method: 'POST',
      path: new RegExp(`^/channels/${channelId}/messages$`),
      status: 429,
      retryAfter: 2,
      times: 1,
    });
    const outboxId = h.recordChanges([roomChange('C3')]);
    h.bot.notifier.notify();
    const others = students.slice(1);
    await eventually(
      () => others.every((user) => dmCount(h, user) === 2),
      'the other students’ DMs',
    );
    expect(dmCount(h, limited)).toBe(1);
    const pending = h.repositories.alerts
      .listDeliveries(outboxId)
      .find((row) => row.targetId === limited.id);
    expect(pending).toMatchObject({ status: 'pending' });
    expect(pending?.nextAttemptAt?.getTime()).toBeGreaterThan(h.clock.now().getTime());

    // Once the rate limit is over (2 s of real time for discord.js, then due by the clock).
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    h.clock.advance(3_000);
    h.bot.notifier.notify();
    await eventually(() => dmCount(h, limited) === 2, 'the rate-limited DM, later');
    await eventually(() => h.bot.backlog() === 0, 'the outbox to empty');
  });

  it('stops DMing a student whose DMs are closed until they interact again', async () => {
    const h = await createHarness();
    const [closed, open] = addStudents(h, 2);
    if (closed === undefined || open === undefined) throw new Error('no students');
    h.fake.closeDms(closed.id);

    h.recordChanges([cancellation()]);
    h.bot.notifier.notify();
    await eventually(() => dmCount(h, open) === 1 && h.bot.backlog() === 0, 'the first alert');
    const closedChannel = new RegExp(
      `^/channels/${h.fake.dmChannelId(closed.id) ?? 'none'}/messages$`,
    );
    expect(h.fake.callsTo('POST', closedChannel)).toHaveLength(1);
    expect(
      h.repositories.botState.findNotifyPref(toDiscordUserId(closed.id))?.dmClosedAt,
    ).toBeInstanceOf(Date);

    // Not retried on every alert (Discord counts these 403s against the bot).
    h.recordChanges([roomChange('C3')]);
    h.bot.notifier.notify();
    await eventually(() => dmCount(h, open) === 2 && h.bot.backlog() === 0, 'the second alert');
    expect(h.fake.callsTo('POST', closedChannel)).toHaveLength(1);

    // The student comes back (any interaction) with DMs open: alerts resume.
    h.fake.openDms(closed.id);
    await h.fake.injectCommand({ name: 'notify', context: h.fake.inDm(closed) }).callback();
    expect(h.repositories.botState.findNotifyPref(toDiscordUserId(closed.id))?.dmClosedAt).toBe(
      null,
    );
    h.recordChanges([roomChange('D4')]);
    h.bot.notifier.notify();
    await eventually(() => dmCount(h, closed) === 1, 'a DM after the interaction');
  });

  it('posts a new alert after a backup is restored (nonces are not row ids)', async () => {
    const h = await createHarness();
    const backupPath = join(h.database.dir, 'backup.db');
    await h.database.sqlite.backup(backupPath);

    const first = h.recordChanges([cancellation()]);
    h.bot.notifier.notify();
    await eventually(() => h.bot.backlog() === 0, 'the first alert');
    const [firstRow] = h.repositories.alerts.listDeliveries(first);
    await h.bot.stop();

    // The documented restore: the database from the backup, the same Discord.
    const restored = openDatabase({ path: backupPath });
    onTestFinished(() => {
      restored.close();
    });
    runMigrations(restored.db);
    const repositories = createRepositories(restored.db);
    const bot = createBot({
      config: h.config,
      repositories,
      clock: h.clock,
      logger: h.logger,
      version: 'test',
      alertPassIntervalMs: 3_600_000,
    });
    onTestFinished(() => bot.stop());
    await bot.start();
    const section = repositories.sections.findByKey(toSectionKey('info 1'));
    if (section === undefined) throw new Error('no section in the backup');
    const at = h.clock.now();
    const result = repositories.snapshots.commitScrape({
      sectionId: section.id,
      runId: repositories.scrapeRuns.start(section.id, 'manual', at),
      at,
      durationMs: 5,
      events: [],
      changes: [changeOf('db-1', ['teacher'], { teacher: 'Mme Durand' })],
      remaps: [],
      baseline: false,
      issueCount: 0,
      recordAlert: true,
      nextRunAt: new Date(at.getTime() + 300_000),
    });
    if (result.outboxId === undefined) throw new Error('no outbox entry');
    // The same row id as the first alert's delivery: a row-id nonce would be a replay.
    bot.notifier.notify();
    await eventually(() => bot.backlog() === 0, 'the alert recorded after the restore');
    const [secondRow] = repositories.alerts.listDeliveries(result.outboxId);
    expect(secondRow?.id).toBe(firstRow?.id);
    expect(secondRow?.nonce).not.toBe(firstRow?.nonce);
    const posted = h.fake.channelMessages(h.fake.channels.alerts.id);
    expect(posted).toHaveLength(2);
    expect(JSON.stringify(posted[1]?.embeds)).toContain('Mme Durand');
    expect(secondRow?.messageId).toBe(posted[1]?.id);
  });
});
