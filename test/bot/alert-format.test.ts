import { describe, expect, it } from 'vitest';
import {
  DISCORD_LIMITS,
  embedLength,
  MAX_ALERT_PARTS,
  formatChangeAlert,
  formatChangeLine,
  primaryKind,
} from '../../src/bot/alert-format.ts';
import { messages } from '../../src/bot/messages.ts';
import type { TimetableChange } from '../../src/core/index.ts';
import { changeOf, makeEvent } from './helpers.ts';

const fr = messages.fr;

function added(count: number, title = 'TD'): TimetableChange[] {
  return Array.from({ length: count }, (_, index): TimetableChange => {
    const after = makeEvent({
      uid: `u${index}`,
      title: `${title} ${index}`,
      location: 'L'.repeat(130),
      teacher: 'P'.repeat(130),
      startsAt: new Date(Date.UTC(2026, 8, 15, 6) + index * 3_600_000),
    });
    return { uid: after.uid, kinds: ['added'], before: undefined, after };
  });
}

function expectWithinLimits(parts: ReturnType<typeof formatChangeAlert>): void {
  for (const part of parts) {
    expect(part.embeds.length).toBeLessThanOrEqual(DISCORD_LIMITS.embedsPerMessage);
    expect(part.content.length).toBeLessThanOrEqual(DISCORD_LIMITS.content);
    expect(part.embeds.reduce((total, embed) => total + embedLength(embed), 0)).toBeLessThanOrEqual(
      DISCORD_LIMITS.embedsTotal,
    );
    for (const embed of part.embeds) {
      expect(embed.title?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.title);
      expect(embed.description?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.description);
      expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(DISCORD_LIMITS.fieldsPerEmbed);
      for (const field of embed.fields ?? []) {
        expect(field.name.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldName);
        expect(field.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
      }
    }
  }
}

describe('alert formatting', () => {
  it('files a change under its most important kind and shows every difference', () => {
    const change = changeOf('net-1', ['room', 'moved', 'teacher'], {
      startsAt: new Date('2026-09-14T12:00:00Z'),
      location: 'C3',
      teacher: 'Mme Durand',
    });
    expect(primaryKind(change)).toBe('moved');
    expect(formatChangeLine(change, fr)).toBe(
      '**Réseaux** — <t:1789373700:F> → <t:1789387200:F> (<t:1789387200:R>) · A01 → C3 · Mme Martin → Mme Durand',
    );
    expect(primaryKind(changeOf('net-1', ['details'], {}))).toBeUndefined();
  });

  it('renders renames and escapes markdown in titles', () => {
    const change = changeOf('algo-1', ['renamed'], { title: 'Algo *avancée*' });
    expect(formatChangeLine(change, fr)).toBe(
      '**Algorithmique** → **Algo \\*avancée\\*** — <t:1789365600:F> (<t:1789365600:R>)',
    );
  });

  it('groups by kind in a fixed order with French titles, and skips details-only changes', () => {
    const [part, ...rest] = formatChangeAlert({
      sectionName: 'Info 1',
      t: fr,
      roleId: '42',
      changes: [
        changeOf('db-1', ['teacher'], { teacher: 'X' }),
        changeOf('db-1', ['details'], { description: 'x' }),
        changeOf('algo-1', ['renamed'], { title: 'Algo' }),
        changeOf('net-1', ['room'], { location: 'C3' }),
        { ...changeOf('algo-1', ['cancelled'], {}), after: undefined },
        ...added(1),
        changeOf('net-1', ['moved'], { startsAt: new Date('2026-09-14T12:00:00Z') }),
      ],
    });
    expect(rest).toEqual([]);
    expect(part?.content).toBe('<@&42>');
    expect(part?.mentionRoleIds).toEqual(['42']);
    expect(part?.embeds[0]?.fields?.map((field) => field.name)).toEqual([
      'Annulé (1)',
      'Ajouté (1)',
      'Déplacé (1)',
      'Changement de salle (1)',
      "Changement d'enseignant (1)",
      'Renommé (1)',
    ]);
  });

  it('returns nothing when no change deserves an alert', () => {
    expect(
      formatChangeAlert({
        sectionName: 'Info 1',
        t: fr,
        changes: [changeOf('db-1', ['details'], { description: 'x' })],
      }),
    ).toEqual([]);
  });

  it('splits a long alert into parts that respect every Discord limit, mentioning once', () => {
    const parts = formatChangeAlert({
      sectionName: 'Info 1',
      t: fr,
      roleId: '42',
      changes: added(300, 'Z'.repeat(300)),
      maxParts: Number.POSITIVE_INFINITY,
    });
    expect(parts.length).toBeGreaterThan(10);
    expectWithinLimits(parts);
    expect(parts.map((part) => part.content)).toEqual(['<@&42>', ...parts.slice(1).map(() => '')]);
    expect(parts[0]?.embeds[0]?.title).toBe(
      `Changements d'emploi du temps — Info 1 (1/${parts.length})`,
    );
    const lines = parts.flatMap((part) =>
      part.embeds.flatMap((embed) =>
        (embed.fields ?? []).flatMap((field) => field.value.split('\n')),
      ),
    );
    expect(lines).toHaveLength(300);
    expect(parts[1]?.embeds[0]?.fields?.[0]?.name).toMatch(/^Ajouté \(300\) \(suite\)$/);
  });

  it('uses many fields per embed and several embeds per message before splitting', () => {
    const short = Array.from({ length: 60 }, (_, index): TimetableChange => {
      const after = makeEvent({
        uid: `s${index}`,
        title: `C${index}`,
        location: '',
        teacher: '',
        startsAt: new Date(Date.UTC(2026, 8, 15, 6) + index * 60_000),
      });
      return { uid: after.uid, kinds: ['added'], before: undefined, after };
    });
    const parts = formatChangeAlert({
      sectionName: 'Info 1',
      t: fr,
      changes: short,
      maxParts: Number.POSITIVE_INFINITY,
    });
    expectWithinLimits(parts);
    expect(parts).toHaveLength(1);
  });

  it('details a big batch up to three messages, most urgent first, and counts the rest', () => {
    const changes = [
      ...added(300),
      // The soonest: Monday 14 September, before every added class.
      ...[1, 2, 3].map(() => ({ ...changeOf('algo-1', ['cancelled'], {}), after: undefined })),
    ];
    const parts = formatChangeAlert({ sectionName: 'Info 1', t: fr, changes });
    expect(parts).toHaveLength(MAX_ALERT_PARTS);
    expectWithinLimits(parts);
    const fields = parts.flatMap((part) => part.embeds.flatMap((embed) => embed.fields ?? []));
    const lines = fields.flatMap((field) => field.value.split('\n'));
    expect(lines.length).toBeGreaterThan(15);
    expect(fields[0]?.name).toBe('Annulé (3)');
    const footer = parts.at(-1)?.embeds.at(-1)?.footer?.text;
    expect(footer).toBe(
      `… et ${303 - lines.length} autres. Consulte \`/planning\` ou ton agenda pour le détail.`,
    );
    // What is detailed is the most urgent prefix: the added classes shown are the earliest ones.
    const shownAdded = changes
      .slice(0, 300)
      .toSorted((a, b) => (a.after?.startsAt.getTime() ?? 0) - (b.after?.startsAt.getTime() ?? 0))
      .slice(0, lines.length - 3)
      .map((change) => change.after?.title ?? '');
    for (const title of shownAdded) {
      expect(lines.some((line) => line.startsWith(`**${title}**`))).toBe(true);
    }
  });

  it('speaks English when asked', () => {
    const [part] = formatChangeAlert({
      sectionName: 'Info 1',
      t: messages.en,
      heading: messages.en.dmAlertTitle('Info 1'),
      changes: [changeOf('net-1', ['room'], { location: 'C3' })],
    });
    expect(part?.embeds[0]?.title).toBe('Changes in the next 48 h — Info 1');
    expect(part?.embeds[0]?.fields?.[0]?.name).toBe('Room change (1)');
    expect(part?.content).toBe('');
  });
});
