/**
 * Pure readers of Aurion (JSF 2 + PrimeFaces) pages and partial-responses, and the FullCalendar
 * JSON inside them (docs/sources.md). Every JSF id is read from the page, never hard-coded.
 */
import { z } from 'zod';
import {
  AppError,
  wallClockToInstant,
  zoneOffsetMs,
  type ParseIssue,
  type TimetableEvent,
} from '../../core/index.ts';
import { parseAurionTitle, toTitleLines, type AurionTitleStrategy } from './aurion-titles.ts';

const INVALID_LOGIN = /login ou mot de passe invalide|login or password invalid/i;
const VIEW_STATE_NAME = 'javax.faces.ViewState';

export type AurionMenuLeaf = { readonly menuId: string; readonly label: string };
export type AurionSubmenu = { readonly submenuId: string; readonly label: string };

export type AurionHomePage = {
  readonly viewState: string;
  /** The hidden `form:idInit` echoed in later posts (Aurion ≥ 2024), undefined on older versions. */
  readonly idInit: string | undefined;
  readonly leaves: readonly AurionMenuLeaf[];
  readonly submenus: readonly AurionSubmenu[];
  /** The remote command that loads a lazy submenu (`chargerSousMenu`), when the page has one. */
  readonly submenuCommandId: string | undefined;
};

export type AurionPlanningPage = {
  readonly viewState: string;
  readonly idInit: string | undefined;
  readonly scheduleId: string;
};

/** What a partial-response (or whatever came back instead) means for the session. */
export type AurionPartialInspection =
  | {
      readonly kind: 'schedule';
      readonly updateId: string;
      readonly json: string;
      readonly viewState: string | undefined;
    }
  | { readonly kind: 'missing'; readonly viewState: string | undefined }
  | { readonly kind: 'sidebar'; readonly html: string; readonly viewState: string | undefined }
  | { readonly kind: 'view_expired' }
  | { readonly kind: 'error'; readonly name: string }
  | { readonly kind: 'redirect'; readonly url: string }
  | { readonly kind: 'login_page' }
  | { readonly kind: 'truncated' }
  | { readonly kind: 'not_partial' };

export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return NAMED_ENTITIES[lower] ?? entity;
  });
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  eacute: 'é',
  egrave: 'è',
  ecirc: 'ê',
  agrave: 'à',
  acirc: 'â',
  ccedil: 'ç',
  ocirc: 'ô',
  ucirc: 'û',
  icirc: 'î',
};

function readAttribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(tag);
  if (match === null) return undefined;
  return decodeHtmlEntities(match[1] ?? match[2] ?? '');
}

function findInputTags(html: string): string[] {
  return html.match(/<input\b[^>]*>/gi) ?? [];
}

/** The value of the hidden input called `name` (first one), undefined when absent. */
export function findHiddenInputValue(html: string, name: string): string | undefined {
  for (const tag of findInputTags(html)) {
    if (readAttribute(tag, 'name') === name) return readAttribute(tag, 'value') ?? '';
  }
  return undefined;
}

export function isAurionLoginPage(html: string): boolean {
  const hasPassword = findInputTags(html).some(
    (tag) => readAttribute(tag, 'name')?.toLowerCase() === 'password',
  );
  return hasPassword || INVALID_LOGIN.test(html);
}

export function hasInvalidLoginMessage(html: string): boolean {
  return INVALID_LOGIN.test(html);
}

/**
 * The submit button of the login form: its name is sent with an empty value (`j_idt28` at Junia,
 * `j_idt27` at ECAM, none at ISEN Ouest), so it is read from the page rather than configured.
 */
export function findLoginButtonName(html: string): string | undefined {
  const tags = html.match(/<(?:button|input)\b[^>]*>/gi) ?? [];
  for (const tag of tags) {
    const isButton = /^<button/i.test(tag);
    const type = readAttribute(tag, 'type')?.toLowerCase() ?? (isButton ? 'submit' : 'text');
    const name = readAttribute(tag, 'name');
    if (type === 'submit' && name !== undefined && name !== '') return name;
  }
  return undefined;
}

