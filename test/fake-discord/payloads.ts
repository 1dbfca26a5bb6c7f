/**
 * API-shaped payloads (Discord API v10) the fake sends: users, guilds, members, interactions.
 * Plain JSON so the real discord.js client parses them as it would Discord's.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
// eslint-disable-next-line @typescript-eslint/consistent-indexed-object-style -- a recursive type needs the index signature
export type JsonObject = { [key: string]: Json };

/** Permission bits used by tests (strings in payloads, as Discord sends them). */
export const PERMISSIONS = {
  viewChannel: 1n << 10n,
  sendMessages: 1n << 11n,
  manageGuild: 1n << 5n,
  administrator: 1n << 3n,
  useApplicationCommands: 1n << 31n,
} as const;

export const MEMBER_PERMISSIONS =
  PERMISSIONS.viewChannel | PERMISSIONS.sendMessages | PERMISSIONS.useApplicationCommands;

export const INTERACTION_TYPE = {
  ping: 1,
  applicationCommand: 2,
  messageComponent: 3,
  autocomplete: 4,
  modalSubmit: 5,
} as const;

export const CALLBACK_TYPE = {
  pong: 1,
  channelMessageWithSource: 4,
  deferredChannelMessageWithSource: 5,
  deferredUpdateMessage: 6,
  updateMessage: 7,
  autocompleteResult: 8,
  modal: 9,
} as const;

/** Application command option types. */
export const OPTION_TYPE = {
  subcommand: 1,
  subcommandGroup: 2,
  string: 3,
  integer: 4,
  boolean: 5,
  user: 6,
  channel: 7,
  role: 8,
  mentionable: 9,
  number: 10,
} as const;

export const COMPONENT_TYPE = {
  actionRow: 1,
  button: 2,
  stringSelect: 3,
  userSelect: 5,
  roleSelect: 6,
  channelSelect: 8,
} as const;

export type FakeUser = { readonly id: string; readonly username: string; readonly bot?: boolean };
export type FakeRole = { readonly id: string; readonly name: string; readonly permissions: bigint };
export type FakeChannel = { readonly id: string; readonly name: string };
export type FakeGuild = {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly roles: readonly FakeRole[];
  readonly channels: readonly FakeChannel[];
  readonly members: readonly { user: FakeUser; roleIds: readonly string[] }[];
};

export function userPayload(user: FakeUser): JsonObject {
  return {
    id: user.id,
    username: user.username,
    global_name: user.username,
    discriminator: '0',
    avatar: null,
    bot: user.bot ?? false,
    system: false,
    public_flags: 0,
    flags: 0,
  };
}

export function rolePayload(role: FakeRole, position: number): JsonObject {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: role.permissions.toString(),
    managed: false,
    mentionable: true,
    flags: 0,
  };
}

export function guildChannelPayload(channel: FakeChannel, guildId: string, position: number) {
  return {
    id: channel.id,
    type: 0,
    guild_id: guildId,
    name: channel.name,
    position,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  } satisfies JsonObject;
}

export function memberPayload(
  user: FakeUser,
  roleIds: readonly string[],
  permissions?: bigint,
): JsonObject {
  return {
    user: userPayload(user),
    roles: [...roleIds],
    joined_at: '2026-01-01T00:00:00.000Z',
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    nick: null,
    avatar: null,
    communication_disabled_until: null,
    ...(permissions === undefined ? {} : { permissions: permissions.toString() }),
  };
}

export function guildCreatePayload(guild: FakeGuild): JsonObject {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: 'fr',
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    application_id: null,
    features: [],
    max_members: 500_000,
    max_video_channel_users: 25,
    roles: guild.roles.map((role, index) => rolePayload(role, index)),
    emojis: [],
    stickers: [],
    channels: guild.channels.map((channel, index) => guildChannelPayload(channel, guild.id, index)),
    threads: [],
    members: guild.members.map((member) => memberPayload(member.user, member.roleIds)),
    member_count: guild.members.length,
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    large: false,
    unavailable: false,
    joined_at: '2026-01-01T00:00:00.000Z',
    lazy: true,
  };
}

/** Who an injected interaction comes from, and where. */
export type InteractionContext =
  | {
      readonly kind: 'guild';
      readonly user: FakeUser;
      /** Computed member permissions in the channel (what Discord sends as member.permissions). */
      readonly permissions: bigint;
      readonly roleIds?: readonly string[];
      readonly channelId?: string;
    }
  | { readonly kind: 'dm'; readonly user: FakeUser };

export type CommandOption =
  | {
      readonly name: string;
      readonly type: (typeof OPTION_TYPE)['subcommand' | 'subcommandGroup'];
      readonly options?: readonly CommandOption[];
    }
  | {
      readonly name: string;
      readonly type: Exclude<
        (typeof OPTION_TYPE)[keyof typeof OPTION_TYPE],
        (typeof OPTION_TYPE)['subcommand' | 'subcommandGroup']
      >;
      readonly value: string | number | boolean;
      readonly focused?: boolean;
    };

/** Shorthands for options in injected commands. */
export const option = {
  string: (name: string, value: string, focused = false): CommandOption => ({
    name,
    type: OPTION_TYPE.string,
    value,
    ...(focused ? { focused } : {}),
  }),
  integer: (name: string, value: number): CommandOption => ({
    name,
    type: OPTION_TYPE.integer,
    value,
  }),
  boolean: (name: string, value: boolean): CommandOption => ({
    name,
    type: OPTION_TYPE.boolean,
    value,
  }),
  user: (name: string, userId: string): CommandOption => ({
    name,
    type: OPTION_TYPE.user,
    value: userId,
  }),
  channel: (name: string, channelId: string): CommandOption => ({
    name,
    type: OPTION_TYPE.channel,
    value: channelId,
  }),
  role: (name: string, roleId: string): CommandOption => ({
    name,
    type: OPTION_TYPE.role,
    value: roleId,
  }),
  subcommand: (name: string, options: readonly CommandOption[] = []): CommandOption => ({
    name,
    type: OPTION_TYPE.subcommand,
    options,
  }),
};

export function optionPayload(value: CommandOption): JsonObject {
  if (!('value' in value)) {
    return {
      name: value.name,
      type: value.type,
      options: (value.options ?? []).map(optionPayload),
    };
  }
  return {
    name: value.name,
    type: value.type,
    value: value.value,
    ...(value.focused === true ? { focused: true } : {}),
  };
}

export function flattenOptions(options: readonly CommandOption[]): CommandOption[] {
  return options.flatMap((entry) =>
    'options' in entry ? flattenOptions(entry.options ?? []) : [entry],
  );
}
