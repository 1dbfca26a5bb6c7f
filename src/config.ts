import { isIP } from 'node:net';
import { z } from 'zod';
import { AppError } from './core/errors.ts';
import {
  describeSectionSource,
  redactUrlCredentials,
  toSectionKey,
  type SectionSource,
  type SectionSpec,
} from './core/domain.ts';

/** Shipped with the repository so a first run has something to serve. */
export const DEMO_SECTIONS = 'Demo:file:./samples/demo.ics';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const seconds = (fallback: number, min = 1) => z.coerce.number().int().min(min).default(fallback);
const port = z.coerce.number().int().min(0).max(65_535);
const optionalText = z.string().min(1).optional();
const httpUrl = z
  .string()
  .refine((value) => /^https?:\/\/[^\s]+$/i.test(value) && URL.canParse(value), {
    message: 'expected an http:// or https:// URL',
  });
const snowflake = z
  .string()
  .regex(/^\d{15,22}$/, 'expected a Discord id (a number of 15 to 22 digits)');
/** A yes/no setting (exported for settings that need one). */
export const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

/**
 * Which reverse proxies are trusted for X-Forwarded-For: off, a hop count (`true` = 1), or a list
 * of proxy addresses / CIDRs. Never "every hop": then a client picks its own address by sending one.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((value, context): false | number | string[] => {
    const lower = value.toLowerCase();
    if (['', 'false', '0', 'no', 'off'].includes(lower)) return false;
    if (['true', 'yes', 'on'].includes(lower)) return 1;
    if (/^\d{1,2}$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    const bad = entries.find((entry) => !isAddressOrCidr(entry));
    if (bad !== undefined) {
      context.addIssue({
        code: 'custom',
        message: `expected false, a hop count, or proxy addresses/CIDRs separated by commas (not "${bad}")`,
      });
      return z.NEVER;
    }
    return entries;
  });

function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Every environment variable the app reads, keyed by its name so that an error names the variable
 * an operator must fix. Defaults live here and nowhere else.
 */
export const envSchema = z.object({
  // sections and scraping
  SECTIONS: z.string().min(1).default(DEMO_SECTIONS),
  // No schema default here: an unset SCRAPE_INTERVAL must let IPP's DOWNLOAD_INTERVAL through.
  SCRAPE_INTERVAL: z.coerce.number().int().min(10).optional(),
  DOWNLOAD_INTERVAL: z.coerce.number().int().min(10).optional(),
  SCRAPE_TIMEOUT: seconds(30),
  SCRAPE_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  SCRAPE_USER_AGENT: optionalText,
  SCRAPE_HORIZON_DAYS: z.coerce.number().int().min(1).max(3660).default(365),
  SCRAPE_DROP_CONFIRMATIONS: z.coerce.number().int().min(1).max(100).default(3),
  SCRAPE_BACKOFF_MAX: seconds(3600),
  TIMEZONE: z
    .string()
    .default('Europe/Paris')
    .refine(isTimeZone, { message: 'expected an IANA time zone such as Europe/Paris' }),
  SECTION_TIMEZONES: optionalText,
  // storage and logs
  DATABASE_PATH: z.string().min(1).default('./data/planning-proxy.db'),
  RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  // feed server
  HOST: optionalText,
  FLASK_HOST: optionalText,
  PORT: port.optional(),
  FLASK_PORT: port.optional(),
  PUBLIC_URL: httpUrl.optional(),
  TRUST_PROXY: trustProxy.default(false),
  ADMIN_STATIC_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  STALE_AFTER: seconds(3600),
  CANCELLED_RETENTION_DAYS: z.coerce.number().int().min(0).default(7),
  FEED_RATE_LIMIT: z.coerce.number().int().min(1).default(120),
  FEED_NOT_FOUND_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
  // webdbf (IMT Mines Alès), IPP's names
  LOGIN_URL: httpUrl.default('https://webdfd.mines-ales.fr/planning-eleves/login/login.php'),
  WEBDBF_ICS_BASE_URL: httpUrl.default(
    'https://webdfd.mines-ales.fr/planning-eleves/index.php?url=ics/',
  ),
  WEB_USERNAME: optionalText,
  WEB_PASSWORD: optionalText,
  // Aurion (Junia and other Auriga schools)
  AURION_URL: httpUrl.optional(),
  AURION_USERNAME: optionalText,
  AURION_PASSWORD: optionalText,
  AURION_WEEKS_BEFORE: z.coerce.number().int().min(0).max(52).default(1),
  AURION_WEEKS_AFTER: z.coerce.number().int().min(1).max(104).default(26),
  AURION_PLANNING_LABEL: z.string().min(1).default('Mon Planning'),
  AURION_CHUNK_WEEKS: z.coerce.number().int().min(1).max(26).default(4),
  AURION_REQUEST_DELAY_MS: z.coerce.number().int().min(0).default(400),
  AURION_TITLE_STRATEGY: z.enum(['auto', 'junia', 'isen-ouest', 'raw']).default('auto'),
  // Discord
  DISCORD_TOKEN: optionalText,
  DISCORD_API_URL: httpUrl.default('https://discord.com/api'),
  DISCORD_GUILD_ID: snowflake.optional(),
  DISCORD_ADMIN_ROLE_IDS: z
    .string()
    .optional()
    .transform((value) => splitList(value))
    .pipe(z.array(snowflake)),
  ALERTS_CHANNEL_ID: snowflake.optional(),
  ALERT_WINDOW_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  // Docker: set by the image, win over HOST/FLASK_HOST, PORT/FLASK_PORT and DATABASE_PATH
  CONTAINER_HOST: optionalText,
  CONTAINER_PORT: port.optional(),
  CONTAINER_DATABASE_PATH: optionalText,
});

