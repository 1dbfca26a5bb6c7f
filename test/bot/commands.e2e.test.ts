import { describe, expect, it } from 'vitest';
import { CALLBACK_TYPE, option, PERMISSIONS, MEMBER_PERMISSIONS } from '../fake-discord/index.ts';
import type { FakeMessage, JsonObject } from '../fake-discord/index.ts';
import { createHarness, eventually, makeEvent, type Harness } from './helpers.ts';
import { filterToJson, heldMessage, parseEventFilter } from '../../src/core/index.ts';

const EPHEMERAL = 64;
const ADMIN_PERMISSIONS = MEMBER_PERMISSIONS | PERMISSIONS.manageGuild;

function feedUrlIn(content: string): string {
  const match = /http:\/\/127\.0\.0\.1:\d+\/feeds\/[0-9a-f]{64}\.ics/.exec(content);
  if (match === null) throw new Error(`no feed URL in: ${content}`);
  return match[0];
}

function linkButtons(message: FakeMessage): { label: string; url: string }[] {
  return message.components.flatMap((row) =>
    ((row.components ?? []) as JsonObject[])
      .filter((component) => component.style === 5)
      .map((component) => ({
        label: typeof component.label === 'string' ? component.label : '',
        url: typeof component.url === 'string' ? component.url : '',
      })),
  );
}

function customIds(message: FakeMessage): string[] {
  return message.components.flatMap((row) =>
    ((row.components ?? []) as JsonObject[])
      .map((component) => component.custom_id)
      .filter((id): id is string => typeof id === 'string'),
  );
}

async function subscribe(h: Harness, user = h.fake.users.student, locale = 'fr') {
  const interaction = h.fake.injectCommand({
    name: 'subscribe',
    options: [option.string('section', 'info 1')],
    context: h.fake.inGuild(user),
    locale,
  });
  return { interaction, reply: await interaction.reply() };
}

