import {
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  type APIEmbed,
} from 'discord.js';
import type { SectionRow } from '../../db/index.ts';
import { describeHeld, type HeldState } from '../../core/index.ts';
import type { Command, CommandContext } from '../command.ts';
import type { Messages } from '../messages.ts';
import { commandTexts } from '../messages.ts';
import { discordTime } from '../time.ts';
import { issueAdminLoginLink, LOGIN_LINK_TTL_MS } from '../../web/admin-session.ts';

const MAX_FIELDS = 25;
const STATUS_COLOR = 0x2ecc71;
const DAY_MS = 86_400_000;

export type SectionStatus = {
  readonly section: SectionRow;
  readonly activeLinks: number;
  readonly fetches24h: number;
  readonly lastChangeAt: Date | undefined;
  /** The latest scrape was held by the change guard. */
  readonly held?: HeldState | undefined;
};

function formatBytes(bytes: number | undefined, t: Messages): string {
  if (bytes === undefined) return t.statusUnknownSize;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function relative(at: Date | null | undefined, fallback: string): string {
  return at == null ? fallback : discordTime(at, 'R');
}

/** Pure: the /status embed. */
export function renderStatus(input: {
  sections: readonly SectionStatus[];
  version: string;
  startedAt: Date;
  databaseBytes: number | undefined;
  backlog: number;
  t: Messages;
}): APIEmbed {
  const { t } = input;
  const shown = input.sections.slice(0, MAX_FIELDS);
  const fields = shown.map(({ section, activeLinks, fetches24h, lastChangeAt, held }) => ({
    name: section.name,
    value: [
      `${t.statusLastSuccess} : ${relative(section.lastSuccessAt, t.statusNever)}`,
      `${t.statusLastError} : ${
        section.lastErrorCode === null
          ? t.statusNone
          : `\`${section.lastErrorCode}\` ${relative(section.lastErrorAt, '')}`.trim()
      }`,
      `${t.statusFailures} : ${section.consecutiveFailures}`,
      `${t.statusNextRun} : ${relative(section.nextRunAt, t.statusNone)}`,
      `${t.statusEvents} : ${section.eventCount}`,
      `${t.statusLinks} : ${activeLinks}`,
      `${t.statusFetches} : ${fetches24h}`,
      `${t.statusLastChange} : ${relative(lastChangeAt ?? section.contentChangedAt, t.statusNone)}`,
      ...(section.truncated ? [t.statusTruncated] : []),
      ...(held === undefined ? [] : [t.statusHeld(held.reason, held.confirmationsRemaining)]),
    ].join('\n'),
  }));
  const hidden = input.sections.length - shown.length;
  return {
    title: t.statusTitle,
    color: STATUS_COLOR,
    description: [
      t.statusSummary(
        input.version,
        discordTime(input.startedAt, 'R'),
        formatBytes(input.databaseBytes, t),
        input.backlog,
      ),
      hidden > 0 ? t.statusMoreSections(hidden) : '',
    ]
      .filter((line) => line !== '')
      .join('\n'),
    fields,
  };
}

export function collectStatus(context: CommandContext): SectionStatus[] {
  const { repositories, clock } = context.deps;
  const links = repositories.feedTokens.countActiveBySection();
  const fetches = repositories.botState.feedHitsSince(new Date(clock.now().getTime() - DAY_MS));
  return repositories.sections.list().map((section) => ({
    section,
    activeLinks: links.get(section.id) ?? 0,
    fetches24h: fetches.get(section.id) ?? 0,
    lastChangeAt: repositories.changes.latest(section.id)?.changedAt,
    held: describeHeld(
      repositories.scrapeRuns.listRecent(section.id, 5).find((run) => run.status !== 'running'),
    ),
  }));
}

export const statusCommand = {
  admin: true,
  data: {
    name: 'status',
    description: commandTexts.status.fr,
    description_localizations: { 'en-US': commandTexts.status.en, 'en-GB': commandTexts.status.en },
    default_member_permissions: PermissionFlagsBits.ManageGuild.toString(),
    contexts: [InteractionContextType.Guild],
  },
  async execute(interaction, context) {
    const { deps, t } = context;
    // A one-time dashboard login link, in this private reply only (never logged).
    const login =
      deps.config.admin?.token === undefined
        ? undefined
        : issueAdminLoginLink({
            repositories: deps.repositories,
            clock: deps.clock,
            publicUrl: deps.config.feed.publicUrl,
          });
    await interaction.reply({
      ...(login === undefined
        ? {}
        : { content: t.statusDashboardLink(login.url, LOGIN_LINK_TTL_MS / 60_000) }),
      embeds: [
        renderStatus({
          sections: collectStatus(context),
          version: deps.version,
          startedAt: context.startedAt,
          databaseBytes: deps.databaseSizeBytes?.(),
          backlog: deps.repositories.alerts.countUndelivered(),
          t,
        }),
      ],
      flags: MessageFlags.Ephemeral,
    });
  },
} satisfies Command;