/** What a number variable counts, so that "abc" gets an error a person can act on. */
const NUMBER_MEANINGS: Partial<Record<keyof typeof envSchema.shape, string>> = {
  SCRAPE_INTERVAL: 'a number of seconds, such as 300',
  DOWNLOAD_INTERVAL: 'a number of seconds, such as 300',
  SCRAPE_TIMEOUT: 'a number of seconds, such as 30',
  SCRAPE_BACKOFF_MAX: 'a number of seconds, such as 3600',
  STALE_AFTER: 'a number of seconds, such as 3600',
  SCRAPE_MAX_BYTES: 'a number of bytes, such as 10485760',
  PORT: 'a port number, such as 3000',
  FLASK_PORT: 'a port number, such as 5000',
};

/** A schema issue as one line naming its variable; whole numbers get a plain-words message. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const name = issue.path.map(String).join('.') || 'environment';
  if (issue.code === 'invalid_type' && (issue.expected === 'number' || issue.expected === 'int')) {
    const meaning = NUMBER_MEANINGS[name as keyof typeof envSchema.shape] ?? 'a whole number';
    return `${name}: expected ${meaning}`;
  }
  return `${name}: ${issue.message}`;
}

export type Env = z.input<typeof envSchema>;
export const ENV_VARIABLES = Object.keys(
  envSchema.shape,
) as readonly (keyof typeof envSchema.shape)[];

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.output<typeof envSchema>, sections: readonly SectionSpec[]) {
  const host = env.CONTAINER_HOST ?? env.HOST ?? env.FLASK_HOST ?? '127.0.0.1';
  const listenPort = env.CONTAINER_PORT ?? env.PORT ?? env.FLASK_PORT ?? 3000;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    logLevel: env.LOG_LEVEL,
    timeZone: env.TIMEZONE,
    sections,
    /** SECTIONS was not set: the demo section is served. */
    demo: env.SECTIONS === DEMO_SECTIONS,
    database: {
      path: env.CONTAINER_DATABASE_PATH ?? env.DATABASE_PATH,
      retentionDays: env.RETENTION_DAYS,
    },
    scraper: {
      intervalSeconds: env.SCRAPE_INTERVAL ?? env.DOWNLOAD_INTERVAL ?? 300,
      timeoutMs: env.SCRAPE_TIMEOUT * 1000,
      maxBytes: env.SCRAPE_MAX_BYTES,
      userAgent:
        env.SCRAPE_USER_AGENT ??
        'PlanningProxy/0.1 (timetable proxy for students; polite: one request at a time)',
      horizonDays: env.SCRAPE_HORIZON_DAYS,
      dropConfirmations: env.SCRAPE_DROP_CONFIRMATIONS,
      backoffMaxMs: env.SCRAPE_BACKOFF_MAX * 1000,
    },
    webdbf: {
      loginUrl: env.LOGIN_URL,
      icsBaseUrl: env.WEBDBF_ICS_BASE_URL,
      username: env.WEB_USERNAME,
      password: env.WEB_PASSWORD,
    },
    aurion: {
      url: env.AURION_URL,
      username: env.AURION_USERNAME,
      password: env.AURION_PASSWORD,
      weeksBefore: env.AURION_WEEKS_BEFORE,
      weeksAfter: env.AURION_WEEKS_AFTER,
      planningLabel: env.AURION_PLANNING_LABEL,
      chunkWeeks: env.AURION_CHUNK_WEEKS,
      requestDelayMs: env.AURION_REQUEST_DELAY_MS,
      titleStrategy: env.AURION_TITLE_STRATEGY,
    },
    feed: {
      host,
      port: listenPort,
      publicUrl: (env.PUBLIC_URL ?? `http://${shownHost}:${listenPort}`).replace(/\/+$/, ''),
      trustProxy: env.TRUST_PROXY,
      staleAfterMs: env.STALE_AFTER * 1000,
      cancelledRetentionMs: env.CANCELLED_RETENTION_DAYS * 86_400_000,
      rateLimitPerMinute: env.FEED_RATE_LIMIT,
      notFoundRateLimitPerMinute: env.FEED_NOT_FOUND_RATE_LIMIT,
    },
    admin: { token: env.ADMIN_STATIC_TOKEN },
    discord: {
      token: env.DISCORD_TOKEN,
      apiUrl: env.DISCORD_API_URL.replace(/\/+$/, ''),
      guildId: env.DISCORD_GUILD_ID,
      adminRoleIds: env.DISCORD_ADMIN_ROLE_IDS,
      alertsChannelId: env.ALERTS_CHANNEL_ID,
      alertWindowDays: env.ALERT_WINDOW_DAYS,
    },
  };
}

