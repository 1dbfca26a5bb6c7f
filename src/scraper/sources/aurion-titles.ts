/**
 * Aurion packs everything about a class into the event title; each school lays it out its own way
 * (docs/sources.md, "Aurion titles"). These pure functions pull course, type, room, teacher and groups out of it.
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

/** A class-type word heading a Junia title ("Cours", "TD"): a label, never a room. */
const TYPE_WORD =
  /^(?:cours(?: magistral)?|cm|td|tp|travaux (?:dirig|pratiq)\S*|ds|exam(?:en)?|partiel|(?:é|e)preuve|projet|ci|conf(?:é|e)rence)$/iu;
/**
 * What a room looks like when nothing else says it is one: a room word ("Salle 12", "Amphi Bleu")
 * or a room code ("B501", "ISEN A204", "U3-205"); "Niveau 2" or "B2" are not rooms.
 */
const ROOM_LIKE =
  /^(?:salle|amphi|amphith(?:é|e)(?:â|a)tre|labo|lab|room|b(?:â|a)t(?:iment)?|hall|gymnase|visio|distanciel)\b|^(?:(?:ISEN|HEI|ISA|JUNIA)\s+)?[A-Z]{0,3}\d?[-.]?\d{2,4}[A-Z]?$/iu;

/** A field that is a clock time or a time range ("08:00", "8h00", "08:00-10:00"): never a room. */
export function isTimeField(field: string): boolean {
  return /^\d{1,2}[:h]\d{2}(?:\s*-\s*\d{1,2}[:h]\d{2})?$/i.test(field.trim());
}

/** Aurion learner / promotion fields list several groups: split on " / ", "," and ";". */
export function splitLearners(text: string): string[] {
  return text
    .split(/\s+\/\s+|\s*[,;]\s*/)
    .map((part) => part.replace(/\s+/g, ' ').trim())
    .filter((part) => part !== '');
}

/** The room a Junia header line carries: after " - " ("Cours - ISEN B501"), or the line itself. */
function headerRoom(line: string): string {
  const separator = line.indexOf(ISEN_OUEST_SEPARATOR);
  if (separator >= 0) {
    const room = line.slice(separator + ISEN_OUEST_SEPARATOR.length).trim();
    return isTimeField(room) ? '' : room;
  }
  // A header that has no room yet ("Cours") is a label.
  return !TYPE_WORD.test(line) && ROOM_LIKE.test(line) && !isTimeField(line) ? line : '';
}

/**
 * Junia / Yncréa: newline-separated, anchored on the `HH:MM - HH:MM` line. Above it: the type,
 * then the course, then header lines (`<label> - <room>`); below it: the teacher, then groups and
 * promotions. Layouts seen (docs/sources.md): a 4-line header `Label - Room / Course / Type / Time`
 * (BDeliers 2018, the fixtures), a 3-line header `Course / Type / Time` (Junia Palantir 2026), and
 * a 3-line header whose course line ends with ` - Room` (no header left to hold the room).
 */
function parseJuniaTitle(lines: readonly string[]): AurionTitleParts | undefined {
  const timeIndex = lines.findIndex((line) => TIME_RANGE_LINE.test(line));
  if (timeIndex < 1 || lines.length < 3) return undefined;
  let course = timeIndex >= 2 ? (lines[timeIndex - 2] ?? '') : '';
  const type = lines[timeIndex - 1] ?? '';
  const teacherLine = lines[timeIndex + 1] ?? '';
  const header = lines.slice(0, Math.max(0, timeIndex - 2));
  const rooms = header.map(headerRoom).filter((room) => room !== '');
  if (header.length === 0 && course !== '') {
    // No header left: the room, if any, is at the end of the course line ("Maths - B201").
    const separator = course.lastIndexOf(ISEN_OUEST_SEPARATOR);
    const suffix =
      separator > 0 ? course.slice(separator + ISEN_OUEST_SEPARATOR.length).trim() : '';
    if (
      suffix !== '' &&
      ROOM_LIKE.test(suffix) &&
      !isTimeField(suffix) &&
      !TYPE_WORD.test(suffix)
    ) {
      rooms.push(suffix);
      course = course.slice(0, separator).trim();
    }
  }
  const groups = lines.slice(timeIndex + 2).flatMap(splitLearners);
  return {
    strategy: 'junia',
    title: course !== '' ? course : type,
    course,
    type,
    location: rooms.join(', '),
    teacher: isTimeField(teacherLine) ? '' : teacherLine,
    groups,
  };
}

/**
 * ISEN Ouest: one line of " - " separated fields: the room is the first field after the leading
 * time fields (one `HH:MM` in dd060606's layout, `HH:MM - HH:MM` in others); subject n-4 and title
 * n-3 (n-6 and n-4 when there are 9 fields or more); instructors n-2; learners n-1, a list
 * (`CIR1 Nantes 2026-2027 / CEST1 Nantes 2026-2027`). A time is never taken for a room.
 */
function parseIsenOuestTitle(lines: readonly string[]): AurionTitleParts | undefined {
  if (lines.length !== 1) return undefined;
  const fields = (lines[0] ?? '').split(ISEN_OUEST_SEPARATOR).map((field) => field.trim());
  let leading = 0;
  while (leading < fields.length && isTimeField(fields[leading] ?? '')) leading += 1;
  const n = fields.length;
  if (n < ISEN_OUEST_MIN_FIELDS) return undefined;
  const at = (index: number) => fields[index] ?? '';
  const courseIndex = n >= 9 ? n - 6 : n - 4;
  const course = at(courseIndex);
  const title = n >= 9 ? at(n - 4) : at(n - 3);
  // The room follows the leading time fields (field 1 when the first field is something else).
  // A room-less title (English Aurion) has the class type there: a type word is never a room.
  const roomIndex = leading === 0 ? 1 : leading;
  const candidate = roomIndex < courseIndex ? at(roomIndex) : '';
  const roomless = TYPE_WORD.test(candidate) || isTimeField(candidate);
  const room = roomless ? '' : candidate;
  const typeIndex = roomless ? roomIndex : roomIndex + 1;
  const type = typeIndex < courseIndex && TYPE_WORD.test(at(typeIndex)) ? at(typeIndex) : '';
  return {
    strategy: 'isen-ouest',
    title: title !== '' ? title : course,
    course,
    type,
    location: room,
    teacher: at(n - 2),
    groups: splitLearners(at(n - 1)),
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
