import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import {
  applyFilter,
  EMPTY_FILTER,
  filterFromJson,
  type EventFilter,
  type TimetableChange,
} from '../../src/core/index.ts';
import {
  CALLBACK_TYPE,
  COMPONENT_TYPE,
  option,
  type FakeMessage,
  type FakeUser,
  type JsonObject,
} from '../fake-discord/index.ts';
import { commitBaseline } from '../helpers/database.ts';
import { createHarness, eventually, makeEvent, type Harness } from './helpers.ts';

const EPHEMERAL = 64;

/** Info 1 gains group classes (on top of the baseline lectures, which carry no group). */
function groupEvents() {
  return [
    makeEvent({
      uid: 'td1-algo',
      title: 'TD1 Algorithmique',
      category: 'TD',
      course: 'Algorithmique',
      groups: ['TD1'],
      startsAt: new Date('2026-09-14T12:00:00Z'),
    }),
    makeEvent({
      uid: 'td2-algo',
      title: 'TD2 Algorithmique',
      category: 'TD',
      course: 'Algorithmique',
      groups: ['TD2'],
      startsAt: new Date('2026-09-14T14:00:00Z'),
    }),
    makeEvent({
      uid: 'tp1-net',
      title: 'TP Réseaux',
      category: 'TP',
      course: 'Réseaux',
      groups: ['TP1'],
      startsAt: new Date('2026-09-15T08:00:00Z'),
    }),
    makeEvent({
      uid: 'exam-en',
      title: 'Examen Anglais',
      category: 'EXAM',
      course: 'Anglais',
      startsAt: new Date('2026-09-15T12:00:00Z'),
    }),
  ];
}

async function createFilterHarness(): Promise<Harness> {
  const h = await createHarness();
  commitBaseline(h.repositories, h.sectionId('info 1'), groupEvents(), h.clock.now(), {
    durationMs: 5,
  });
  return h;
}

function feedUrlIn(content: string): string {
  const match = /http:\/\/127\.0\.0\.1:\d+\/feeds\/[0-9a-f]{64}\.ics/.exec(content);
  if (match === null) throw new Error(`no feed URL in: ${content}`);
  return match[0];
}

function componentsOf(message: FakeMessage): JsonObject[] {
  return message.components.flatMap((row) => (row.components ?? []) as JsonObject[]);
}

function customIds(message: FakeMessage): string[] {
  return componentsOf(message)
    .map((component) => component.custom_id)
    .filter((id): id is string => typeof id === 'string');
}

function menu(message: FakeMessage, customId: string): JsonObject {
  const found = componentsOf(message).find((component) => component.custom_id === customId);
  if (found === undefined) throw new Error(`no component ${customId}`);
  return found;
}

function optionValues(select: JsonObject): string[] {
  return ((select.options ?? []) as JsonObject[]).map((entry) =>
    typeof entry.value === 'string' ? entry.value : '',
  );
}

async function subscribe(
  h: Harness,
  extra: { user?: FakeUser; locale?: string; groups?: string } = {},
) {
  const interaction = h.fake.injectCommand({
    name: 'subscribe',
    options: [
      option.string('section', 'info 1'),
      ...(extra.groups === undefined ? [] : [option.string('groups', extra.groups)]),
    ],
    context: h.fake.inGuild(extra.user ?? h.fake.users.student),
    locale: extra.locale ?? 'fr',
  });
  return interaction.reply();
}

function pick(
  h: Harness,
  message: FakeMessage,
  customId: string,
  values: readonly string[],
  user: FakeUser = h.fake.users.student,
  locale = 'fr',
) {
  return h.fake.injectComponent({
    customId,
    componentType: COMPONENT_TYPE.stringSelect,
    values,
    context: h.fake.inGuild(user),
    locale,
    message,
  });
}

function storedFilter(h: Harness, user: FakeUser): EventFilter {
  const links = h.repositories.feedTokens.listActiveByOwner(user.id, h.sectionId('info 1'));
  expect(links).toHaveLength(1);
  return filterFromJson(links[0]?.filterJson ?? null);
}

/** The UIDs a served calendar holds, parsed as a calendar app does. */
async function servedUids(h: Harness, url: string): Promise<string[]> {
  const feed = await h.fetchFeed(url);
  expect(feed.status).toBe(200);
  const calendar = ICAL.Component.fromString(feed.body);
  return calendar
    .getAllSubcomponents('vevent')
    .map((component) => new ICAL.Event(component).uid)
    .sort();
}