/** Leaves of the sidebar: anchors submitting `form:sidebar_menuid`, with their visible label. */
export function parseSidebarLeaves(html: string): AurionMenuLeaf[] {
  const leaves: AurionMenuLeaf[] = [];
  const pattern = /['"]form:sidebar_menuid['"]\s*:\s*['"]([^'"]+)['"]/g;
  const matches = [...html.matchAll(pattern)];
  for (const [index, match] of matches.entries()) {
    const from = match.index + match[0].length;
    const to = matches[index + 1]?.index ?? html.length;
    const label = /<span[^>]*class="[^"]*ui-menuitem-text[^"]*"[^>]*>([^<]*)<\/span>/i.exec(
      html.slice(from, to),
    );
    if (match[1] === undefined || label?.[1] === undefined) continue;
    leaves.push({ menuId: match[1], label: normalizeLabel(label[1]) });
  }
  return leaves;
}

/** Lazy parents of the sidebar: an element with class `submenu_<N>` and its label. */
export function parseSidebarSubmenus(html: string): AurionSubmenu[] {
  const submenus: AurionSubmenu[] = [];
  const seen = new Set<string>();
  const pattern = /class="[^"]*\bsubmenu_(\d+)\b[^"]*"/g;
  const matches = [...html.matchAll(pattern)];
  for (const [index, match] of matches.entries()) {
    const id = match[1];
    if (id === undefined || seen.has(id)) continue;
    const from = match.index + match[0].length;
    const to = matches[index + 1]?.index ?? html.length;
    const label = /<span[^>]*class="[^"]*ui-menuitem-text[^"]*"[^>]*>([^<]*)<\/span>/i.exec(
      html.slice(from, to),
    );
    seen.add(id);
    submenus.push({ submenuId: `submenu_${id}`, label: normalizeLabel(label?.[1] ?? '') });
  }
  return submenus;
}

function normalizeLabel(text: string): string {
  return decodeHtmlEntities(text).replace(/\s+/g, ' ').trim();
}

export function labelsMatch(a: string, b: string): boolean {
  const fold = (text: string) => normalizeLabel(text).normalize('NFC').toLocaleLowerCase('fr');
  return fold(a) === fold(b);
}

/** `chargerSousMenu = function() {PrimeFaces.ab({s:"form:j_idt52",…})}` → `form:j_idt52`. */
export function parseSubmenuCommandId(html: string): string | undefined {
  const match =
    /chargerSousMenu\s*=\s*function\s*\([^)]*\)\s*\{[^}]*?\bs\s*:\s*["']([^"']+)["']/.exec(html);
  return match?.[1];
}

export function parseHomePage(html: string): AurionHomePage | undefined {
  const viewState = findHiddenInputValue(html, VIEW_STATE_NAME);
  if (viewState === undefined || viewState === '') return undefined;
  return {
    viewState,
    idInit: findHiddenInputValue(html, 'form:idInit'),
    leaves: parseSidebarLeaves(html),
    submenus: parseSidebarSubmenus(html),
    submenuCommandId: parseSubmenuCommandId(html),
  };
}

/**
 * The Schedule component's client id drifts between releases (`form:j_idt117`, `j_idt118`,
 * `form:j_idt757:j_idt760`…): read it from the widget call or the `class="schedule"` div.
 */
export function parseScheduleId(html: string): string | undefined {
  const widget =
    /PrimeFaces\.cw\(\s*["']Schedule["']\s*,\s*["'][^"']*["']\s*,\s*\{\s*id\s*:\s*["']([^"']+)["']/.exec(
      html,
    );
  if (widget?.[1] !== undefined) return widget[1];
  for (const tag of html.match(/<div\b[^>]*>/gi) ?? []) {
    const classes = readAttribute(tag, 'class')?.split(/\s+/) ?? [];
    const id = readAttribute(tag, 'id');
    if (classes.includes('schedule') && id !== undefined && id !== '') return id;
  }
  return undefined;
}

export function parsePlanningPage(html: string): AurionPlanningPage | undefined {
  const viewState = findHiddenInputValue(html, VIEW_STATE_NAME);
  const scheduleId = parseScheduleId(html);
  if (viewState === undefined || viewState === '' || scheduleId === undefined) return undefined;
  return { viewState, idInit: findHiddenInputValue(html, 'form:idInit'), scheduleId };
}

type PartialUpdate = { readonly id: string; readonly content: string };

/** The `<update>` elements of a complete partial-response, CDATA sections joined. */
function readUpdates(xml: string): PartialUpdate[] {
  const updates: PartialUpdate[] = [];
  for (const match of xml.matchAll(/<update\s+id\s*=\s*"([^"]*)"\s*>([\s\S]*?)<\/update>/g)) {
    const inner = match[2] ?? '';
    const sections = [...inner.matchAll(/<!\[CDATA\[([\s\S]*?)\]\]>/g)].map((cdata) => cdata[1]);
    const content = sections.length > 0 ? sections.join('') : decodeHtmlEntities(inner);
    updates.push({ id: decodeHtmlEntities(match[1] ?? ''), content });
  }
  return updates;
}

/**
 * Classifies an answer to an ajax post. The schedule update is picked by id, else (an id drift the
 * page did not show yet) by the CDATA that starts with `{"events"`.
 */
export function inspectPartialResponse(
  text: string,
  scheduleId: string | undefined,
): AurionPartialInspection {
  if (!/<partial-response\b/.test(text)) {
    return isAurionLoginPage(text) ? { kind: 'login_page' } : { kind: 'not_partial' };
  }
  // assumption: the standard JSF ajax redirect may be how an expired session is answered.
  const redirect = /<redirect\s+url\s*=\s*"([^"]*)"/.exec(text);
  if (redirect !== null) return { kind: 'redirect', url: decodeHtmlEntities(redirect[1] ?? '') };
  const errorName = /<error-name>\s*([\s\S]*?)\s*<\/error-name>/.exec(text);
  if (errorName !== null) {
    const name = errorName[1] ?? '';
    return /ViewExpired/i.test(name) ? { kind: 'view_expired' } : { kind: 'error', name };
  }
  if (!/<\/partial-response>\s*$/.test(text)) return { kind: 'truncated' };
  const updates = readUpdates(text);
  const viewState = updates.find((update) => update.id.includes(VIEW_STATE_NAME))?.content.trim();
  const schedule =
    updates.find((update) => scheduleId !== undefined && update.id === scheduleId) ??
    updates.find((update) => /^\s*\{\s*"events"/.test(update.content));
  if (schedule !== undefined) {
    return { kind: 'schedule', updateId: schedule.id, json: schedule.content, viewState };
  }
  const sidebar = updates.find((update) => update.id === 'form:sidebar');
  if (sidebar !== undefined) return { kind: 'sidebar', html: sidebar.content, viewState };
  return { kind: 'missing', viewState };
}

const scheduleEventSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  title: z.string().default(''),
  start: z.string().min(1),
  end: z.string().optional(),
  allDay: z.boolean().optional(),
  className: z.string().optional(),
  description: z.string().optional(),
});

