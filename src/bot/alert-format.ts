import type { APIEmbed, APIEmbedField } from 'discord.js';
import {
  isExam,
  type ChangeKind,
  type TimetableChange,
  type TimetableEvent,
} from '../core/index.ts';
import type { Messages } from './messages.ts';
import { schoolText, stripControls } from './text-safety.ts';
import { discordTime } from './time.ts';

/** Discord's message limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
export const DISCORD_LIMITS = {
  embedsPerMessage: 10,
  fieldsPerEmbed: 25,
  fieldName: 256,
  fieldValue: 1024,
  title: 256,
  description: 4096,
  footer: 2048,
  /** Sum of every title, description, field name/value, footer and author of a message's embeds. */
  embedsTotal: 6000,
  content: 2000,
} as const;

/** Kinds an alert lists, in this order (`details` alone never alerts). */
export const ALERT_KINDS = ['cancelled', 'added', 'moved', 'room', 'teacher', 'renamed'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * An alert is at most this many messages: a big batch is detailed up to there, most urgent
 * first (soonest class, then cancellations before other kinds), and says how many more there are.
 */
export const MAX_ALERT_PARTS = 3;

const ALERT_COLOR = 0xe67e22;
/** Room kept in a message for the title (set once parts are counted). */
const TITLE_RESERVE = DISCORD_LIMITS.title + 20;
/** Room kept in a message for the "… and N more" footer. */
const FOOTER_RESERVE = 200;
const MAX_LINE = 900;

export type AlertMessage = {
  readonly content: string;
  readonly embeds: readonly APIEmbed[];
  /** Roles the message may ping (only the first part mentions). */
  readonly mentionRoleIds: readonly string[];
};

export function isAlertKind(kind: ChangeKind): kind is AlertKind {
  return kind !== 'details';
}

/** The kind an alert files a change under (the most important one). */
export function primaryKind(change: TimetableChange): AlertKind | undefined {
  return ALERT_KINDS.find((kind) => change.kinds.includes(kind));
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function when(at: Date): string {
  return `${discordTime(at, 'F')} (${discordTime(at, 'R')})`;
}

// Titles, rooms and teachers come from school sites: made inert (no masked links, mentions,
// timestamps or bidi controls can reach the embed).
function title(event: TimetableEvent | undefined, t: Messages): string {
  const text = stripControls(event?.title ?? '').trim();
  const bold = `**${schoolText(truncate(text === '' ? t.unknownValue : text, 200))}**`;
  return event !== undefined && isExam(event) ? `${bold} (${t.examMark})` : bold;
}

function value(text: string | undefined, t: Messages): string {
  const trimmed = stripControls(text ?? '').trim();
  return trimmed === '' ? t.noValue : schoolText(truncate(trimmed, 120));
}

/** One change as one line: what, when, before → after. */
export function formatChangeLine(change: TimetableChange, t: Messages): string {
  const { before, after } = change;
  const event = after ?? before;
  const kind = primaryKind(change);
  const segments: string[] = [];
  switch (kind) {
    case 'cancelled':
      segments.push(
        `${title(before ?? after, t)} — ${when((before ?? after)?.startsAt ?? new Date(0))}`,
      );
      if ((before ?? after)?.location.trim()) segments.push(value((before ?? after)?.location, t));
      break;
    case 'added':
      segments.push(`${title(after, t)} — ${when((after ?? before)?.startsAt ?? new Date(0))}`);
      if (after?.location.trim()) segments.push(value(after.location, t));
      if (after?.teacher.trim()) segments.push(value(after.teacher, t));
      break;
    case 'moved': {
      // A split names every part: "before → part 1 + part 2 (split into 2)".
      const parts = [after, ...(change.otherParts ?? [])].map((part) =>
        when(part?.startsAt ?? new Date(0)),
      );
      const split = parts.length > 1 ? ` (${t.alertSplit(parts.length)})` : '';
      segments.push(
        `${title(event, t)} — ${discordTime(before?.startsAt ?? new Date(0), 'F')} → ${parts.join(' + ')}${split}`,
      );
      break;
    }
    case 'renamed':
      segments.push(
        `${title(before, t)} → ${title(after, t)} — ${when(event?.startsAt ?? new Date(0))}`,
      );
      break;
    case 'room':
    case 'teacher':
    case undefined:
      segments.push(`${title(event, t)} — ${when(event?.startsAt ?? new Date(0))}`);
      break;
  }
  if (before !== undefined && after !== undefined) {
    if (change.kinds.includes('room')) {
      segments.push(`${value(before.location, t)} → ${value(after.location, t)}`);
    }
    if (change.kinds.includes('teacher')) {
      segments.push(`${value(before.teacher, t)} → ${value(after.teacher, t)}`);
    }
    if (change.kinds.includes('renamed') && kind !== 'renamed') {
      segments.push(`${title(before, t)} → ${title(after, t)}`);
    }
  }
  return truncate(segments.join(' · '), MAX_LINE);
}

function startOf(change: TimetableChange): number {
  return (change.after ?? change.before)?.startsAt.getTime() ?? 0;
}

/** Characters Discord counts against the 6 000 limit for one embed. */
export function embedLength(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.fields ?? []).reduce((total, field) => total + field.name.length + field.value.length, 0)
  );
}

