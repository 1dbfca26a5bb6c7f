import { describe, expect, it } from 'vitest';
import { toDiscordUserId } from '../../src/core/index.ts';
import { createStore, event, section, T0 } from './helpers.ts';

const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

/** The L3 store, with outbox entries written as the scraper writes them (one per alerting run). */
function setup() {
  const store = createStore();
  let serial = 0;
  function enqueue(when: Date): number {
    serial += 1;
    const uid = `added-${serial}`;
    const { outboxId } = store.commit({
      at: when,
      recordAlert: true,
      changes: [{ uid, kinds: ['added'], before: undefined, after: event(uid) }],
    });
    if (outboxId === undefined) throw new Error('the commit wrote no outbox entry');
    return outboxId;
  }
  return { ...store, alerts: store.repositories.alerts, enqueue };
}

describe('alerts repository: outbox', () => {
  it('lists undelivered entries that are due, oldest first, up to the limit', () => {
    const { alerts, enqueue } = setup();
    const first = enqueue(at(0));
    const second = enqueue(at(1));
    const third = enqueue(at(2));
    const future = enqueue(at(30));

    expect(alerts.listDue(at(10), 10).map((row) => row.id)).toEqual([first, second, third]);
    expect(alerts.listDue(at(10), 2).map((row) => row.id)).toEqual([first, second]);
    // Due exactly at its next attempt time, not a millisecond before.
    expect(alerts.listDue(at(30), 10).map((row) => row.id)).toContain(future);
    expect(alerts.listDue(new Date(at(30).getTime() - 1), 10).map((row) => row.id)).not.toContain(
      future,
    );
    expect(alerts.listDue(new Date(at(0).getTime() - 1), 10)).toEqual([]);
  });

  it('orders due entries by id, not by when they became due', () => {
    const { alerts, enqueue } = setup();
    const older = enqueue(at(0));
    const newer = enqueue(at(1));
    alerts.markRetry(older, { nextAttemptAt: at(5), error: 'discord 503' });
    expect(alerts.listDue(at(10), 10).map((row) => row.id)).toEqual([older, newer]);
  });

  it('keeps what the scraper wrote on a new entry', () => {
    const { alerts, enqueue, sectionId, runRows } = setup();
    const id = enqueue(at(3));
    expect(alerts.findOutbox(id)).toEqual({
      id,
      sectionId,
      runId: runRows().at(-1)?.id,
      createdAt: at(3),
      attempts: 0,
      nextAttemptAt: at(3),
      deliveredAt: null,
      channelDoneAt: null,
      lastError: null,
    });
    expect(alerts.findOutbox(id + 1)).toBeUndefined();
  });

  it('a retry counts the attempt, records the error and holds the entry back until its time', () => {
    const { alerts, enqueue } = setup();
    const id = enqueue(at(0));
    alerts.markRetry(id, { nextAttemptAt: at(1), error: 'discord 503' });
    alerts.markRetry(id, { nextAttemptAt: at(3), error: 'discord 502' });
    expect(alerts.findOutbox(id)).toMatchObject({
      attempts: 2,
      nextAttemptAt: at(3),
      lastError: 'discord 502',
      deliveredAt: null,
    });
    expect(alerts.listDue(at(2), 10)).toEqual([]);
    expect(alerts.listDue(at(3), 10)).toMatchObject([{ id, attempts: 2 }]);
    expect(alerts.countUndelivered()).toBe(1);
  });

  it('a delivered entry is never listed again and clears its last error', () => {
    const { alerts, enqueue } = setup();
    const delivered = enqueue(at(0));
    const pending = enqueue(at(0));
    alerts.markRetry(delivered, { nextAttemptAt: at(1), error: 'discord 503' });
    expect(alerts.countUndelivered()).toBe(2);

    alerts.markDelivered(delivered, at(2));
    expect(alerts.findOutbox(delivered)).toMatchObject({
      deliveredAt: at(2),
      lastError: null,
      attempts: 1,
    });
    expect(alerts.listDue(at(60), 10).map((row) => row.id)).toEqual([pending]);
    expect(alerts.countUndelivered()).toBe(1);
    alerts.markDelivered(pending, at(3));
    expect(alerts.countUndelivered()).toBe(0);
    expect(alerts.listDue(at(60), 10)).toEqual([]);
  });
});