const scheduleSchema = z.object({ events: z.array(z.unknown()) });

export type AurionParseOptions = {
  /** Host used in UIDs: `<id>@<host>`. */
  readonly host: string;
  readonly titleStrategy: AurionTitleStrategy;
  /** Zone for times written without an offset. */
  readonly timeZone: string;
};

/**
 * The CDATA of the schedule update: PrimeFaces' `{"events" : [ … ]}`. One bad event is an issue;
 * a body that is not that JSON at all throws `scraper.parse_failed`.
 */
export function parseScheduleJson(
  json: string,
  options: AurionParseOptions,
): { events: TimetableEvent[]; issues: ParseIssue[] } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new AppError('scraper.parse_failed', 'aurion schedule data is not valid JSON', { cause });
  }
  const parsed = scheduleSchema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('scraper.parse_failed', 'aurion schedule data has no events list');
  }
  const events: TimetableEvent[] = [];
  const issues: ParseIssue[] = [];
  for (const [index, item] of parsed.data.events.entries()) {
    const event = scheduleEventSchema.safeParse(item);
    if (!event.success) {
      issues.push({ code: 'aurion.event_invalid', message: `event #${index} has missing fields` });
      continue;
    }
    const built = toTimetableEvent(event.data, options);
    if (typeof built === 'string') issues.push({ code: 'aurion.event_invalid', message: built });
    else events.push(built);
  }
  return { events, issues };
}