/**
 * Pure: entry points pass `process.env`; nothing else reads it. Empty values count as unset (as in
 * a `.env` with `NAME=`). Throws `config.invalid` listing every problem, each naming its variable.
 */
export function parseConfig(rawEnv: Readonly<Record<string, string | undefined>>): Config {
  const env: Record<string, string> = {};
  for (const name of ENV_VARIABLES) {
    const value = rawEnv[name]?.trim();
    if (value !== undefined && value !== '') env[name] = value;
  }
  const problems: string[] = [];
  const result = envSchema.safeParse(env);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(describeIssue(issue));
  }
  const sections = withSectionTimeZones(
    parseSections(env.SECTIONS ?? DEMO_SECTIONS, problems),
    env.SECTION_TIMEZONES,
    problems,
  );
  problems.push(...checkSources(env, sections));
  if (!result.success || problems.length > 0) {
    throw new AppError('config.invalid', `invalid configuration:\n  ${problems.join('\n  ')}`, {
      publicMessage: problems.join('\n'),
    });
  }
  return Object.freeze(toConfig(result.data, sections));
}

/**
 * `NAME:SPEC,...`, split at the first colon. SPEC: `ics:URL`, a bare http(s):// or webcal:// URL,
 * `file:PATH`, `aurion`, `webdbf:SUFFIX`, or any other text as a webdbf suffix (IPP's form).
 */
