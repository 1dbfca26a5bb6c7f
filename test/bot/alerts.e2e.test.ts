import { describe, expect, it } from 'vitest';
import { issueFeedToken, toDiscordUserId, type TimetableChange } from '../../src/core/index.ts';
import { DISCORD_LIMITS } from '../../src/bot/alert-format.ts';
import type { JsonObject } from '../fake-discord/index.ts';
import { changeOf, createHarness, eventually, makeEvent, type Harness } from './helpers.ts';

const MESSAGES = /^\/channels\/\d+\/messages$/;

function delivered(h: Harness, outboxId: number): boolean {
  return h.repositories.alerts.findOutbox(outboxId)?.deliveredAt != null;
}

function attempts(h: Harness, outboxId: number): number {
  return h.repositories.alerts.findOutbox(outboxId)?.attempts ?? 0;
}

function fieldsOf(embed: JsonObject | undefined): { name: string; value: string }[] {
  return (embed?.fields ?? []) as { name: string; value: string }[];
}

/** Three changes: a cancellation, a move with a room change, a teacher change. */
function typicalChanges(): TimetableChange[] {
  return [
    { ...changeOf('algo-1', ['cancelled'], {}), after: undefined },
    changeOf('net-1', ['moved', 'room'], {
      startsAt: new Date('2026-09-14T12:00:00Z'),
      endsAt: new Date('2026-09-14T14:00:00Z'),
      location: 'C3',
    }),
    changeOf('db-1', ['teacher'], { teacher: 'Mme Durand' }),
  ];
}

function addedEvents(
  count: number,
  fields: { title?: string; location?: string; teacher?: string } = {},
): TimetableChange[] {
  return Array.from({ length: count }, (_, index) => {
    const after = makeEvent({
      uid: `new-${index}`,
      title: fields.title === undefined ? `TD ${index + 1}` : `${fields.title} ${index}`,
      location: fields.location ?? 'B12',
      teacher: fields.teacher ?? 'M. Dupont',
      startsAt: new Date(Date.UTC(2026, 8, 15 + (index % 10), 6 + (index % 8))),
    });
    return { uid: after.uid, kinds: ['added'], before: undefined, after };
  });
}