type ScheduleEvent = z.output<typeof scheduleEventSchema>;

function toTimetableEvent(
  event: ScheduleEvent,
  options: AurionParseOptions,
): TimetableEvent | string {
  const allDay = event.allDay === true;
  const start = parseAurionDateTime(event.start, options.timeZone);
  if (start === undefined) return `event ${event.id} has an unreadable start "${event.start}"`;
  const end =
    event.end === undefined ? undefined : parseAurionDateTime(event.end, options.timeZone);
  if (event.end !== undefined && end === undefined) {
    return `event ${event.id} has an unreadable end "${event.end}"`;
  }
  let startsAt: Date;
  let endsAt: Date;
  if (allDay) {
    startsAt = new Date(Date.UTC(start.local.year, start.local.month - 1, start.local.day));
    endsAt =
      end === undefined
        ? new Date(startsAt.getTime() + 86_400_000)
        : new Date(Date.UTC(end.local.year, end.local.month - 1, end.local.day));
    if (endsAt <= startsAt) endsAt = new Date(startsAt.getTime() + 86_400_000);
  } else {
    if (end === undefined) return `event ${event.id} has no end`;
    startsAt = start.instant;
    endsAt = end.instant;
    if (endsAt < startsAt) return `event ${event.id} ends before it starts`;
  }
  const parts = parseAurionTitle(event.title, options.titleStrategy);
  const className = event.className?.trim() ?? '';
  const raw: Record<string, string> = {
    id: event.id,
    title: event.title,
    start: event.start,
    className,
    allDay: String(allDay),
  };
  if (event.end !== undefined) raw.end = event.end;
  return {
    uid: `${event.id}@${options.host}`,
    startsAt,
    endsAt,
    allDay,
    title: parts.title,
    location: parts.location,
    teacher: parts.teacher,
    description:
      parts.strategy === 'raw'
        ? (event.description?.trim() ?? '')
        : toTitleLines(event.title).join('\n'),
    status: 'confirmed',
    category: className !== '' ? className : parts.type,
    course: parts.course,
    groups: parts.groups,
    raw,
  };
}

type LocalDateTime = {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
};

/**
 * `2025-01-06T08:00:00+0100` (PrimeFaces' `yyyy-MM-dd'T'HH:mm:ssZ`); also `+01:00`, `Z`, and, as a
 * fallback, no offset at all (read in `timeZone`). The offset written is honoured as is.
 */
export function parseAurionDateTime(
  text: string,
  timeZone: string,
): { instant: Date; local: LocalDateTime } | undefined {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
      text.trim(),
    );
  if (match === null) return undefined;
  const local: LocalDateTime = {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4] ?? 0),
    minute: Number(match[5] ?? 0),
    second: Number(match[6] ?? 0),
  };
  if (local.month < 1 || local.month > 12 || local.day < 1 || local.day > 31) return undefined;
  const offset = match[7];
  const wallAsUtc = Date.UTC(
    local.year,
    local.month - 1,
    local.day,
    local.hour,
    local.minute,
    local.second,
  );
  if (offset === undefined) return { instant: zonedTimeToInstant(local, timeZone), local };
  if (offset === 'Z') return { instant: new Date(wallAsUtc), local };
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
  return { instant: new Date(wallAsUtc - offsetMinutes * 60_000), local };
}

/** The instant at which the wall clock of `timeZone` shows `local` (first one in a DST fold). */
export function zonedTimeToInstant(local: LocalDateTime, timeZone: string): Date {
  return wallClockToInstant(local, timeZone);
}

/** UTC offset of `timeZone` at `at`, in ms (Paris: 3 600 000 in winter). */
export function offsetMs(at: Date, timeZone: string): number {
  return zoneOffsetMs(at.getTime(), timeZone);
}

/** The local calendar date of `at` in `timeZone`. */
export function toZonedDate(
  at: Date,
  timeZone: string,
): { year: number; month: number; day: number } {
  const shifted = new Date(at.getTime() + offsetMs(at, timeZone));
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
  };
}