export function parseSections(value: string, problems: string[]): SectionSpec[] {
  const sections: SectionSpec[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of splitSectionEntries(value).entries()) {
    const text = entry.trim();
    if (text === '') continue;
    const colon = text.indexOf(':');
    const where = `SECTIONS: entry ${index + 1} ("${redactUrlCredentials(text)}")`;
    if (colon <= 0) {
      problems.push(`${where}: expected NAME:SPEC`);
      continue;
    }
    const name = text.slice(0, colon).trim();
    const spec = text.slice(colon + 1).trim();
    if (spec.startsWith('//')) {
      // `https://...` alone: split at its first colon it reads as a section named "https".
      problems.push(
        `SECTIONS: entry ${index + 1} looks like a URL without a name: write NAME:https://...`,
      );
      continue;
    }
    if (!/^[\p{L}\p{N}_ ][\p{L}\p{N}_ .'()+-]*$/u.test(name) || name.length > 64) {
      problems.push(
        `${where}: section name must be 1-64 letters, digits, spaces or _ . ' ( ) + - (not starting with a symbol)`,
      );
      continue;
    }
    const key = toSectionKey(name);
    if (seen.has(key)) {
      problems.push(`${where}: section name "${name}" is used twice (names ignore case)`);
      continue;
    }
    const source = parseSectionSource(spec);
    if (typeof source === 'string') {
      problems.push(`${where}: ${source}`);
      continue;
    }
    seen.add(key);
    sections.push({ key, name, source });
  }
  if (sections.length === 0 && problems.length === 0) {
    problems.push('SECTIONS: no section configured');
  }
  return sections;
}

/**
 * SECTION_TIMEZONES: comma-separated `NAME=ZONE` (`Réunion=Indian/Reunion`) giving a section its own
 * zone for floating times, for schools outside metropolitan France; the others use TIMEZONE.
 */
export function withSectionTimeZones(
  sections: readonly SectionSpec[],
  value: string | undefined,
  problems: string[],
): SectionSpec[] {
  const zones = new Map<string, string>();
  for (const entry of splitList(value)) {
    const equals = entry.lastIndexOf('=');
    const name = equals > 0 ? entry.slice(0, equals).trim() : '';
    const zone = equals > 0 ? entry.slice(equals + 1).trim() : '';
    const where = `SECTION_TIMEZONES: "${entry}"`;
    if (name === '' || zone === '') {
      problems.push(`${where}: expected NAME=ZONE`);
    } else if (!isTimeZone(zone)) {
      problems.push(`${where}: expected an IANA time zone such as Indian/Reunion`);
    } else if (!sections.some((section) => section.key === toSectionKey(name))) {
      problems.push(`${where}: no section "${name}" in SECTIONS`);
    } else {
      zones.set(toSectionKey(name), zone);
    }
  }
  return sections.map((section) => {
    const zone = zones.get(section.key);
    return zone === undefined ? section : { ...section, timeZone: zone };
  });
}

/**
 * Splits SECTIONS on commas, except commas inside a URL: a piece that does not start with
 * `NAME:` continues the previous entry (ADE links list resources as `resources=6193,6194`).
 */
export function splitSectionEntries(value: string): string[] {
  const entries: string[] = [];
  for (const piece of value.split(',')) {
    const previous = entries.at(-1);
    const startsEntry = /^\s*[^:/?&=#]+:/.test(piece);
    if (previous !== undefined && !startsEntry && previous.includes('://')) {
      entries[entries.length - 1] = `${previous},${piece}`;
    } else {
      entries.push(piece);
    }
  }
  return entries;
}

function parseSectionSource(spec: string): SectionSource | string {
  if (spec === '') return 'empty SPEC';
  const lower = spec.toLowerCase();
  if (lower.startsWith('ics:')) return toIcsSource(spec.slice(4).trim());
  if (/^(https?|webcal):\/\//i.test(spec)) return toIcsSource(spec);
  if (lower.startsWith('file:')) {
    const path = spec.slice(5).trim();
    return path === '' ? 'file: needs a path' : { kind: 'file', path };
  }
  if (lower === 'aurion') return { kind: 'aurion' };
  const urlLike = /^([a-z][a-z0-9+.-]*)(:?\/\/|:\/?(?!\/))/i.exec(spec);
  if (
    urlLike !== null &&
    (urlLike[2]?.includes('//') === true || /^(https?|webcal)$/i.test(urlLike[1] ?? ''))
  ) {
    // A URL typo (htps://, ftp://, webcal//, https:/) must not be read as a webdbf suffix.
    return `"${urlLike[1] ?? ''}${urlLike[2] ?? ''}" is not a supported URL scheme: write https://, http:// or webcal://`;
  }
  if (lower.startsWith('webdbf:')) {
    const suffix = spec.slice(7).trim();
    return suffix === ''
      ? 'webdbf: needs a suffix such as eleve/12345'
      : { kind: 'webdbf', suffix };
  }
  if (/\s/.test(spec)) return `"${spec}" is not a source (no spaces in a webdbf suffix)`;
  return { kind: 'webdbf', suffix: spec };
}

function toIcsSource(rawUrl: string): SectionSource | string {
  const url = rawUrl.replace(/^webcal:\/\//i, 'https://');
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url))
    return 'ics: needs an http(s) or webcal URL';
  return { kind: 'ics', url };
}

/** Runs on the raw values too, so missing credentials are listed with every other problem. */
function checkSources(
  env: Readonly<Record<string, string | undefined>>,
  sections: readonly SectionSpec[],
): string[] {
  const problems: string[] = [];
  const kinds = new Set(sections.map((section) => section.source.kind));
  if (kinds.has('webdbf')) {
    if (env.WEB_USERNAME === undefined) problems.push('WEB_USERNAME: required by webdbf sections');
    if (env.WEB_PASSWORD === undefined) problems.push('WEB_PASSWORD: required by webdbf sections');
  }
  if (kinds.has('aurion')) {
    if (env.AURION_URL === undefined) problems.push('AURION_URL: required by aurion sections');
    if (env.AURION_USERNAME === undefined)
      problems.push('AURION_USERNAME: required by aurion sections');
    if (env.AURION_PASSWORD === undefined)
      problems.push('AURION_PASSWORD: required by aurion sections');
  }
  return problems;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** A one-line summary with every secret left out, for the startup log. */
export function summarizeConfig(config: Config) {
  return {
    sections: config.sections.map((section) => ({
      name: section.name,
      source:
        section.source.kind === 'aurion'
          ? 'aurion'
          : `${section.source.kind} ${describeSectionSource(section.source)}`,
    })),
    intervalSeconds: config.scraper.intervalSeconds,
    database: config.database.path,
    feedUrl: config.feed.publicUrl,
    listen: `${config.feed.host}:${config.feed.port}`,
    adminApi: config.admin.token === undefined ? 'off' : 'on',
    bot: config.discord.token === undefined ? 'off' : 'on',
  };
}

/** Placeholders left in copied `.env` files (IPP's README and ours): anyone can guess them. */
const PLACEHOLDER_TOKEN =
  /^(votre|your|my|mon)[_-]|admin[_-]?static[_-]?token|change[_-]?(me|it|this)|replace[_-]?(me|this)|placeholder|example/i;

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|::1|localhost|\[::1\])$/i;

/**
 * One line per thing an operator most likely got wrong although the configuration is valid. Pure:
 * main.ts logs them at start. Never includes a secret.
 */
export function describeConfigWarnings(
  config: Config,
  rawEnv: Readonly<Record<string, string | undefined>>,
): string[] {
  const warnings: string[] = [];
  const raw = (name: string) => {
    const value = rawEnv[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const token = config.admin.token;
  if (token !== undefined && (PLACEHOLDER_TOKEN.test(token) || /^(.)\1+$/.test(token))) {
    warnings.push(
      'ADMIN_STATIC_TOKEN is still a placeholder anyone can guess: set a long random value (openssl rand -hex 32) or remove it to turn the admin API off',
    );
  }
  if (raw('PUBLIC_URL') === undefined && !LOOPBACK_HOST.test(config.feed.host)) {
    warnings.push(
      `listening on ${config.feed.host}:${config.feed.port} while PUBLIC_URL is unset: links handed out point at ${config.feed.publicUrl}, which students cannot reach; set PUBLIC_URL to the address they use (https://planning.example.org)`,
    );
  }
  const pins = [
    ['CONTAINER_HOST', ['HOST', 'FLASK_HOST'], 'the address is fixed in the container'],
    ['CONTAINER_PORT', ['PORT', 'FLASK_PORT'], 'publish another host port in docker-compose.yml'],
    ['CONTAINER_DATABASE_PATH', ['DATABASE_PATH'], 'the database lives in the /data volume'],
  ] as const;
  for (const [pin, names, advice] of pins) {
    const pinned = raw(pin);
    if (pinned === undefined) continue;
    for (const name of names) {
      const value = raw(name);
      if (value !== undefined && value !== pinned) {
        warnings.push(
          `${name}=${value} is ignored in the container, which uses ${pinned}: ${advice}`,
        );
      }
    }
  }
  return warnings;
}
