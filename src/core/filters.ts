import { z } from 'zod';
import type { TimetableEvent } from './domain.ts';
import { AppError } from './errors.ts';

/**
 * A student's personal view of a section: keep only their groups, hide some courses or class
 * types. An event that says nothing about a dimension is never hidden by it (a lecture without
 * group information stays, whatever groups are chosen).
 */
export type EventFilter = {
  /** Keep events of these groups (and events without group information); empty = all groups. */
  readonly groups: readonly string[];
  /** Hide events of these courses. */
  readonly hideCourses: readonly string[];
  /** Hide events of these class types (COURS, TD, TP, EXAMEN...); exams only when named. */
  readonly hideCategories: readonly string[];
};

export const EMPTY_FILTER: EventFilter = { groups: [], hideCourses: [], hideCategories: [] };

const MAX_VALUES = 50;
const value = z.string().trim().min(1).max(200);
const filterSchema = z
  .object({
    groups: z.array(value).max(MAX_VALUES).default([]),
    hideCourses: z.array(value).max(MAX_VALUES).default([]),
    hideCategories: z.array(value).max(MAX_VALUES).default([]),
  })
  .strict();

/** Untrusted input (JSON body, stored JSON) → a canonical filter; `filter.invalid` otherwise. */
export function parseEventFilter(input: unknown): EventFilter {
  const result = filterSchema.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.map(String).join('.') || 'filter'}: ${issue.message}`,
    );
    throw new AppError('filter.invalid', `invalid filter: ${problems.join('; ')}`, {
      publicMessage: problems.join('; '),
    });
  }
  return canonicalFilter(result.data);
}

/** Sorted, de-duplicated values: equal choices give equal keys (and share one rendered feed). */
export function canonicalFilter(filter: EventFilter): EventFilter {
  const clean = (values: readonly string[]) =>
    [...new Set(values.map((item) => item.trim()).filter((item) => item !== ''))].sort((a, b) =>
      a.localeCompare(b, 'fr'),
    );
  return {
    groups: clean(filter.groups),
    hideCourses: clean(filter.hideCourses),
    hideCategories: clean(filter.hideCategories),
  };
}

export function isEmptyFilter(filter: EventFilter): boolean {
  return (
    filter.groups.length === 0 &&
    filter.hideCourses.length === 0 &&
    filter.hideCategories.length === 0
  );
}

/** A stable key of the filter ('' for no filter): the feed cache and the database use it. */
export function filterKey(filter: EventFilter): string {
  return isEmptyFilter(filter) ? '' : JSON.stringify(canonicalFilter(filter));
}

/** Stored JSON (or null) → filter; a corrupt value is treated as no filter rather than a 500. */
export function filterFromJson(json: string | null): EventFilter {
  if (json === null || json === '') return EMPTY_FILTER;
  try {
    return parseEventFilter(JSON.parse(json));
  } catch {
    return EMPTY_FILTER;
  }
}

export function filterToJson(filter: EventFilter): string | null {
  return isEmptyFilter(filter) ? null : filterKey(filter);
}

/** Case-, accent- and space-insensitive form of a label, for comparisons. */
export const foldText = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Groups an event is for: the source's group/learner fields, plus what title conventions say
 * ("TD1", "TP 2B", "Gr. 3", "Groupe A").
 */
export function groupsOf(event: Pick<TimetableEvent, 'groups' | 'title'>): string[] {
  const found = new Map<string, string>();
  const add = (group: string) => {
    const cleaned = group.replace(/\s+/g, ' ').trim();
    if (cleaned !== '' && !found.has(foldText(cleaned))) found.set(foldText(cleaned), cleaned);
  };
  for (const group of event.groups) add(group);
  for (const match of event.title.matchAll(/\b(TD|TP)\s?(\d{1,2}[A-Z]?)\b/g)) {
    add(`${match[1] ?? ''}${match[2] ?? ''}`);
  }
  for (const match of event.title.matchAll(/\b(?:gr(?:oupe|p)?\.?)\s?([A-Z0-9]{1,3})\b/gi)) {
    add(`Groupe ${(match[1] ?? '').toUpperCase()}`);
  }
  return [...found.values()];
}

/** A class type leading a title when the source has no type field ("TD Algo", "Examen : Algo"). */
const TITLE_TYPE = /^(CM|TD|TP|DS|EXAMEN|EXAM|PARTIEL)(?:\s*[:\-–]\s*|\s+)(\S.*)$/iu;
/**
 * A class type ending a title (ADE: "Optimisation - CM", "Pro. Imp. - TP2", "R1-08 GO DS"); a
 * group number may follow it.
 */
const TITLE_TYPE_TRAILING =
  /^(\S.*?)(?:\s*[:\-–]\s*|\s+)(CM|TD|TP|DS|EXAMEN|EXAM|PARTIEL)\d{0,2}[A-Z]?$/iu;

/** The type a title carries at its start or its end, and the title without it. */
function titleType(title: string): { type: string; rest: string } | undefined {
  const trimmed = title.trim();
  const leading = TITLE_TYPE.exec(trimmed);
  if (leading?.[1] !== undefined && leading[2] !== undefined) {
    return { type: leading[1], rest: leading[2] };
  }
  const trailing = TITLE_TYPE_TRAILING.exec(trimmed);
  if (trailing?.[1] !== undefined && trailing[2] !== undefined) {
    return { type: trailing[2], rest: trailing[1] };
  }
  return undefined;
}

/**
 * Long type names some exports write (Hyperplanning "Travaux dirigés") → the short type students
 * know, so a "TD" filter hides them; compared without case or accents.
 */
const TYPE_ALIASES: ReadonlyMap<string, string> = new Map([
  ['travaux diriges', 'TD'],
  ['travail dirige', 'TD'],
  ['travaux pratiques', 'TP'],
  ['travail pratique', 'TP'],
  ['cours magistral', 'CM'],
  ['cours magistraux', 'CM'],
]);

/**
 * The one exam type every source's exam maps to: Aurion's `est-epreuve` class and `Epreuve` type,
 * `DS`, `Examen`, `EXAM`, `Partiel` (filters, feeds and alerts all use it).
 */
export const EXAM_CATEGORY = 'EXAMEN';

const EXAM_WORDS = new Set([
  'est-epreuve',
  'epreuve',
  'epreuves',
  'ds',
  'examen',
  'examens',
  'exam',
  'exams',
  'partiel',
  'partiels',
]);

/** Does a type label name an exam ("DS", "Examen final", "COURS est-epreuve")? */
export function isExamLabel(label: string): boolean {
  const folded = foldText(label);
  if (folded === 'devoir surveille') return true;
  return folded.split(/[\s,;/_:()]+/).some((word) => EXAM_WORDS.has(word));
}

/** A type label compared without case or accents, long names as their short type. */
const typeKey = (label: string): string => foldText(TYPE_ALIASES.get(foldText(label)) ?? label);

/** An exam: its type says so, or (no type field) a leading or trailing word of its title does. */
export function isExam(event: Pick<TimetableEvent, 'category' | 'title'>): boolean {
  const category = event.category.trim();
  if (category !== '') return isExamLabel(category);
  const fromTitle = titleType(event.title)?.type;
  return fromTitle !== undefined && isExamLabel(fromTitle);
}

/** The course an event belongs to: its parsed course, else its title without its type. */
export function courseOf(event: Pick<TimetableEvent, 'course' | 'title'>): string {
  const course = event.course.trim();
  const title = course === '' ? (titleType(event.title)?.rest ?? event.title) : course;
  return title.replace(/\s+/g, ' ').trim();
}

/**
 * The class type: the exam type, else the source's field (long names such as "Travaux dirigés"
 * as their short type), else a type leading or ending the title, else ''.
 */
export function categoryOf(event: Pick<TimetableEvent, 'category' | 'title'>): string {
  if (isExam(event)) return EXAM_CATEGORY;
  const category = event.category.trim();
  if (category !== '') return TYPE_ALIASES.get(foldText(category)) ?? category.toUpperCase();
  return (titleType(event.title)?.type ?? '').toUpperCase();
}

export function matchesFilter(event: TimetableEvent, filter: EventFilter): boolean {
  if (filter.groups.length > 0) {
    const groups = groupsOf(event);
    if (groups.length > 0) {
      const wanted = new Set(filter.groups.map(foldText));
      if (!groups.some((group) => wanted.has(foldText(group)))) return false;
    }
  }
  if (filter.hideCourses.length > 0) {
    const hidden = new Set(filter.hideCourses.map(foldText));
    if (hidden.has(foldText(courseOf(event)))) return false;
  }
  if (filter.hideCategories.length > 0) {
    const category = categoryOf(event);
    // An exam is hidden only when exams themselves were hidden (EXAMEN, DS, Partiel…), never
    // because its source also calls it a TD or a COURS.
    const hidden =
      category === EXAM_CATEGORY
        ? filter.hideCategories.some(isExamLabel)
        : category !== '' &&
          filter.hideCategories.some((item) => typeKey(item) === typeKey(category));
    if (hidden) return false;
  }
  return true;
}

export function applyFilter<T extends TimetableEvent>(
  events: readonly T[],
  filter: EventFilter,
): T[] {
  return isEmptyFilter(filter)
    ? [...events]
    : events.filter((event) => matchesFilter(event, filter));
}

export type FilterOption = { readonly value: string; readonly count: number };

export type FilterOptions = {
  readonly groups: readonly FilterOption[];
  readonly courses: readonly FilterOption[];
  readonly categories: readonly FilterOption[];
};

/** The values a student can choose from in a section, most frequent first (pure). */
export function deriveFilterOptions(events: readonly TimetableEvent[]): FilterOptions {
  const groups = new Map<string, FilterOption>();
  const courses = new Map<string, FilterOption>();
  const categories = new Map<string, FilterOption>();
  const count = (target: Map<string, FilterOption>, label: string) => {
    if (label === '') return;
    const key = foldText(label);
    const current = target.get(key);
    target.set(key, { value: current?.value ?? label, count: (current?.count ?? 0) + 1 });
  };
  for (const event of events) {
    for (const group of groupsOf(event)) count(groups, group);
    count(courses, courseOf(event));
    count(categories, categoryOf(event));
  }
  const sorted = (map: Map<string, FilterOption>) =>
    [...map.values()].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value, 'fr'));
  return { groups: sorted(groups), courses: sorted(courses), categories: sorted(categories) };
}

/** One line saying which filter applies (calendar descriptions, replies). */
export function describeFilter(filter: EventFilter, locale: 'fr' | 'en' = 'fr'): string {
  if (isEmptyFilter(filter)) return locale === 'fr' ? 'Aucun filtre' : 'No filter';
  const parts: string[] = [];
  if (filter.groups.length > 0) {
    parts.push(`${locale === 'fr' ? 'groupes' : 'groups'} ${filter.groups.join(', ')}`);
  }
  if (filter.hideCourses.length > 0) {
    parts.push(
      `${locale === 'fr' ? 'cours masqués' : 'hidden courses'} ${filter.hideCourses.join(', ')}`,
    );
  }
  if (filter.hideCategories.length > 0) {
    parts.push(
      `${locale === 'fr' ? 'types masqués' : 'hidden types'} ${filter.hideCategories.join(', ')}`,
    );
  }
  return `${locale === 'fr' ? 'Filtre :' : 'Filter:'} ${parts.join(locale === 'fr' ? ' ; ' : '; ')}`;
}