describe('alerts repository: deliveries', () => {
  const channel = { targetKind: 'channel', targetId: '900000000000000001' } as const;

  it('creates one pending row per target and part, and returns the same row when asked again', () => {
    const { alerts, enqueue } = setup();
    const outboxId = enqueue(at(0));
    const part0 = alerts.ensureDelivery({ outboxId, ...channel, part: 0, at: at(1) });
    expect(part0).toMatchObject({
      outboxId,
      ...channel,
      part: 0,
      status: 'pending',
      attempts: 0,
      messageId: null,
      lastError: null,
      updatedAt: at(1),
    });
    const again = alerts.ensureDelivery({ outboxId, ...channel, part: 0, at: at(5) });
    expect(again).toEqual(part0);

    const part1 = alerts.ensureDelivery({ outboxId, ...channel, part: 1, at: at(1) });
    const dm = alerts.ensureDelivery({
      outboxId,
      targetKind: 'dm',
      targetId: channel.targetId,
      part: 0,
      at: at(1),
    });
    const otherEntry = alerts.ensureDelivery({
      outboxId: enqueue(at(0)),
      ...channel,
      part: 0,
      at: at(1),
    });
    expect(new Set([part0.id, part1.id, dm.id, otherEntry.id]).size).toBe(4);
    expect(alerts.listDeliveries(outboxId).map((row) => row.id)).toEqual([
      part0.id,
      part1.id,
      dm.id,
    ]);
    expect(alerts.listDeliveries(otherEntry.outboxId).map((row) => row.id)).toEqual([
      otherEntry.id,
    ]);
  });

  it('a sent part stays sent: asking for it again does not reset it to pending', () => {
    const { alerts, enqueue } = setup();
    const outboxId = enqueue(at(0));
    const row = alerts.ensureDelivery({ outboxId, ...channel, part: 0, at: at(1) });
    alerts.markDeliveryAttempt(row.id, at(2));
    alerts.markDeliveryError(row.id, { message: 'discord 500', permanent: false, at: at(3) });
    alerts.markDeliveryAttempt(row.id, at(4));
    alerts.markDeliverySent(row.id, { messageId: '1300000000000000001', at: at(5) });

    const after = alerts.ensureDelivery({ outboxId, ...channel, part: 0, at: at(9) });
    expect(after).toEqual({
      ...row,
      status: 'sent',
      attempts: 2,
      messageId: '1300000000000000001',
      lastError: null,
      updatedAt: at(5),
    });
  });

  it('a passing error keeps the part pending; a permanent one marks it failed for good', () => {
    const { alerts, enqueue } = setup();
    const outboxId = enqueue(at(0));
    const dm = { targetKind: 'dm', targetId: '800000000000000001' } as const;
    const row = alerts.ensureDelivery({ outboxId, ...dm, part: 0, at: at(1) });
    alerts.markDeliveryAttempt(row.id, at(2));
    alerts.markDeliveryError(row.id, { message: 'socket hang up', permanent: false, at: at(2) });
    expect(alerts.ensureDelivery({ outboxId, ...dm, part: 0, at: at(3) })).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'socket hang up',
      updatedAt: at(2),
    });

    alerts.markDeliveryAttempt(row.id, at(4));
    alerts.markDeliveryError(row.id, {
      message: 'Cannot send messages to this user (50007)',
      permanent: true,
      at: at(4),
    });
    expect(alerts.ensureDelivery({ outboxId, ...dm, part: 0, at: at(5) })).toMatchObject({
      status: 'failed',
      attempts: 2,
      lastError: 'Cannot send messages to this user (50007)',
      updatedAt: at(4),
    });
  });

  it('updates only the delivery row it is given', () => {
    const { alerts, enqueue } = setup();
    const outboxId = enqueue(at(0));
    const target = alerts.ensureDelivery({ outboxId, ...channel, part: 0, at: at(1) });
    const sibling = alerts.ensureDelivery({ outboxId, ...channel, part: 1, at: at(1) });
    alerts.markDeliveryAttempt(target.id, at(2));
    alerts.markDeliverySent(target.id, { messageId: '1300000000000000002', at: at(2) });
    alerts.markDeliveryError(target.id + 100, { message: 'x', permanent: true, at: at(3) });
    expect(alerts.listDeliveries(outboxId)).toEqual([
      expect.objectContaining({ id: target.id, status: 'sent', attempts: 1 }),
      sibling,
    ]);
  });
});

describe('alerts repository: routes', () => {
  it('has no route until one is set, then replaces it in place', () => {
    const { alerts, repositories, sectionId } = setup();
    const [, other] = repositories.sections.sync([section('L3'), section('M1')], T0);
    expect(alerts.findRoute(sectionId)).toBeUndefined();

    const admin = toDiscordUserId('700000000000000001');
    alerts.setRoute({
      sectionId,
      channelId: '900000000000000001',
      roleId: null,
      at: at(1),
      by: admin,
    });
    alerts.setRoute({
      sectionId: other!.id,
      channelId: '900000000000000009',
      roleId: '600000000000000009',
      at: at(1),
      by: null,
    });
    expect(alerts.findRoute(sectionId)).toEqual({
      sectionId,
      channelId: '900000000000000001',
      roleId: null,
      updatedAt: at(1),
      updatedBy: admin,
    });

    alerts.setRoute({
      sectionId,
      channelId: '900000000000000002',
      roleId: '600000000000000002',
      at: at(2),
      by: null,
    });
    expect(alerts.findRoute(sectionId)).toEqual({
      sectionId,
      channelId: '900000000000000002',
      roleId: '600000000000000002',
      updatedAt: at(2),
      updatedBy: null,
    });
    expect(alerts.findRoute(other!.id)).toMatchObject({ channelId: '900000000000000009' });
  });
});
