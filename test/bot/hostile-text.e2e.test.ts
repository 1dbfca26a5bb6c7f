/**
 * Hostile text through the fake Discord and the real discord.js client: oversized option values
 * (Discord's clients enforce max_length, a crafted request need not) and school text that tries
 * to pass for the bot's own words (masked links, timestamps, mentions, bidi controls).
 */
import { describe, expect, it } from 'vitest';
import { toDiscordUserId } from '../../src/core/index.ts';
import { option } from '../fake-discord/index.ts';
import { changeOf, createHarness, eventually, makeEvent, subscribeToAlerts } from './helpers.ts';

const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
/** A Markdown masked link Discord would render: `[text](http…)` with unescaped brackets. */
const MASKED_LINK = /(?<!\\)\[[^\]]*(?<!\\)\]\((?:<)?https?:/;
const CLICKABLE_URL = /https?:\/\//;

type Option = { name: string; type: number; max_length?: number; options?: Option[] };

function stringOptions(options: readonly Option[] | undefined): Option[] {
  return (options ?? []).flatMap((entry) =>
    entry.type === 3 ? [entry] : stringOptions(entry.options),
  );
}

describe('oversized input', () => {
  it('sets max_length on every free-text option (100 for names, 300 for a group list)', async () => {
    const h = await createHarness();
    const registered = h.fake.registeredCommands(h.fake.guild.id) as unknown as {
      name: string;
      options?: Option[];
    }[];
    const strings = registered.flatMap((command) =>
      stringOptions(command.options).map((entry) => ({ command: command.name, ...entry })),
    );
    expect(strings.length).toBeGreaterThan(0);
    for (const entry of strings) {
      expect(entry.max_length, `${entry.command} ${entry.name}`).toBeGreaterThan(0);
      expect(entry.max_length, `${entry.command} ${entry.name}`).toBeLessThanOrEqual(300);
    }
  });

  it('refuses a 3,000-character section with a short, escaped excerpt', async () => {
    const h = await createHarness();
    const huge = `[Clique ici](https://evil.example/) ${'x'.repeat(3_000)}`;
    const reply = await h.fake
      .injectCommand({
        name: 'subscribe',
        options: [option.string('section', huge)],
        context: h.fake.inGuild(h.fake.users.student),
      })
      .reply();
    expect(reply.content).toContain('Je ne connais pas la section');
    expect(reply.content).toContain('…');
    expect(reply.content.length).toBeLessThan(400);
    expect(reply.content).not.toMatch(MASKED_LINK);
    expect(reply.content).not.toMatch(CLICKABLE_URL);
    // Anything Discord would refuse (over 2,000 characters) fails the harness at the end.
  });
  it('quotes unknown groups as short, inert excerpts', async () => {
    const h = await createHarness();
    const hostile = `[click](https://evil.example/login) <@&1300000000000000007> @everyone \u202Eabc ${'y'.repeat(250)}`;
    const reply = await h.fake
      .injectCommand({
        name: 'subscribe',
        options: [option.string('section', 'info 1'), option.string('groups', hostile)],
        context: h.fake.inGuild(h.fake.users.student),
      })
      .reply();
    expect(reply.content).toContain('inconnu');
    expect(reply.content).not.toMatch(MASKED_LINK);
    // The reply carries the student's own feed link; the typed one must not be clickable.
    expect(reply.content).not.toMatch(/https?:\/\/evil/);
    expect(reply.content).not.toMatch(BIDI);
    expect(reply.content).not.toContain('<@&1300000000000000007>');
    expect(reply.content).not.toContain('@everyone');
    expect(reply.content).not.toContain('y'.repeat(100));
  });
});

describe('school text in alerts', () => {
  it('cannot spoof a link, a timestamp, a mention or the reading order', async () => {
    const h = await createHarness();
    const owner = toDiscordUserId(h.fake.users.student.id);
    subscribeToAlerts(h, owner, h.sectionId('info 1'));
    const added = makeEvent({
      uid: 'evil-1',
      title: '[Cours annulé, voir ici](https://evil.example/login) \u202Eelif.exe',
      location: '<t:1789365600:R> \u2066B12\u2069',
      teacher: '<@&123456789012345678> <https://evil.example>',
      startsAt: new Date('2026-09-14T10:00:00Z'),
    });
    h.recordChanges([
      { uid: added.uid, kinds: ['added'], before: undefined, after: added },
      changeOf('net-1', ['room'], { location: '[A01](http://evil.example)' }),
    ]);
    h.bot.notifier.notify();
    await eventually(() => h.bot.backlog() === 0, 'the alert');

    const channel = h.fake.channelMessages(h.fake.channels.alerts.id);
    const dm = h.fake.dmMessages(owner);
    expect(channel).toHaveLength(1);
    expect(dm).toHaveLength(1);
    for (const message of [...channel, ...dm]) {
      const text = message.embeds
        .flatMap((embed) => (embed.fields ?? []) as { value: string }[])
        .map((field) => field.value)
        .join('\n');
      expect(text).toContain('Cours annulé, voir ici');
      expect(text).toContain('elif.exe');
      expect(text).not.toMatch(MASKED_LINK);
      // The school's timestamp stays text (the bot's own are at other instants).
      expect(text).not.toMatch(/(?<!\\)<t:1789365600:R>/);
      expect(text).not.toMatch(/(?<!\\)<@&/);
      expect(text).not.toMatch(CLICKABLE_URL);
      expect(text).not.toMatch(BIDI);
      // The bot's own timestamps stay live.
      expect(text).toMatch(/<t:\d+:F>/);
    }
  });
});