function expectedUids(h: Harness, filter: EventFilter): string[] {
  return applyFilter(h.repositories.events.listCurrent(h.sectionId('info 1')), filter)
    .map((event) => event.feedUid)
    .sort();
}

describe('personal filters through the fake Discord', () => {
  it('/subscribe offers select menus; a pick filters the SAME URL to exactly the matching events', async () => {
    const h = await createFilterHarness();
    const student = h.fake.users.student.id;
    const reply = await subscribe(h);
    const url = feedUrlIn(reply.content);
    expect(reply.content).toContain('Facultatif : les menus ci-dessous');
    expect(customIds(reply)).toEqual([
      `filters:groups:info 1:${student}`,
      `filters:courses:info 1:${student}`,
      `filters:types:info 1:${student}`,
    ]);
    const groupsMenu = menu(reply, `filters:groups:info 1:${student}`);
    expect(groupsMenu.type).toBe(COMPONENT_TYPE.stringSelect);
    expect(optionValues(groupsMenu)).toEqual(['TD1', 'TD2', 'TP1']);
    expect(groupsMenu.min_values).toBe(0);
    expect(await servedUids(h, url)).toEqual(expectedUids(h, EMPTY_FILTER));

    const click = pick(h, reply, `filters:groups:info 1:${student}`, ['TD1']);
    const saved = await click.reply();
    expect(saved.flags).toBe(EPHEMERAL);
    expect(saved.content).toBe(
      'Filtre enregistré pour **Info 1** — Filtre : groupes TD1. Ton lien ne change pas : ton agenda suivra ce choix à son prochain rafraîchissement.',
    );
    const groupsOnly = { groups: ['TD1'], hideCourses: [], hideCategories: [] };
    expect(storedFilter(h, h.fake.users.student)).toEqual(groupsOnly);
    const filtered = await servedUids(h, url);
    expect(filtered).toEqual(expectedUids(h, groupsOnly));
    // Lectures without group information stay; the other group's TD goes.
    expect(filtered.some((uid) => uid.includes('td2-algo'))).toBe(false);
    expect(filtered.some((uid) => uid.includes('algo-1'))).toBe(true);
    expect(filtered.length).toBeLessThan(expectedUids(h, EMPTY_FILTER).length);

    // An EXAM from the source is offered as the one exam type, EXAMEN (docs/sources.md).
    await pick(h, reply, `filters:types:info 1:${student}`, ['EXAMEN']).reply();
    const both = { groups: ['TD1'], hideCourses: [], hideCategories: ['EXAMEN'] };
    expect(storedFilter(h, h.fake.users.student)).toEqual(both);
    expect(await servedUids(h, url)).toEqual(expectedUids(h, both));
    // The feed token never reaches the logs.
    const token = /([0-9a-f]{64})\.ics$/.exec(url)?.[1] ?? 'missing';
    expect(h.logs.lines.join('\n')).not.toContain(token);
  });

  it('/subscribe takes a groups option at issue time and says which groups it does not know', async () => {
    const h = await createFilterHarness();
    const reply = await subscribe(h, { groups: 'td2, Nope' });
    expect(reply.content).toContain('Ton lien pour **Info 1** — Filtre : groupes TD2.');
    expect(reply.content).toContain('Groupe inconnu dans cette section, ignoré : Nope.');
    const filter = { groups: ['TD2'], hideCourses: [], hideCategories: [] };
    expect(storedFilter(h, h.fake.users.student)).toEqual(filter);
    expect(await servedUids(h, feedUrlIn(reply.content))).toEqual(expectedUids(h, filter));
    // The menu shows the choice, and a clear button is offered.
    const groupsMenu = menu(reply, `filters:groups:info 1:${h.fake.users.student.id}`);
    const defaults = ((groupsMenu.options ?? []) as JsonObject[]).filter(
      (entry) => entry.default === true,
    );
    expect(defaults.map((entry) => entry.value)).toEqual(['TD2']);
    expect(customIds(reply)).toContain(`filters:clear:info 1:${h.fake.users.student.id}`);
  });

  it('autocompletes the groups option from the section, comma-separated', async () => {
    const h = await createFilterHarness();
    const interaction = h.fake.injectAutocomplete({
      name: 'subscribe',
      options: [option.string('section', 'info 1'), option.string('groups', 'TD1, t', true)],
      context: h.fake.inGuild(h.fake.users.student),
    });
    const callback = await interaction.callback();
    expect(callback.type).toBe(CALLBACK_TYPE.autocompleteResult);
    expect(callback.data?.choices).toEqual([
      { name: 'TD1, TD2', value: 'TD1, TD2' },
      { name: 'TD1, TP1', value: 'TD1, TP1' },
    ]);
    const sections = await h.fake
      .injectAutocomplete({
        name: 'filters',
        options: [option.string('section', 'info', true)],
        context: h.fake.inGuild(h.fake.users.student),
      })
      .callback();
    expect(sections.data?.choices).toEqual([
      { name: 'Info 1', value: 'info 1' },
      { name: 'Info 2', value: 'info 2' },
    ]);
  });

  it('/filters without a link suggests /subscribe', async () => {
    const h = await createFilterHarness();
    const reply = await h.fake
      .injectCommand({
        name: 'filters',
        options: [option.string('section', 'info 1')],
        context: h.fake.inDm(h.fake.users.student),
      })
      .reply();
    expect(reply.content).toBe(
      "Tu n'as pas de lien actif pour **Info 1**. Utilise `/subscribe` pour en obtenir un, puis choisis ton filtre.",
    );
    expect(reply.flags).toBe(EPHEMERAL);
  });

  it('/filters shows and edits the filter, clear brings the whole section back, same URL', async () => {
    const h = await createFilterHarness();
    const url = feedUrlIn((await subscribe(h)).content);
    const student = h.fake.users.student.id;
    const shown = await h.fake
      .injectCommand({
        name: 'filters',
        options: [option.string('section', 'info 1')],
        context: h.fake.inDm(h.fake.users.student),
      })
      .reply();
    expect(shown.content).toContain('Ton lien pour **Info 1** — Aucun filtre.');
    expect(shown.flags).toBe(EPHEMERAL);
    expect(customIds(shown)).toEqual([
      `filters:groups:info 1:${student}`,
      `filters:courses:info 1:${student}`,
      `filters:types:info 1:${student}`,
    ]);

    const edited = await h.fake
      .injectCommand({
        name: 'filters',
        options: [option.string('section', 'info 1'), option.string('groups', 'tp1')],
        context: h.fake.inGuild(h.fake.users.student),
      })
      .reply();
    expect(edited.content).toContain('Filtre enregistré pour **Info 1** — Filtre : groupes TP1.');
    const tp1 = { groups: ['TP1'], hideCourses: [], hideCategories: [] };
    expect(await servedUids(h, url)).toEqual(expectedUids(h, tp1));

    await pick(h, edited, `filters:courses:info 1:${student}`, ['Algorithmique']).reply();
    const hidden = { groups: ['TP1'], hideCourses: ['Algorithmique'], hideCategories: [] };
    expect(storedFilter(h, h.fake.users.student)).toEqual(hidden);
    expect(await servedUids(h, url)).toEqual(expectedUids(h, hidden));

    const cleared = await h.fake
      .injectComponent({
        customId: `filters:clear:info 1:${student}`,
        context: h.fake.inGuild(h.fake.users.student),
        message: edited,
      })
      .reply();
    expect(cleared.content).toBe(
      'Filtre retiré pour **Info 1** : ton agenda montre de nouveau toute la section.',
    );
    expect(
      h.repositories.feedTokens.listActiveByOwner(student, h.sectionId('info 1'))[0]?.filterJson,
    ).toBeNull();
    expect(await servedUids(h, url)).toEqual(expectedUids(h, EMPTY_FILTER));
  });

  it('refuses another user’s click on someone’s menus and changes nothing', async () => {
    const h = await createFilterHarness();
    const reply = await subscribe(h, { groups: 'TD1' });
    await subscribe(h, { user: h.fake.users.otherStudent });
    const customId = `filters:groups:info 1:${h.fake.users.student.id}`;
    const refused = await pick(h, reply, customId, ['TD2'], h.fake.users.otherStudent).reply();
    expect(refused.content).toBe(
      'Ces menus concernent le lien de quelqu’un d’autre. Utilise `/filters` pour modifier ton propre filtre.',
    );
    expect(refused.flags).toBe(EPHEMERAL);
    expect(storedFilter(h, h.fake.users.student).groups).toEqual(['TD1']);
    expect(storedFilter(h, h.fake.users.otherStudent)).toEqual(EMPTY_FILTER);
  });

  it('a rotated link keeps its filter', async () => {
    const h = await createFilterHarness();
    await subscribe(h, { groups: 'TD1' });
    const again = await subscribe(h);
    const rotated = await h.fake
      .injectComponent({
        customId: 'subscribe:rotate:info 1',
        context: h.fake.inGuild(h.fake.users.student),
        message: again,
      })
      .reply();
    expect(storedFilter(h, h.fake.users.student).groups).toEqual(['TD1']);
    expect(await servedUids(h, feedUrlIn(rotated.content))).toEqual(
      expectedUids(h, { groups: ['TD1'], hideCourses: [], hideCategories: [] }),
    );
  });

  it('answers in English for an English client', async () => {
    const h = await createFilterHarness();
    await subscribe(h, { locale: 'en-US' });
    const shown = await h.fake
      .injectCommand({
        name: 'filters',
        options: [option.string('section', 'info 1')],
        context: h.fake.inGuild(h.fake.users.student),
        locale: 'en-US',
      })
      .reply();
    expect(shown.content).toContain('Your link for **Info 1** — No filter.');
    expect(shown.content).toContain('Optional: the menus below keep only your groups');
    const groupsId = `filters:groups:info 1:${h.fake.users.student.id}`;
    expect(menu(shown, groupsId).placeholder).toBe('Keep only these groups (none = all)');
    const saved = await pick(h, shown, groupsId, ['TD2'], h.fake.users.student, 'en-US').reply();
    expect(saved.content).toBe(
      'Filter saved for **Info 1** — Filter: groups TD2. Your link stays the same: your calendar will follow this choice at its next refresh.',
    );
    const filtersCommand = h.fake
      .registeredCommands(h.fake.guild.id)
      .find((command) => command.name === 'filters');
    expect(filtersCommand?.description_localizations).toMatchObject({
      'en-US': 'See and change your calendar link’s filter (groups, courses, types)',
    });
  });

  it('/notify DMs follow the filter; channel alerts stay whole', async () => {
    const h = await createFilterHarness();
    const student = h.fake.users.student;
    const other = h.fake.users.otherStudent;
    await subscribe(h, { groups: 'TD1' });
    await subscribe(h, { user: other });
    for (const user of [student, other]) {
      await h.fake
        .injectCommand({
          name: 'notify',
          options: [option.subcommand('on')],
          context: h.fake.inGuild(user),
        })
        .reply();
    }
    const events = groupEvents();
    const byUid = (uid: string) => {
      const found = events.find((event) => event.uid === uid);
      if (found === undefined) throw new Error(uid);
      return found;
    };
    const room = (uid: string): TimetableChange => ({
      uid,
      kinds: ['room'],
      before: byUid(uid),
      after: { ...byUid(uid), location: 'Amphi' },
    });
    // Only the other group's class: the TD1 student hears nothing.
    const outside = h.recordChanges([room('td2-algo')]);
    // One of theirs and one not: the TD1 student hears about one.
    const mixed = h.recordChanges([room('td2-algo'), room('td1-algo')]);
    // A class moved from TD2 into TD1 (matches after the change only) counts.
    const movedIn = h.recordChanges([
      {
        uid: 'td2-algo',
        kinds: ['renamed'],
        before: byUid('td2-algo'),
        after: { ...byUid('td2-algo'), title: 'TD1 Algorithmique (bis)', groups: ['TD1'] },
      },
    ]);
    h.bot.notifier.notify();
    const delivered = (id: number) => h.repositories.alerts.findOutbox(id)?.deliveredAt != null;
    await eventually(
      () => delivered(outside) && delivered(mixed) && delivered(movedIn),
      'the deliveries',
    );

    const dmTargets = (outboxId: number) =>
      h.repositories.alerts
        .listDeliveries(outboxId)
        .filter((row) => row.targetKind === 'dm')
        .map((row) => row.targetId)
        .sort();
    expect(dmTargets(outside)).toEqual([other.id]);
    expect(dmTargets(mixed)).toEqual([student.id, other.id].sort());
    expect(dmTargets(movedIn)).toEqual([student.id, other.id].sort());

    const alertDms = (user: FakeUser) =>
      h.fake.dmMessages(user.id).filter((message) => message.embeds.length > 0);
    const fieldNames = (message: FakeMessage | undefined) =>
      ((message?.embeds[0]?.fields ?? []) as JsonObject[]).map((field) => field.name);
    expect(alertDms(student).map(fieldNames)).toEqual([
      ['Changement de salle (1)'],
      ['Renommé (1)'],
    ]);
    expect(alertDms(other).map(fieldNames)).toEqual([
      ['Changement de salle (1)'],
      ['Changement de salle (2)'],
      ['Renommé (1)'],
    ]);
    // The channel gets every change, unfiltered.
    const channel = h.fake.channelMessages(h.fake.channels.alerts.id);
    expect(channel.map(fieldNames)).toEqual([
      ['Changement de salle (1)'],
      ['Changement de salle (2)'],
      ['Renommé (1)'],
    ]);
  });
});