/** Lines packed into field values of at most 1 024 characters. */
function toFields(name: string, lines: readonly string[], t: Messages): APIEmbedField[] {
  const fields: APIEmbedField[] = [];
  let current: string[] = [];
  let length = 0;
  const flush = (): void => {
    if (current.length === 0) return;
    const fieldName = fields.length === 0 ? name : t.alertContinued(name);
    fields.push({ name: truncate(fieldName, DISCORD_LIMITS.fieldName), value: current.join('\n') });
    current = [];
    length = 0;
  };
  for (const line of lines) {
    const added = line.length + (current.length === 0 ? 0 : 1);
    if (length + added > DISCORD_LIMITS.fieldValue) flush();
    current.push(line);
    length += line.length + (current.length === 1 ? 0 : 1);
  }
  flush();
  return fields;
}

function kindRank(change: TimetableChange): number {
  const kind = primaryKind(change);
  return kind === undefined ? ALERT_KINDS.length : ALERT_KINDS.indexOf(kind);
}

/** Soonest class first; at the same time, cancellations before moves, before room changes… */
function byUrgency(a: TimetableChange, b: TimetableChange): number {
  return startOf(a) - startOf(b) || kindRank(a) - kindRank(b);
}

/**
 * The channel (or DM) messages announcing a section's changes: grouped by kind, split to respect
 * Discord's limits, at most `maxParts` messages; a bigger batch details its most urgent changes
 * and ends with how many more there are. Pure and deterministic: a retry renders exactly the
 * same parts.
 */
export function formatChangeAlert(input: {
  readonly sectionName: string;
  readonly changes: readonly TimetableChange[];
  readonly t: Messages;
  readonly roleId?: string | null | undefined;
  /** Title override (DM alerts). */
  readonly heading?: string;
  readonly maxParts?: number;
}): AlertMessage[] {
  const changes = input.changes
    .filter((change) => primaryKind(change) !== undefined)
    .toSorted(byUrgency);
  if (changes.length === 0) return [];
  const maxParts = input.maxParts ?? MAX_ALERT_PARTS;
  const all = renderParts(input, changes, 0);
  if (all.length <= maxParts) return all;
  // The most urgent prefix that fits (binary search on its length; one change always fits).
  let low = 1;
  let high = changes.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const fits =
      renderParts(input, changes.slice(0, middle), changes.length - middle).length <= maxParts;
    if (fits) low = middle;
    else high = middle - 1;
  }
  return renderParts(input, changes.slice(0, low), changes.length - low);
}

function renderParts(
  input: Parameters<typeof formatChangeAlert>[0],
  changes: readonly TimetableChange[],
  omitted: number,
): AlertMessage[] {
  const { t, sectionName } = input;
  const heading = input.heading ?? t.alertTitle(sectionName);
  const mention = input.roleId == null ? [] : [input.roleId];
  const content = mention.map((roleId) => `<@&${roleId}>`).join(' ');

  const fields: APIEmbedField[] = [];
  for (const kind of ALERT_KINDS) {
    const lines = changes
      .filter((change) => primaryKind(change) === kind)
      .toSorted((a, b) => startOf(a) - startOf(b))
      .map((change) => formatChangeLine(change, t));
    if (lines.length > 0)
      fields.push(...toFields(`${t.alertKinds[kind]} (${lines.length})`, lines, t));
  }

  const budget = DISCORD_LIMITS.embedsTotal - TITLE_RESERVE - FOOTER_RESERVE;
  const parts: APIEmbedField[][][] = [];
  let embeds: APIEmbedField[][] = [];
  let total = 0;
  for (const field of fields) {
    const length = field.name.length + field.value.length;
    if (embeds.length > 0 && total + length > budget) {
      parts.push(embeds);
      embeds = [];
      total = 0;
    }
    const current = embeds.at(-1);
    if (current === undefined || current.length >= DISCORD_LIMITS.fieldsPerEmbed) {
      if (embeds.length >= DISCORD_LIMITS.embedsPerMessage) {
        parts.push(embeds);
        embeds = [];
        total = 0;
      }
      embeds.push([field]);
    } else {
      current.push(field);
    }
    total += length;
  }
  if (embeds.length > 0) parts.push(embeds);

  return parts.map((partEmbeds, index) => ({
    content: index === 0 ? content : '',
    mentionRoleIds: index === 0 ? mention : [],
    embeds: partEmbeds.map((partFields, embedIndex) => ({
      ...(embedIndex === 0
        ? {
            title: truncate(
              parts.length === 1 || input.heading !== undefined
                ? heading
                : t.alertTitlePart(sectionName, index + 1, parts.length),
              DISCORD_LIMITS.title,
            ),
          }
        : {}),
      color: ALERT_COLOR,
      fields: partFields,
      ...(omitted > 0 && index === parts.length - 1 && embedIndex === partEmbeds.length - 1
        ? { footer: { text: t.alertSummaryMore(omitted) } }
        : {}),
    })),
  }));
}