describe('bot against a fake Discord', () => {
  it('connects with the Guilds intent only and registers its commands in the guild', async () => {
    const h = await createHarness();
    expect(h.fake.identifies).toHaveLength(1);
    expect(h.fake.identifies[0]?.intents).toBe(1);
    const names = h.fake.registeredCommands(h.fake.guild.id).map((command) => command.name);
    expect(names).toEqual([
      'subscribe',
      'unsubscribe',
      'planning',
      'notify',
      'revoke',
      'status',
      'alerts',
      'filters',
    ]);
    const status = h.fake.registeredCommands(h.fake.guild.id).find((c) => c.name === 'status');
    expect(status?.default_member_permissions).toBe(PERMISSIONS.manageGuild.toString());
    expect(status?.description_localizations).toMatchObject({ 'en-US': 'Service status (admin)' });
    expect(h.logs.lines.join('\n')).not.toContain(h.fake.token);
  });

  describe('/subscribe', () => {
    it('replies privately with both URLs and calendar buttons, DMs a copy, and the URL serves the calendar', async () => {
      const h = await createHarness();
      const { interaction, reply } = await subscribe(h);

      const callback = await interaction.callback();
      expect(callback.type).toBe(CALLBACK_TYPE.deferredChannelMessageWithSource);
      expect(callback.data?.flags).toBe(EPHEMERAL);
      const url = feedUrlIn(reply.content);
      expect(reply.content).toContain(url.replace('http://', 'webcal://'));
      expect(reply.content).toContain('Google Agenda ne rafraîchit');
      expect(reply.content).toContain('Une copie de ce message t’a été envoyée');
      const buttons = linkButtons(reply);
      expect(buttons.map((button) => button.label)).toEqual([
        'Ajouter à Google Agenda',
        'Ajouter à Outlook.com',
      ]);
      expect(buttons[0]?.url).toBe(
        `https://calendar.google.com/calendar/r?cid=${encodeURIComponent(url.replace(/^https?:/, 'webcal:'))}`,
      );
      expect(buttons[1]?.url).toBe(
        `https://outlook.live.com/calendar/0/addfromweb?url=${encodeURIComponent(url)}&name=Info%201`,
      );
      const dms = h.fake.dmMessages(h.fake.users.student.id);
      expect(dms).toHaveLength(1);
      expect(dms[0]?.content).toContain(url);

      const feed = await h.fetchFeed(url);
      expect(feed.status).toBe(200);
      expect(feed.type).toContain('text/calendar');
      expect(feed.body).toContain('BEGIN:VCALENDAR');
      expect(feed.body).toContain('Algorithmique');
    });

    it('works from a DM too', async () => {
      const h = await createHarness();
      const interaction = h.fake.injectCommand({
        name: 'subscribe',
        options: [option.string('section', 'Info 2')],
        context: h.fake.inDm(h.fake.users.otherStudent),
      });
      const reply = await interaction.reply();
      expect(reply.content).toContain('**Info 2**');
      expect(
        h.repositories.feedTokens.listActiveByOwner(h.fake.users.otherStudent.id),
      ).toHaveLength(1);
    });

    it('says so when DMs are closed (50007) and still gives the link', async () => {
      const h = await createHarness();
      h.fake.closeDms(h.fake.users.student.id);
      const { reply } = await subscribe(h);
      expect(reply.content).toContain('tes MP sont fermés');
      const url = feedUrlIn(reply.content);
      expect((await h.fetchFeed(url)).status).toBe(200);
      const rejected = h.fake.callsTo('POST', /^\/channels\/\d+\/messages$/);
      expect(rejected.map((call) => call.status)).toEqual([403]);
    });

    it('offers a button that rotates an existing link, and the old URL stops working', async () => {
      const h = await createHarness();
      const first = await subscribe(h);
      const oldUrl = feedUrlIn(first.reply.content);

      // Later than a quick repeat (which would show the same link again).
      h.clock.advance(11_000);
      const again = await subscribe(h);
      expect(again.reply.content).toContain('Tu as déjà un lien actif pour **Info 1**');
      expect(again.reply.flags).toBe(EPHEMERAL);
      const [customId] = customIds(again.reply);
      expect(customId).toBe('subscribe:rotate:info 1');

      const click = h.fake.injectComponent({
        customId: customId ?? '',
        context: h.fake.inGuild(h.fake.users.student),
        message: again.reply,
      });
      const rotated = await click.reply();
      const newUrl = feedUrlIn(rotated.content);
      expect(newUrl).not.toBe(oldUrl);
      expect(rotated.content).toContain("L'ancien lien a été désactivé");
      expect((await h.fetchFeed(oldUrl)).status).toBe(404);
      expect((await h.fetchFeed(newUrl)).status).toBe(200);
    });

    it('autocompletes sections from the configuration', async () => {
      const h = await createHarness();
      const interaction = h.fake.injectAutocomplete({
        name: 'subscribe',
        options: [option.string('section', 'inf', true)],
        context: h.fake.inGuild(h.fake.users.student),
      });
      const callback = await interaction.callback();
      expect(callback.type).toBe(CALLBACK_TYPE.autocompleteResult);
      expect(callback.data?.choices).toEqual([
        { name: 'Info 1', value: 'info 1' },
        { name: 'Info 2', value: 'info 2' },
      ]);
    });

    it('refuses an unknown section with the list of sections', async () => {
      const h = await createHarness();
      const interaction = h.fake.injectCommand({
        name: 'subscribe',
        options: [option.string('section', 'Chimie')],
        context: h.fake.inGuild(h.fake.users.student),
      });
      const reply = await interaction.reply();
      expect(reply.content).toBe(
        'Je ne connais pas la section « Chimie ». Sections disponibles : Info 1, Info 2.',
      );
      expect(reply.flags).toBe(EPHEMERAL);
    });

    it('answers in English for an English client', async () => {
      const h = await createHarness();
      const { reply } = await subscribe(h, h.fake.users.student, 'en-GB');
      expect(reply.content).toContain('Here is your personal calendar link for **Info 1**');
      expect(linkButtons(reply).map((button) => button.label)).toEqual([
        'Add to Google Calendar',
        'Add to Outlook.com',
      ]);
    });
  });

  it('/unsubscribe revokes the caller’s link', async () => {
    const h = await createHarness();
    const url = feedUrlIn((await subscribe(h)).reply.content);
    const reply = await h.fake
      .injectCommand({
        name: 'unsubscribe',
        options: [option.string('section', 'info 1')],
        context: h.fake.inGuild(h.fake.users.student),
      })
      .reply();
    expect(reply.content).toContain('1 lien désactivé pour **Info 1**');
    expect((await h.fetchFeed(url)).status).toBe(404);
    const again = await h.fake
      .injectCommand({
        name: 'unsubscribe',
        options: [option.string('section', 'info 1')],
        context: h.fake.inDm(h.fake.users.student),
      })
      .reply();
    expect(again.content).toBe("Tu n'as aucun lien actif pour **Info 1**.");
  });

  it('/unsubscribe autocompletes the caller’s own sections', async () => {
    const h = await createHarness();
    const complete = async () =>
      (
        await h.fake
          .injectAutocomplete({
            name: 'unsubscribe',
            options: [option.string('section', '', true)],
            context: h.fake.inGuild(h.fake.users.student),
          })
          .callback()
      ).data?.choices;
    expect(await complete()).toHaveLength(2);
    await subscribe(h);
    expect(await complete()).toEqual([{ name: 'Info 1', value: 'info 1' }]);
  });

  describe('/planning', () => {
    it('shows today’s classes of the only subscribed section, with freshness', async () => {
      const h = await createHarness();
      await subscribe(h);
      const reply = await h.fake
        .injectCommand({ name: 'planning', context: h.fake.inGuild(h.fake.users.student) })
        .reply();
      const [embed] = reply.embeds;
      expect(embed?.title).toBe('Info 1 — lundi 14 septembre 2026');
      expect(embed?.description).toContain('**Algorithmique** · B12 · M. Dupont');
      expect(embed?.description).toContain('<t:1789365600:t>–<t:1789372800:t>');
      expect(embed?.description).toContain('**Réseaux**');
      expect(JSON.stringify(embed?.fields)).toContain('Données mises à jour <t:');
      expect(reply.flags).toBe(EPHEMERAL);
    });

    it('shows only what the caller’s filtered link shows', async () => {
      const h = await createHarness();
      await subscribe(h);
      const [link] = h.repositories.feedTokens.listActiveByOwner(
        h.fake.users.student.id,
        h.sectionId('info 1'),
      );
      h.repositories.feedTokens.setFilter(
        link!.id,
        filterToJson(parseEventFilter({ hideCourses: ['Réseaux'] })),
        h.clock.now(),
      );
      const reply = await h.fake
        .injectCommand({ name: 'planning', context: h.fake.inGuild(h.fake.users.student) })
        .reply();
      expect(reply.embeds[0]?.description).toContain('**Algorithmique**');
      expect(reply.embeds[0]?.description).not.toContain('**Réseaux**');
    });

    it('shows tomorrow once today’s last class is over', async () => {
      const h = await createHarness();
      h.clock.set('2026-09-14T16:00:00Z');
      const reply = await h.fake
        .injectCommand({
          name: 'planning',
          options: [option.string('section', 'info 1')],
          context: h.fake.inDm(h.fake.users.student),
          locale: 'en-US',
        })
        .reply();
      expect(reply.embeds[0]?.title).toBe('Info 1 — Tuesday, 15 September 2026');
      expect(reply.embeds[0]?.description).toContain('**Bases de données**');
    });

    it('reads a day typed in either language and refuses gibberish', async () => {
      const h = await createHarness();
      const sport = makeEvent({
        uid: 'sport',
        title: 'Journée sport',
        allDay: true,
        startsAt: new Date('2026-09-15T00:00:00Z'),
        endsAt: new Date('2026-09-16T00:00:00Z'),
      });
      h.recordChanges([{ uid: 'sport', kinds: ['added'], before: undefined, after: sport }]);
      const day = (value: string) =>
        h.fake
          .injectCommand({
            name: 'planning',
            options: [option.string('section', 'info 1'), option.string('day', value)],
            context: h.fake.inGuild(h.fake.users.student),
          })
          .reply();
      const tuesday = await day('demain');
      expect(tuesday.embeds[0]?.title).toBe('Info 1 — mardi 15 septembre 2026');
      expect(tuesday.embeds[0]?.description).toContain('**Journée sport**');
      expect((await day('tuesday')).embeds[0]?.title).toBe('Info 1 — mardi 15 septembre 2026');
      expect((await day('2026-09-16')).embeds[0]?.description).toBe('Aucun cours ce jour-là.');
      expect((await day('bientôt')).content).toContain('Je ne comprends pas le jour « bientôt »');
    });

    it('asks for a section when the caller has no subscription', async () => {
      const h = await createHarness();
      const reply = await h.fake
        .injectCommand({ name: 'planning', context: h.fake.inGuild(h.fake.users.student) })
        .reply();
      expect(reply.content).toBe(
        "Précise la section (option `section`) : tu n'es abonné à aucune.",
      );
    });
  });

  describe('/notify', () => {
    it('turns DM alerts on and off', async () => {
      const h = await createHarness();
      const notify = (sub: 'on' | 'off', locale = 'fr') =>
        h.fake
          .injectCommand({
            name: 'notify',
            options: [option.subcommand(sub)],
            context: h.fake.inDm(h.fake.users.student),
            locale,
          })
          .reply();
      expect((await notify('on')).content).toContain("tu n'es abonné à aucune section");
      await subscribe(h);
      expect((await notify('on', 'en-US')).content).toContain('Direct-message alerts on');
      expect(
        h.repositories.botState.findNotifyPref(h.fake.users.student.id as never),
      ).toMatchObject({
        enabled: true,
        locale: 'en',
      });
      expect((await notify('off')).content).toBe('Alertes en message privé désactivées.');
    });
  });

  describe('admin commands', () => {
    it('/status shows every section to an admin', async () => {
      const h = await createHarness();
      await subscribe(h);
      const reply = await h.fake
        .injectCommand({
          name: 'status',
          context: h.fake.inGuild(h.fake.users.admin, { permissions: ADMIN_PERMISSIONS }),
        })
        .reply();
      const [embed] = reply.embeds;
      expect(embed?.title).toBe('État de Planning Proxy');
      expect(embed?.description).toContain('Version 0.1.0-test');
      expect(embed?.description).toContain('base 3.0 MiB');
      const fields = (embed?.fields ?? []) as { name: string; value: string }[];
      expect(fields.map((field) => field.name)).toEqual(['Info 1', 'Info 2']);
      expect(fields[0]?.value).toContain('Dernier succès : <t:1789362000:R>');
      expect(fields[0]?.value).toContain('Cours : 3');
      expect(fields[0]?.value).toContain('Liens actifs : 1');
      expect(fields[0]?.value).toContain('Téléchargements (24 h) : 0');
      expect(fields[1]?.value).toContain('Dernier succès : jamais');
      expect(reply.flags).toBe(EPHEMERAL);
    });

    it('/status says when the calendar of a section was truncated at the event cap', async () => {
      const h = await createHarness();
      const status = async (locale: string) =>
        (
          (
            await h.fake
              .injectCommand({
                name: 'status',
                locale,
                context: h.fake.inGuild(h.fake.users.admin, { permissions: ADMIN_PERMISSIONS }),
              })
              .reply()
          ).embeds[0]?.fields as { value: string }[]
        ).map((field) => field.value);
      expect((await status('fr')).join('\n')).not.toContain('tronqué');
      // What the scraper writes after a calendar over the cap (see test/resilience/false-alerts).
      const section = h.repositories.sections.list()[0]!;
      const at = h.clock.now();
      h.repositories.snapshots.commitScrape({
        sectionId: section.id,
        runId: h.repositories.scrapeRuns.start(section.id, 'schedule', at),
        at,
        durationMs: 1,
        events: [],
        changes: [],
        remaps: [],
        baseline: false,
        issueCount: 1,
        recordAlert: false,
        nextRunAt: at,
        truncated: true,
      });
      const [first, second] = await status('fr');
      expect(first).toContain(
        "⚠️ Calendrier tronqué : trop d'événements, seuls les plus proches dans le temps sont gardés",
      );
      expect(second).not.toContain('tronqué');
      expect((await status('en-US'))[0]).toContain('⚠️ Calendar truncated');
    });

    it('/status says when the latest scrape of a section was held, why, and for how long', async () => {
      const h = await createHarness();
      const status = async (locale: string) =>
        (
          (
            await h.fake
              .injectCommand({
                name: 'status',
                locale,
                context: h.fake.inGuild(h.fake.users.admin, { permissions: ADMIN_PERMISSIONS }),
              })
              .reply()
          ).embeds[0]?.fields as { value: string }[]
        ).map((field) => field.value);
      expect((await status('fr')).join('\n')).not.toContain('retenu');
      // What the scraper writes when the change guard holds a scrape (src/scraper/scraper.ts).
      const section = h.repositories.sections.list()[0]!;
      const at = h.clock.now();
      h.repositories.snapshots.recordHeld({
        sectionId: section.id,
        runId: h.repositories.scrapeRuns.start(section.id, 'schedule', at),
        at,
        durationMs: 1,
        fingerprint: 'runaway',
        eventCount: 200,
        nextRunAt: at,
        message: heldMessage('160 new events appeared at once (40 upcoming events before)', 1, 3),
        errorCode: 'scraper.suspicious_increase',
      });
      const [first, second] = await status('fr');
      expect(first).toContain(
        '⏸️ Dernier passage retenu : 160 new events appeared at once (40 upcoming events before) ; annoncé après 2 passages identiques',
      );
      expect(second).not.toContain('retenu');
      expect((await status('en-US'))[0]).toContain(
        '⏸️ Latest scrape held: 160 new events appeared at once (40 upcoming events before); announced after 2 more identical scrapes',
      );
    });

    it('refuses admin commands to a member without rights, and in DMs', async () => {
      const h = await createHarness();
      for (const name of ['status', 'revoke', 'alerts']) {
        const refused = await h.fake
          .injectCommand({ name, context: h.fake.inGuild(h.fake.users.student) })
          .reply();
        expect(refused.content).toContain('réservée aux administrateurs');
        expect(refused.flags).toBe(EPHEMERAL);
        const inDm = await h.fake
          .injectCommand({ name, context: h.fake.inDm(h.fake.users.admin), locale: 'en-US' })
          .reply();
        expect(inDm.content).toBe('This command only works in the server, not in direct messages.');
      }
      expect(h.repositories.alerts.findRoute(h.sectionId('info 1'))).toBeUndefined();
    });

    it('refuses a staff member when no admin role is configured', async () => {
      const h = await createHarness();
      const withoutRole = await h.fake
        .injectCommand({ name: 'status', context: h.fake.inGuild(h.fake.users.moderator) })
        .reply();
      expect(withoutRole.content).toContain('réservée aux administrateurs');
    });

    it('accepts a member holding a role listed in DISCORD_ADMIN_ROLE_IDS', async () => {
      const h = await createHarness({
        env: (fake) => ({ DISCORD_ADMIN_ROLE_IDS: `123456789012345678,${fake.roles.staff.id}` }),
      });
      const reply = await h.fake
        .injectCommand({ name: 'status', context: h.fake.inGuild(h.fake.users.moderator) })
        .reply();
      expect(reply.embeds[0]?.title).toBe('État de Planning Proxy');
    });

    it('/alerts stores where a section’s alerts go', async () => {
      const h = await createHarness();
      const reply = await h.fake
        .injectCommand({
          name: 'alerts',
          options: [
            option.string('section', 'info 1'),
            option.channel('channel', h.fake.channels.otherAlerts.id),
            option.role('role', h.fake.roles.students.id),
          ],
          context: h.fake.inGuild(h.fake.users.admin, { permissions: ADMIN_PERMISSIONS }),
        })
        .reply();
      expect(reply.content).toBe(
        `Les alertes de **Info 1** iront dans <#${h.fake.channels.otherAlerts.id}> et mentionneront <@&${h.fake.roles.students.id}>.`,
      );
      expect(h.repositories.alerts.findRoute(h.sectionId('info 1'))).toMatchObject({
        channelId: h.fake.channels.otherAlerts.id,
        roleId: h.fake.roles.students.id,
        updatedBy: h.fake.users.admin.id,
      });
    });

    it('/revoke by user revokes the links, tells the user by DM, and the URL answers 404', async () => {
      const h = await createHarness();
      const url = feedUrlIn((await subscribe(h)).reply.content);
      expect((await h.fetchFeed(url)).status).toBe(200);

      const reply = await h.fake
        .injectCommand({
          name: 'revoke',
          options: [option.user('user', h.fake.users.student.id)],
          context: h.fake.inGuild(h.fake.users.admin, { permissions: ADMIN_PERMISSIONS }),
        })
        .reply();
      const prefix = url.slice(url.lastIndexOf('/') + 1, url.lastIndexOf('/') + 9);
      expect(reply.content).toContain('1 lien révoqué');
      expect(reply.content).toContain(`\`${prefix}…\` — Info 1 — <@${h.fake.users.student.id}>`);
      expect(reply.content).toContain('a été prévenu(e) en message privé');
      const dms = h.fake.dmMessages(h.fake.users.student.id);
      expect(dms.at(-1)?.content).toContain('Un administrateur a désactivé ton lien');
      expect((await h.fetchFeed(url)).status).toBe(404);
    });

    it('/revoke by token prefix', async () => {
      const h = await createHarness();
      const url = feedUrlIn((await subscribe(h)).reply.content);
      const prefix = url.slice(url.lastIndexOf('/') + 1, url.lastIndexOf('/') + 9);
      h.fake.closeDms(h.fake.users.student.id);
      const otherSection = await h.fake
        .injectCommand({
          name: 'revoke',
          options: [option.string('prefix', prefix), option.string('section', 'info 2')],
          context: h.fake.inGuild(h.fake.users.admin, { permissions: ADMIN_PERMISSIONS }),
        })
        .reply();
      expect(otherSection.content).toBe('Aucun lien actif ne correspond.');
      expect((await h.fetchFeed(url)).status).toBe(200);
      const reply = await h.fake
        .injectCommand({
          name: 'revoke',
          options: [option.string('prefix', prefix.toUpperCase())],
          context: h.fake.inGuild(h.fake.users.admin, { permissions: ADMIN_PERMISSIONS }),
          locale: 'en-US',
        })
        .reply();
      expect(reply.content).toContain('1 link revoked');
      expect(reply.content).toContain('could not be told (direct messages closed)');
      expect((await h.fetchFeed(url)).status).toBe(404);

      const none = await h.fake
        .injectCommand({
          name: 'revoke',
          context: h.fake.inGuild(h.fake.users.admin, { permissions: ADMIN_PERMISSIONS }),
        })
        .reply();
      expect(none.content).toContain('Indique un utilisateur');
    });
  });

  it('resumes after the gateway drops and still answers', async () => {
    const h = await createHarness();
    h.fake.dropConnection();
    const reply = await h.fake
      .injectCommand({
        name: 'unsubscribe',
        options: [option.string('section', 'info 1')],
        context: h.fake.inGuild(h.fake.users.student),
      })
      .reply();
    expect(reply.content).toBe("Tu n'as aucun lien actif pour **Info 1**.");
    expect(h.fake.resumes).toHaveLength(1);
    expect(h.fake.identifies).toHaveLength(1);
  });

  it('never logs a feed link, even when Discord rejects the reply that carries it', async () => {
    const h = await createHarness();
    h.fake.failRoute({
      method: 'PATCH',
      path: /^\/webhooks\//,
      status: 400,
      code: 50035,
      message: 'Invalid Form Body',
      times: 1,
    });
    const { reply } = await subscribe(h);
    expect(reply.content).toContain('Une erreur inattendue');
    const url = feedUrlIn(h.fake.dmMessages(h.fake.users.student.id)[0]?.content ?? '');
    const token = url.slice(url.lastIndexOf('/') + 1, -'.ics'.length);
    const failure = h.logs.records().find((record) => record.msg === 'interaction failed');
    expect(failure?.err).toMatchObject({ kind: 'DiscordAPIError', code: 50035, status: 400 });
    expect(h.logs.lines.join('\n')).not.toContain(token);
  });

  it('reports an unexpected failure with a reference and logs it once', async () => {
    const h = await createHarness();
    // A broken table stands in for any unexpected failure below the command.
    h.database.sqlite.exec('ALTER TABLE feed_tokens RENAME TO feed_tokens_gone');
    const reply = await h.fake
      .injectCommand({
        name: 'unsubscribe',
        options: [option.string('section', 'info 1')],
        context: h.fake.inGuild(h.fake.users.student),
      })
      .reply();
    const reference = /`([0-9a-f]{8})`/.exec(reply.content)?.[1];
    expect(reference).toBeDefined();
    const errors = await eventually(() => {
      const found = h.logs.records().filter((record) => record.msg === 'interaction failed');
      return found.length > 0 ? found : undefined;
    }, 'the error log');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ reference, command: 'unsubscribe' });
  });
});
