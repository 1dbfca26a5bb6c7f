import { describe, expect, it } from 'vitest';
import { commandsDeployCommand } from '../../src/cli/commands-deploy.command.ts';
import {
  COMMANDS_HASH_KEY,
  commandDefinitions,
  createBot,
  hashCommandSet,
} from '../../src/bot/index.ts';
import { createHarness } from './helpers.ts';

const PUTS = /^\/applications\/\d+(\/guilds\/\d+)?\/commands$/;

describe('command registration', () => {
  it('registers at start only when the command set changed since the last registration', async () => {
    const h = await createHarness();
    expect(h.fake.callsTo('PUT', PUTS)).toHaveLength(1);
    const stored = h.repositories.botState.getValue(COMMANDS_HASH_KEY);
    expect(stored).toBe(
      hashCommandSet(commandDefinitions, h.fake.application.id, { guildId: h.fake.guild.id }),
    );

    await h.bot.stop();
    const second = await h.startBot();
    expect(h.fake.callsTo('PUT', PUTS)).toHaveLength(1);

    await second.stop();
    h.repositories.botState.setValue(COMMANDS_HASH_KEY, 'an older command set', h.clock.now());
    await h.startBot();
    expect(h.fake.callsTo('PUT', PUTS)).toHaveLength(2);
  });

  it('gives a different hash for another scope or another definition', () => {
    const guild = hashCommandSet(commandDefinitions, '1', { guildId: '2' });
    expect(hashCommandSet(commandDefinitions, '1', { guildId: undefined })).not.toBe(guild);
    const renamed = commandDefinitions.map((data, index) =>
      index === 0 ? { ...data, description: 'autre' } : data,
    );
    expect(hashCommandSet(renamed, '1', { guildId: '2' })).not.toBe(guild);
  });

  it('deploys on demand over REST, globally or in a given guild', async () => {
    const h = await createHarness();
    const lines: string[] = [];
    const ctx = {
      config: h.config,
      repositories: h.repositories,
      print: (line: string) => lines.push(line),
    };
    h.repositories.botState.setValue(COMMANDS_HASH_KEY, 'stale', h.clock.now());
    const gatewayCalls = h.fake.callsTo('GET', /^\/gateway\/bot$/).length;

    expect(await commandsDeployCommand(['deploy', '--guild', h.fake.guild.id], ctx)).toBe(0);
    expect(lines.at(-1)).toBe(`registered 8 commands in guild ${h.fake.guild.id}`);
    expect(h.repositories.botState.getValue(COMMANDS_HASH_KEY)).toBe(
      hashCommandSet(commandDefinitions, h.fake.application.id, { guildId: h.fake.guild.id }),
    );

    const globalCtx = { ...ctx, config: { discord: { ...h.config.discord, guildId: undefined } } };
    expect(await commandsDeployCommand(['deploy'], globalCtx)).toBe(0);
    expect(h.fake.registeredCommands('global')).toHaveLength(8);
    expect(h.fake.callsTo('GET', /^\/gateway\/bot$/)).toHaveLength(gatewayCalls);

    expect(await commandsDeployCommand(['deploy', '--guild', 'nope'], ctx)).toBe(1);
    h.fake.failRoute({
      method: 'PUT',
      path: PUTS,
      status: 400,
      code: 50035,
      message: 'Invalid Form Body',
    });
    expect(await commandsDeployCommand(['deploy'], ctx)).toBe(1);
    expect(lines.at(-1)).toBe('Discord refused the commands: 400 Invalid Form Body');
  });

  it('stays off with a wrong token (no retry loop), without logging it', async () => {
    const h = await createHarness();
    const wrong = 'not-the-right-token';
    const bot = createBot({
      config: { ...h.config, discord: { ...h.config.discord, token: wrong } },
      repositories: h.repositories,
      clock: h.clock,
      logger: h.logger,
      version: 'test',
    });
    await bot.start();
    expect(bot.status()).toMatchObject({ connected: false, state: 'token_rejected' });
    expect(h.logs.lines.join('\n')).toMatch(/refused the bot token/);
    await bot.stop();
    expect(h.logs.lines.join('\n')).not.toContain(wrong);

    const offline = createBot({
      config: { ...h.config, discord: { ...h.config.discord, token: undefined } },
      repositories: h.repositories,
      clock: h.clock,
      logger: h.logger,
      version: 'test',
    });
    await offline.start();
    expect(
      h.logs.records().some((record) => record.msg === 'discord bot off (no DISCORD_TOKEN)'),
    ).toBe(true);
    await offline.stop();
  });
});
