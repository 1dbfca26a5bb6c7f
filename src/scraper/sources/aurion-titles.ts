/**
 * Aurion packs everything about a class into the event title; each school lays it out its own way
 * (sources.md §1.7). These pure functions pull course, type, room, teacher and groups out of it.
 */

export type AurionTitleStrategy = 'auto' | 'junia' | 'isen-ouest' | 'raw';

export type AurionTitleParts = {
  /** Which layout was recognised ('raw' when none was). */
  readonly strategy: Exclude<AurionTitleStrategy, 'auto'>;
  readonly title: string;
  readonly course: string;
  /** Class type as written in the title ("Cours magistral"), '' when absent. */
  readonly type: string;
  readonly location: string;
  readonly teacher: string;
  readonly groups: readonly string[];
};

const TIME_RANGE_LINE = /^\d{1,2}[:h]\d{2}\s*-\s*\d{1,2}[:h]\d{2}$/i;
const ISEN_OUEST_SEPARATOR = ' - ';
const ISEN_OUEST_MIN_FIELDS = 5;

/** The title's lines, without zero-width characters (Aurion titles contain U+200B) or blank lines. */
export function toTitleLines(rawTitle: string): string[] {
  return rawTitle
    .replace(/[\u200B-\u200D\uFEFF]/g, '')
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '');
}

export function parseAurionTitle(
  rawTitle: string,
  strategy: AurionTitleStrategy,
): AurionTitleParts {
  const lines = toTitleLines(rawTitle);
  switch (strategy) {
    case 'junia':
      return parseJuniaTitle(lines) ?? parseRawTitle(lines);
    case 'isen-ouest':
      return parseIsenOuestTitle(lines) ?? parseRawTitle(lines);
    case 'raw':
      return parseRawTitle(lines);
    case 'auto':
      return parseJuniaTitle(lines) ?? parseIsenOuestTitle(lines) ?? parseRawTitle(lines);
  }
}

/**
 * Junia / Yncréa: newline-separated, anchored on the `HH:MM - HH:MM` line: course two lines above,
 * type one above, teacher one below, then groups / promotion lines (Junia Palantir, 2026).
 */
function parseJuniaTitle(lines: readonly string[]): AurionTitleParts | undefined {
  const timeIndex = lines.findIndex((line) => TIME_RANGE_LINE.test(line));
  if (timeIndex < 1 || lines.length < 3) return undefined;
  const course = timeIndex >= 2 ? (lines[timeIndex - 2] ?? '') : '';
  const type = lines[timeIndex - 1] ?? '';
  const teacher = lines[timeIndex + 1] ?? '';
  // assumption: lines above the course hold "<label> - <room>" (BDeliers, 2018); no recent sample.
  const header = lines.slice(0, Math.max(0, timeIndex - 2));
  const location = header
    .map((line) => {
      const separator = line.indexOf(ISEN_OUEST_SEPARATOR);
      return separator >= 0 ? line.slice(separator + ISEN_OUEST_SEPARATOR.length).trim() : line;
    })
    .filter((line) => line !== '')
    .join(', ');
  const groups = lines.slice(timeIndex + 2);
  return {
    strategy: 'junia',
    title: course !== '' ? course : type,
    course,
    type,
    location,
    teacher,
    groups,
  };
}

/**
 * ISEN Ouest: one line of " - " separated fields: room is field 1; subject n-4 and title n-3 (n-6
 * and n-4 when there are 9 fields or more); instructors n-2; learners n-1 (dd060606).
 */
function parseIsenOuestTitle(lines: readonly string[]): AurionTitleParts | undefined {
  if (lines.length !== 1) return undefined;
  const fields = (lines[0] ?? '').split(ISEN_OUEST_SEPARATOR).map((field) => field.trim());
  const n = fields.length;
  if (n < ISEN_OUEST_MIN_FIELDS) return undefined;
  const at = (index: number) => fields[index] ?? '';
  const course = n >= 9 ? at(n - 6) : at(n - 4);
  const title = n >= 9 ? at(n - 4) : at(n - 3);
  const learners = at(n - 1);
  return {
    strategy: 'isen-ouest',
    title: title !== '' ? title : course,
    course,
    type: '',
    location: at(1),
    teacher: at(n - 2),
    groups: learners === '' ? [] : [learners],
  };
}

/** What the seed exporters do: the whole title, lines joined. */
function parseRawTitle(lines: readonly string[]): AurionTitleParts {
  return {
    strategy: 'raw',
    title: lines.join(' - '),
    course: '',
    type: '',
    location: '',
    teacher: '',
    groups: [],
  };
}