describe('change alerts from the outbox', () => {
  it('posts one message per section, grouped by kind, with before → after and timestamps', async () => {
    const h = await createHarness();
    const outboxId = h.recordChanges(typicalChanges());
    expect(h.bot.backlog()).toBe(1);
    h.bot.notifier.notify();
    await eventually(() => delivered(h, outboxId), 'the delivery');

    const posted = h.fake.channelMessages(h.fake.channels.alerts.id);
    expect(posted).toHaveLength(1);
    const message = posted[0];
    expect(message?.embeds[0]?.title).toBe("Changements d'emploi du temps — Info 1");
    const fields = fieldsOf(message?.embeds[0]);
    expect(fields.map((field) => field.name)).toEqual([
      'Annulé (1)',
      'Déplacé (1)',
      "Changement d'enseignant (1)",
    ]);
    expect(fields[0]?.value).toBe('**Algorithmique** — <t:1789365600:F> (<t:1789365600:R>) · B12');
    expect(fields[1]?.value).toBe(
      '**Réseaux** — <t:1789373700:F> → <t:1789387200:F> (<t:1789387200:R>) · A01 → C3',
    );
    expect(fields[2]?.value).toContain('M. Dupont → Mme Durand');
    expect(message?.raw.enforce_nonce).toBe(true);
    // Random per delivery (never a row id a restored backup would reuse), within Discord's 25.
    expect(message?.nonce).toMatch(/^a[\w-]{20}$/);
    expect(h.bot.backlog()).toBe(0);
    expect(h.repositories.alerts.listDeliveries(outboxId)).toMatchObject([
      { targetKind: 'channel', targetId: h.fake.channels.alerts.id, part: 0, status: 'sent' },
    ]);
  });

  it('uses the section’s route and mentions its role', async () => {
    const h = await createHarness();
    h.repositories.alerts.setRoute({
      sectionId: h.sectionId('info 1'),
      channelId: h.fake.channels.otherAlerts.id,
      roleId: h.fake.roles.students.id,
      at: h.clock.now(),
      by: null,
    });
    const outboxId = h.recordChanges(typicalChanges());
    h.bot.notifier.notify();
    await eventually(() => delivered(h, outboxId), 'the delivery');
    expect(h.fake.channelMessages(h.fake.channels.alerts.id)).toHaveLength(0);
    const [message] = h.fake.channelMessages(h.fake.channels.otherAlerts.id);
    expect(message?.content).toBe(`<@&${h.fake.roles.students.id}>`);
    expect(message?.raw.allowed_mentions).toEqual({ parse: [], roles: [h.fake.roles.students.id] });
  });

  it('retries after 5xx with backoff and posts exactly once', async () => {
    const h = await createHarness();
    h.fake.failRoute({ method: 'POST', path: MESSAGES, status: 503, times: 6 });
    const outboxId = h.recordChanges(typicalChanges());
    h.bot.notifier.notify();
    await eventually(() => attempts(h, outboxId) === 1, 'the first failed pass');
    const entry = h.repositories.alerts.findOutbox(outboxId);
    expect(entry?.deliveredAt).toBeNull();
    expect(entry?.nextAttemptAt.getTime()).toBe(h.clock.now().getTime() + 30_000);
    expect(entry?.lastError).toContain('Service Unavailable');
    expect(h.fake.channelMessages(h.fake.channels.alerts.id)).toHaveLength(0);
    expect(h.bot.backlog()).toBe(1);

    h.clock.advance(31_000);
    h.bot.notifier.notify();
    await eventually(() => delivered(h, outboxId), 'the retried delivery');
    const statuses = h.fake.callsTo('POST', MESSAGES).map((call) => call.status);
    expect(statuses).toEqual([503, 503, 503, 503, 503, 503, 200]);
    expect(h.fake.channelMessages(h.fake.channels.alerts.id)).toHaveLength(1);
    expect(h.bot.backlog()).toBe(0);
  });

  it('waits out a 429 (Retry-After) and posts exactly once', async () => {
    const h = await createHarness();
    h.fake.failRoute({ method: 'POST', path: MESSAGES, status: 429, retryAfter: 0.05, times: 1 });
    const outboxId = h.recordChanges(typicalChanges());
    h.bot.notifier.notify();
    await eventually(() => delivered(h, outboxId), 'the delivery');
    expect(h.fake.callsTo('POST', MESSAGES).map((call) => call.status)).toEqual([429, 200]);
    expect(h.fake.channelMessages(h.fake.channels.alerts.id)).toHaveLength(1);
  });

  it('delivers what a stopped bot left undelivered after a restart, without reposting sent parts', async () => {
    const h = await createHarness();
    // Long lines force two parts; the second one fails until the restart.
    const changes = addedEvents(15, {
      title: 'T'.repeat(190),
      location: 'L'.repeat(110),
      teacher: 'P'.repeat(110),
    });
    h.fake.failRoute({ method: 'POST', path: MESSAGES, status: 502, skip: 1 });
    const outboxId = h.recordChanges(changes);
    h.bot.notifier.notify();
    await eventually(() => attempts(h, outboxId) === 1, 'the failed pass');
    expect(h.fake.channelMessages(h.fake.channels.alerts.id)).toHaveLength(1);
    await h.bot.stop();

    const stillPending = h.recordChanges([changeOf('db-1', ['room'], { location: 'Amphi' })]);
    h.fake.clearFailures();
    h.clock.advance(60_000);
    const restarted = await h.startBot();
    await eventually(
      () => delivered(h, outboxId) && delivered(h, stillPending),
      'both deliveries after the restart',
    );
    const titles = h.fake
      .channelMessages(h.fake.channels.alerts.id)
      .map((message) => message.embeds[0]?.title);
    expect(titles).toEqual([
      "Changements d'emploi du temps — Info 1 (1/2)",
      "Changements d'emploi du temps — Info 1 (2/2)",
      "Changements d'emploi du temps — Info 1",
    ]);
    expect(restarted.backlog()).toBe(0);
  });

  it('does not duplicate a part that was posted just before a crash (nonce)', async () => {
    const h = await createHarness();
    await h.bot.stop();
    const outboxId = h.recordChanges(typicalChanges());
    // The previous process posted part 0 and died before recording it as sent.
    const row = h.repositories.alerts.ensureDelivery({
      outboxId,
      targetKind: 'channel',
      targetId: h.fake.channels.alerts.id,
      part: 0,
      at: h.clock.now(),
    });
    const response = await fetch(
      `${h.fake.apiUrl}/v10/channels/${h.fake.channels.alerts.id}/messages`,
      {
        method: 'POST',
        headers: { authorization: `Bot ${h.fake.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: '', nonce: row.nonce, enforce_nonce: true }),
      },
    );
    expect(response.status).toBe(200);

    await h.startBot();
    await eventually(() => delivered(h, outboxId), 'the delivery');
    expect(h.fake.channelMessages(h.fake.channels.alerts.id)).toHaveLength(1);
    expect(h.repositories.alerts.listDeliveries(outboxId)[0]?.status).toBe('sent');
  });

  it('works through a backlog larger than one batch in a single pass', async () => {
    const h = await createHarness();
    await h.bot.stop();
    const ids = Array.from({ length: 25 }, (_, index) =>
      h.recordChanges([changeOf('db-1', ['room'], { location: `Salle ${index}` })]),
    );
    const bot = await h.startBot();
    await eventually(() => bot.backlog() === 0, 'an empty backlog');
    expect(ids.every((id) => delivered(h, id))).toBe(true);
    expect(h.fake.channelMessages(h.fake.channels.alerts.id)).toHaveLength(25);
  });

  it('details a batch of 70 changes (not a summary after 15), most urgent first', async () => {
    const h = await createHarness();
    const batch = [
      ...addedEvents(69),
      { ...changeOf('algo-1', ['cancelled'], {}), after: undefined },
    ];
    const outboxId = h.recordChanges(batch);
    h.bot.notifier.notify();
    await eventually(() => delivered(h, outboxId), 'the delivery');
    const posted = h.fake.channelMessages(h.fake.channels.alerts.id);
    expect(posted.length).toBeGreaterThanOrEqual(1);
    expect(posted.length).toBeLessThanOrEqual(3);
    const fields = posted.flatMap((message) => message.embeds.flatMap(fieldsOf));
    const lines = fields.flatMap((field) => field.value.split('\n'));
    // Every change detailed (70 short lines fit in a few messages), today's cancellation first.
    expect(lines).toHaveLength(70);
    expect(fields[0]?.name).toBe('Annulé (1)');
    expect(lines[0]).toContain('Algorithmique');
    expect(
      posted.every((message) => message.embeds.every((embed) => embed.footer === undefined)),
    ).toBe(true);
  });

  it('sends /notify DMs for the next 48 hours only, and copes with closed DMs', async () => {
    const h = await createHarness();
    const sectionId = h.sectionId('info 1');
    for (const user of [h.fake.users.student, h.fake.users.otherStudent]) {
      const { tokenHash, prefix } = issueFeedToken();
      h.repositories.feedTokens.create({
        tokenHash,
        prefix,
        ownerKind: 'discord',
        owner: user.id,
        sectionId,
        at: h.clock.now(),
      });
      h.repositories.botState.setNotifyPref({
        discordUserId: toDiscordUserId(user.id),
        enabled: true,
        locale: 'en',
        at: h.clock.now(),
      });
    }
    h.fake.closeDms(h.fake.users.otherStudent.id);
    const far = makeEvent({
      uid: 'far',
      title: 'Projet',
      startsAt: new Date('2026-09-22T08:00:00Z'),
    });
    const outboxId = h.recordChanges([
      changeOf('db-1', ['room'], { location: 'Amphi' }),
      { uid: 'far', kinds: ['added'], before: undefined, after: far },
    ]);
    h.bot.notifier.notify();
    await eventually(() => delivered(h, outboxId), 'the delivery');

    const channel = h.fake.channelMessages(h.fake.channels.alerts.id);
    expect(fieldsOf(channel[0]?.embeds[0]).map((field) => field.name)).toEqual([
      'Ajouté (1)',
      'Changement de salle (1)',
    ]);
    const [dm] = h.fake.dmMessages(h.fake.users.student.id);
    expect(dm?.embeds[0]?.title).toBe('Changes in the next 48 h — Info 1');
    expect(fieldsOf(dm?.embeds[0]).map((field) => field.name)).toEqual(['Room change (1)']);
    expect(h.fake.dmMessages(h.fake.users.otherStudent.id)).toHaveLength(0);
    const deliveries = h.repositories.alerts.listDeliveries(outboxId);
    expect(deliveries.map((row) => [row.targetKind, row.status])).toEqual([
      ['channel', 'sent'],
      ['dm', 'sent'],
      ['dm', 'failed'],
    ]);
  });

  it('posts nothing for changes beyond ALERT_WINDOW_DAYS, and warns when no channel is set', async () => {
    const h = await createHarness({
      env: { ALERTS_CHANNEL_ID: undefined, ALERT_WINDOW_DAYS: '7' },
    });
    const later = makeEvent({ uid: 'later', startsAt: new Date('2026-09-25T08:00:00Z') });
    const farOnly = h.recordChanges([
      { uid: 'later', kinds: ['added'], before: undefined, after: later },
    ]);
    const soon = h.recordChanges([changeOf('db-1', ['room'], { location: 'Amphi' })]);
    h.bot.notifier.notify();
    await eventually(() => delivered(h, farOnly) && delivered(h, soon), 'both entries');
    expect(h.fake.callsTo('POST', MESSAGES)).toHaveLength(0);
    const warnings = h.logs.records().filter((record) => record.msg === 'alert has no channel');
    expect(warnings).toEqual([expect.objectContaining({ outboxId: soon, sectionKey: 'info 1' })]);
  });

  it('keeps every posted message within Discord limits', async () => {
    const h = await createHarness();
    const outboxId = h.recordChanges(
      addedEvents(15, { title: 'X'.repeat(250), location: 'Y'.repeat(150) }),
    );
    h.bot.notifier.notify();
    await eventually(() => delivered(h, outboxId), 'the delivery');
    for (const message of h.fake.channelMessages(h.fake.channels.alerts.id)) {
      expect(message.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedsPerMessage);
      let total = 0;
      for (const embed of message.embeds) {
        const fields = fieldsOf(embed);
        expect(fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldsPerEmbed);
        for (const field of fields) {
          expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
          total += field.name.length + field.value.length;
        }
        total += typeof embed.title === 'string' ? embed.title.length : 0;
      }
      expect(total).toBeLessThanOrEqual(DISCORD_LIMITS.embedsTotal);
    }
  });
});
