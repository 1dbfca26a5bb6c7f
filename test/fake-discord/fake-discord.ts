import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  CALLBACK_TYPE,
  COMPONENT_TYPE,
  flattenOptions,
  guildChannelPayload,
  guildCreatePayload,
  INTERACTION_TYPE,
  memberPayload,
  MEMBER_PERMISSIONS,
  OPTION_TYPE,
  optionPayload,
  PERMISSIONS,
  rolePayload,
  userPayload,
  type CommandOption,
  type FakeChannel,
  type FakeGuild,
  type FakeRole,
  type FakeUser,
  type InteractionContext,
  type Json,
  type JsonObject,
} from './payloads.ts';
import { validateChoices, validateCommands, validateMessage } from './validation.ts';

/**
 * A fake Discord on 127.0.0.1 for end-to-end tests with the real discord.js client: REST under
 * /api/v10 (what a bot with slash commands, DMs and channel messages calls) and a gateway
 * WebSocket (HELLO, IDENTIFY, READY, GUILD_CREATE, heartbeats, RESUME, dispatches). Every REST call
 * is recorded. Fault switches: failures per route (5xx, 429 per route or global, Discord error
 * codes, dropped connections), timed outages of the whole API and gateway, slow or held responses.
 */

const GATEWAY_OP = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  resume: 6,
  reconnect: 7,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11,
} as const;

export type RecordedCall = {
  readonly method: string;
  /** Path after /api/v10, without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly headers: IncomingMessage['headers'];
  status: number;
};

export type FailureRule = {
  readonly method?: string;
  /** Matched against the path after /api/v10. */
  readonly path: RegExp;
  readonly status: number;
  /** Discord JSON error code (e.g. 50007 for closed DMs). */
  readonly code?: number;
  readonly message?: string;
  /** Seconds, for 429 answers. */
  readonly retryAfter?: number;
  readonly global?: boolean;
  /** How many matching calls fail (default: all until cleared). */
  readonly times?: number;
  /** Let this many matching calls through before failing (e.g. fail the second part only). */
  readonly skip?: number;
  /** Close the socket without answering (a network error). */
  readonly dropConnection?: boolean;
};

/** A route answered late (slow callbacks): after `delayMs`, or when released. */
export type SlowRule = {
  readonly method?: string;
  readonly path: RegExp;
  readonly delayMs?: number;
};

export type OutageOptions = {
  /** Status every REST call gets (default 503). */
  readonly status?: number;
  /** Also refuse gateway connections and drop the current one (default true). */
  readonly gateway?: boolean;
  /** End the outage by itself after this long (a timed outage). */
  readonly forMs?: number;
};

export type FakeMessage = {
  readonly id: string;
  readonly channelId: string;
  readonly content: string;
  readonly embeds: readonly JsonObject[];
  readonly components: readonly JsonObject[];
  readonly flags: number;
  readonly nonce: string | undefined;
  readonly raw: JsonObject;
};

export type InteractionCallback = { readonly type: number; readonly data: JsonObject | undefined };

export type InjectedInteraction = {
  readonly id: string;
  readonly token: string;
  /** Resolves with the interaction response (acknowledgement) as Discord received it. */
  callback(): Promise<InteractionCallback>;
  /** The visible reply: the callback's message, or the edited original after a deferral. */
  reply(timeoutMs?: number): Promise<FakeMessage>;
  followUps(): readonly FakeMessage[];
};

type InteractionState = {
  readonly id: string;
  readonly token: string;
  readonly payload: JsonObject;
  readonly injectedAt: number;
  callback: InteractionCallback | undefined;
  original: FakeMessage | undefined;
  deferred: boolean;
  readonly followUps: FakeMessage[];
};

type Session = { readonly id: string; seq: number; readonly events: JsonObject[] };

export type FakeDiscordOptions = {
  readonly token?: string;
  /** Milliseconds between heartbeats the client is told to send. */
  readonly heartbeatIntervalMs?: number;
  /** Default time a wait helper waits before failing (ms). */
  readonly waitTimeoutMs?: number;
  /** An interaction not acknowledged within this delay is unknown (Discord: 3 s). */
  readonly interactionTimeoutMs?: number;
};

export type FakeDiscord = Awaited<ReturnType<typeof startFakeDiscord>>;

let snowflakeCounter = 1_300_000_000_000_000_000n;
function nextSnowflake(): string {
  snowflakeCounter += 1n;
  return snowflakeCounter.toString();
}

export async function startFakeDiscord(options: FakeDiscordOptions = {}) {
  const token = options.token ?? 'fake-bot-token';
  const waitTimeoutMs = options.waitTimeoutMs ?? 5_000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 41_250;
  const interactionTimeoutMs = options.interactionTimeoutMs ?? 3_000;
  const events = new EventEmitter();
  events.setMaxListeners(0);

  const application = { id: nextSnowflake(), name: 'Planning Proxy' };
  const botUser: FakeUser = { id: application.id, username: 'planning-proxy', bot: true };

  const users = new Map<string, FakeUser>();
  function addUser(username: string): FakeUser {
    const user = { id: nextSnowflake(), username };
    users.set(user.id, user);
    return user;
  }
  users.set(botUser.id, botUser);
  const admin = addUser('admin');
  const moderator = addUser('moderator');
  const student = addUser('student');
  const otherStudent = addUser('other-student');

  const guildId = nextSnowflake();
  const roles = {
    everyone: { id: guildId, name: '@everyone', permissions: MEMBER_PERMISSIONS },
    staff: { id: nextSnowflake(), name: 'staff', permissions: MEMBER_PERMISSIONS },
    students: { id: nextSnowflake(), name: 'students', permissions: MEMBER_PERMISSIONS },
  } satisfies Record<string, FakeRole>;
  const channels = {
    general: { id: nextSnowflake(), name: 'general' },
    alerts: { id: nextSnowflake(), name: 'alerts' },
    otherAlerts: { id: nextSnowflake(), name: 'alerts-2' },
  } satisfies Record<string, FakeChannel>;
  const guild: FakeGuild = {
    id: guildId,
    name: 'École',
    ownerId: admin.id,
    roles: Object.values(roles),
    channels: Object.values(channels),
    members: [
      { user: botUser, roleIds: [] },
      { user: admin, roleIds: [] },
      { user: moderator, roleIds: [roles.staff.id] },
      { user: student, roleIds: [roles.students.id] },
    ],
  };

  const calls: RecordedCall[] = [];
  const failures: { rule: FailureRule; remaining: number; skip: number }[] = [];
  const slowRules: { rule: SlowRule; released: Promise<void> | undefined }[] = [];
  let outage: { status: number; gateway: boolean; timer: NodeJS.Timeout | undefined } | undefined;
  let held = 0;
  const closedDms = new Set<string>();
  const dmChannels = new Map<string, string>(); // user id → channel id
  const messages = new Map<string, FakeMessage[]>(); // channel id → messages
  const commands = new Map<string, JsonObject[]>(); // 'global' | guild id → commands
  const interactions = new Map<string, InteractionState>();
  const identifies: JsonObject[] = [];
  const resumes: JsonObject[] = [];
  let connections = 0;
  let gatewayRefusals = 0;

  // ---------------------------------------------------------------- REST

  type Reply = { status: number; body?: Json; headers?: Record<string, string> };
  type Handler = (match: RegExpMatchArray, body: JsonObject, query: URLSearchParams) => Reply;
  const routes: { method: string; path: RegExp; auth: boolean; handler: Handler }[] = [];
  function route(method: string, path: RegExp, handler: Handler, auth = true): void {
    routes.push({ method, path, handler, auth });
  }
  const ok = (body: Json): Reply => ({ status: 200, body });
  const noContent: Reply = { status: 204 };
  const apiError = (status: number, code: number, message: string): Reply => ({
    status,
    body: { message, code },
  });
  const notFound = (what: string, code: number): Reply => apiError(404, code, `Unknown ${what}`);
  /** Payloads Discord would refuse, with the reasons (for test diagnostics). */
  const rejections: { path: string; problems: string[] }[] = [];
  const invalidForm = (path: string, problems: string[]): Reply | undefined => {
    if (problems.length === 0) return undefined;
    rejections.push({ path, problems });
    return {
      status: 400,
      body: { message: 'Invalid Form Body', code: 50035, errors: { _errors: problems } },
    };
  };

  route('GET', /^\/gateway\/bot$/, () =>
    ok({
      url: gatewayUrl,
      shards: 1,
      session_start_limit: {
        total: 1000,
        remaining: 999,
        reset_after: 86_400_000,
        max_concurrency: 1,
      },
    }),
  );
  route('GET', /^\/gateway$/, () => ok({ url: gatewayUrl }));
  route('GET', /^\/users\/@me$/, () => ok(userPayload(botUser)));
  route('GET', /^\/users\/(\d+)$/, (match) => {
    const user = users.get(match[1] ?? '');
    return user === undefined ? notFound('User', 10013) : ok(userPayload(user));
  });
  route('GET', /^\/applications\/@me$/, () =>
    ok({
      id: application.id,
      name: application.name,
      icon: null,
      description: '',
      bot_public: false,
      bot_require_code_grant: false,
      verify_key: 'fake',
      flags: 0,
      bot: userPayload(botUser),
    }),
  );

  const commandScope = (match: RegExpMatchArray): string | undefined =>
    match[1] === application.id ? (match[2] ?? 'global') : undefined;
  route('GET', /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/, (match) => {
    const scope = commandScope(match);
    return scope === undefined ? notFound('Application', 10002) : ok(commands.get(scope) ?? []);
  });
  route('PUT', /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/, (match, body) => {
    const scope = commandScope(match);
    if (scope === undefined) return notFound('Application', 10002);
    if (!Array.isArray(body)) return apiError(400, 50035, 'Invalid Form Body');
    const invalid = invalidForm('commands', validateCommands(body as JsonObject[]));
    if (invalid !== undefined) return invalid;
    const registered = (body as JsonObject[]).map((command) => ({
      ...command,
      id: nextSnowflake(),
      application_id: application.id,
      version: nextSnowflake(),
      type: command.type ?? 1,
      ...(scope === 'global' ? {} : { guild_id: scope }),
    }));
    commands.set(scope, registered);
    return ok(registered);
  });

  route('POST', /^\/users\/@me\/channels$/, (_match, body) => {
    const recipientId = typeof body.recipient_id === 'string' ? body.recipient_id : '';
    const user = users.get(recipientId);
    if (user === undefined) return apiError(400, 50035, 'Invalid Form Body');
    let channelId = dmChannels.get(user.id);
    if (channelId === undefined) {
      channelId = nextSnowflake();
      dmChannels.set(user.id, channelId);
    }
    return ok({
      id: channelId,
      type: 1,
      last_message_id: null,
      flags: 0,
      recipients: [userPayload(user)],
    });
  });

  route('GET', /^\/channels\/(\d+)$/, (match) => {
    const id = match[1] ?? '';
    const channel = Object.values(channels).find((entry) => entry.id === id);
    if (channel !== undefined) return ok(guildChannelPayload(channel, guild.id, 0));
    const dmUser = [...dmChannels].find(([, channelId]) => channelId === id)?.[0];
    const user = dmUser === undefined ? undefined : users.get(dmUser);
    if (user !== undefined)
      return ok({ id, type: 1, last_message_id: null, recipients: [userPayload(user)] });
    return notFound('Channel', 10003);
  });

  route('POST', /^\/channels\/(\d+)\/messages$/, (match, body) => {
    const channelId = match[1] ?? '';
    const dmUser = [...dmChannels].find(([, id]) => id === channelId)?.[0];
    const known =
      dmUser !== undefined || Object.values(channels).some((entry) => entry.id === channelId);
    if (!known) return notFound('Channel', 10003);
    if (dmUser !== undefined && closedDms.has(dmUser)) {
      return apiError(403, 50007, 'Cannot send messages to this user');
    }
    const invalid = invalidForm('message', validateMessage(body));
    if (invalid !== undefined) return invalid;
    const nonce = typeof body.nonce === 'string' ? body.nonce : undefined;
    if (nonce !== undefined && body.enforce_nonce === true) {
      const existing = (messages.get(channelId) ?? []).find((entry) => entry.nonce === nonce);
      if (existing !== undefined) return ok(messagePayload(existing));
    }
    const message = storeMessage(channelId, body);
    return ok(messagePayload(message));
  });
  route('GET', /^\/channels\/(\d+)\/messages\/(\d+)$/, (match) => {
    const message = (messages.get(match[1] ?? '') ?? []).find((entry) => entry.id === match[2]);
    return message === undefined ? notFound('Message', 10008) : ok(messagePayload(message));
  });
  route('PATCH', /^\/channels\/(\d+)\/messages\/(\d+)$/, (match, body) => {
    const list = messages.get(match[1] ?? '') ?? [];
    const index = list.findIndex((entry) => entry.id === match[2]);
    const current = list[index];
    if (current === undefined) return notFound('Message', 10008);
    const edited = toMessage(current.id, current.channelId, { ...current.raw, ...body });
    list[index] = edited;
    events.emit('change');
    return ok(messagePayload(edited));
  });

  // Interaction responses are authenticated by the interaction token, not the bot token.
  route(
    'POST',
    /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
    (match, body, query) => {
      const state = interactions.get(match[1] ?? '');
      if (state === undefined || state.token !== match[2]) return notFound('interaction', 10062);
      if (state.callback !== undefined) {
        return apiError(400, 40060, 'Interaction has already been acknowledged.');
      }
      if (Date.now() - state.injectedAt > interactionTimeoutMs) {
        return notFound('interaction', 10062);
      }
      const type = typeof body.type === 'number' ? body.type : 0;
      const data = isObject(body.data) ? body.data : undefined;
      const invalid = invalidForm(
        'interaction callback',
        type === CALLBACK_TYPE.autocompleteResult
          ? validateChoices(data)
          : validateMessage(data ?? {}),
      );
      if (invalid !== undefined) return invalid;
      state.callback = { type, data };
      if (type === CALLBACK_TYPE.channelMessageWithSource || type === CALLBACK_TYPE.updateMessage) {
        state.original = toMessage(nextSnowflake(), channelIdOf(state), data ?? {});
      }
      if (
        type === CALLBACK_TYPE.deferredChannelMessageWithSource ||
        type === CALLBACK_TYPE.deferredUpdateMessage
      ) {
        state.deferred = true;
      }
      events.emit('change');
      if (query.get('with_response') !== 'true') return noContent;
      return ok({
        interaction: {
          id: state.id,
          type: state.payload.type ?? 2,
          activity_instance_id: null,
          response_message_id: state.original?.id ?? null,
          response_message_loading: state.deferred,
          response_message_ephemeral: ((state.original?.flags ?? 0) & 64) !== 0,
        },
        resource:
          state.original === undefined
            ? { type }
            : { type, message: messagePayload(state.original) },
      });
    },
    false,
  );
  const webhookState = (match: RegExpMatchArray): InteractionState | undefined =>
    match[1] === application.id
      ? [...interactions.values()].find((entry) => entry.token === match[2])
      : undefined;
  route(
    'PATCH',
    /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(?:@|%40)original$/,
    (match, body) => {
      const state = webhookState(match);
      if (state?.callback === undefined) return notFound('Webhook', 10015);
      const invalid = invalidForm('original message', validateMessage(body));
      if (invalid !== undefined) return invalid;
      // A deferred response keeps the flags of the deferral (e.g. ephemeral), as on Discord.
      const deferredFlags = state.callback.data?.flags;
      const base =
        state.original?.raw ?? (typeof deferredFlags === 'number' ? { flags: deferredFlags } : {});
      state.original = toMessage(state.original?.id ?? nextSnowflake(), channelIdOf(state), {
        ...base,
        ...body,
      });
      state.deferred = false;
      events.emit('change');
      return ok(messagePayload(state.original));
    },
    false,
  );
  route(
    'GET',
    /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(?:@|%40)original$/,
    (match) => {
      const state = webhookState(match);
      return state?.original === undefined
        ? notFound('Message', 10008)
        : ok(messagePayload(state.original));
    },
    false,
  );
  route(
    'DELETE',
    /^\/webhooks\/(\d+)\/([^/]+)\/messages\/(?:@|%40)original$/,
    (match) => {
      const state = webhookState(match);
      if (state?.original === undefined) return notFound('Message', 10008);
      state.original = undefined;
      events.emit('change');
      return noContent;
    },
    false,
  );
  route(
    'POST',
    /^\/webhooks\/(\d+)\/([^/]+)$/,
    (match, body) => {
      const state = webhookState(match);
      if (state?.callback === undefined) return notFound('Webhook', 10015);
      const invalid = invalidForm('follow-up message', validateMessage(body));
      if (invalid !== undefined) return invalid;
      const message = toMessage(nextSnowflake(), channelIdOf(state), body);
      state.followUps.push(message);
      events.emit('change');
      return ok(messagePayload(message));
    },
    false,
  );

  function channelIdOf(state: InteractionState): string {
    return typeof state.payload.channel_id === 'string' ? state.payload.channel_id : '';
  }

  function toMessage(id: string, channelId: string, body: JsonObject): FakeMessage {
    return {
      id,
      channelId,
      content: typeof body.content === 'string' ? body.content : '',
      embeds: Array.isArray(body.embeds) ? body.embeds.filter(isObject) : [],
      components: Array.isArray(body.components) ? body.components.filter(isObject) : [],
      flags: typeof body.flags === 'number' ? body.flags : 0,
      nonce: typeof body.nonce === 'string' ? body.nonce : undefined,
      raw: body,
    };
  }

  function storeMessage(channelId: string, body: JsonObject): FakeMessage {
    const message = toMessage(nextSnowflake(), channelId, body);
    const list = messages.get(channelId) ?? [];
    list.push(message);
    messages.set(channelId, list);
    events.emit('change');
    return message;
  }

  function messagePayload(message: FakeMessage): JsonObject {
    return {
      id: message.id,
      channel_id: message.channelId,
      type: 0,
      content: message.content,
      embeds: [...message.embeds],
      components: [...message.components],
      flags: message.flags,
      author: userPayload(botUser),
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      ...(message.nonce === undefined ? {} : { nonce: message.nonce }),
    };
  }

  function takeFailure(method: string, path: string): FailureRule | undefined {
    const entry = failures.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.rule.method === undefined || candidate.rule.method === method) &&
        candidate.rule.path.test(path),
    );
    if (entry === undefined) return undefined;
    if (entry.skip > 0) {
      entry.skip -= 1;
      return undefined;
    }
    entry.remaining -= 1;
    return entry.rule;
  }

  function failureReply(rule: FailureRule): Reply {
    if (rule.status === 429) {
      const retryAfter = rule.retryAfter ?? 1;
      return {
        status: 429,
        body: {
          message: 'You are being rate limited.',
          retry_after: retryAfter,
          global: rule.global ?? false,
        },
        headers: {
          'retry-after': String(retryAfter),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(retryAfter),
          'x-ratelimit-bucket': 'fakebucket',
          'x-ratelimit-scope': rule.global === true ? 'global' : 'user',
          ...(rule.global === true ? { 'x-ratelimit-global': 'true' } : {}),
        },
      };
    }
    if (rule.status >= 500) {
      return { status: rule.status, body: { message: 'Service Unavailable', code: 0 } };
    }
    return apiError(rule.status, rule.code ?? 0, rule.message ?? 'Failed');
  }

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    if (text !== '') {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text;
      }
    }
    const prefix = '/api/v10';
    const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
    const call: RecordedCall = {
      method,
      path,
      query: url.searchParams,
      body,
      headers: request.headers,
      status: 0,
    };
    calls.push(call);

    const send = (reply: Reply): void => {
      call.status = reply.status;
      response.writeHead(reply.status, {
        ...(reply.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...reply.headers,
      });
      response.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
      events.emit('call', call);
      events.emit('change');
    };

    if (!url.pathname.startsWith(prefix)) {
      send(notFound('route', 0));
      return;
    }
    const slow = slowRules.find(
      (candidate) =>
        (candidate.rule.method === undefined || candidate.rule.method === method) &&
        candidate.rule.path.test(path),
    );
    if (slow !== undefined) {
      held += 1;
      events.emit('change');
      if (slow.released !== undefined) await slow.released;
      else await new Promise((resolve) => setTimeout(resolve, slow.rule.delayMs ?? 0));
      held -= 1;
    }
    if (outage !== undefined) {
      send(failureReply({ path: /.*/, status: outage.status }));
      return;
    }
    const failure = takeFailure(method, path);
    if (failure?.dropConnection === true) {
      call.status = -1;
      request.socket.destroy();
      events.emit('call', call);
      return;
    }
    if (failure !== undefined) {
      send(failureReply(failure));
      return;
    }
    for (const candidate of routes) {
      if (candidate.method !== method) continue;
      const match = candidate.path.exec(path);
      if (match === null) continue;
      if (candidate.auth && request.headers.authorization !== `Bot ${token}`) {
        send(apiError(401, 0, '401: Unauthorized'));
        return;
      }
      send(
        candidate.handler(
          match,
          isObject(body) || Array.isArray(body) ? (body as JsonObject) : {},
          url.searchParams,
        ),
      );
      return;
    }
    send(apiError(404, 0, '404: Not Found'));
  }

  // ---------------------------------------------------------------- gateway

  const sessions = new Map<string, Session>();
  let socket: WebSocket | undefined;
  let session: Session | undefined;

  function send(target: WebSocket, payload: JsonObject): void {
    target.send(JSON.stringify(payload));
  }

  function dispatch(type: string, data: JsonObject): void {
    if (session === undefined) throw new Error('fake discord: no gateway session yet');
    session.seq += 1;
    const payload = { op: GATEWAY_OP.dispatch, t: type, s: session.seq, d: data };
    session.events.push(payload);
    if (socket?.readyState === 1) send(socket, payload);
  }

  function onGatewayConnection(ws: WebSocket): void {
    connections += 1;
    socket = ws;
    send(ws, { op: GATEWAY_OP.hello, d: { heartbeat_interval: heartbeatIntervalMs } });
    ws.on('message', (raw: Buffer) => {
      const message = JSON.parse(raw.toString('utf8')) as { op: number; d: unknown };
      switch (message.op) {
        case GATEWAY_OP.heartbeat:
          send(ws, { op: GATEWAY_OP.heartbeatAck, d: null });
          break;
        case GATEWAY_OP.identify: {
          const data = isObject(message.d) ? message.d : {};
          identifies.push(data);
          if (data.token !== token) {
            ws.close(4004, 'Authentication failed.');
            return;
          }
          session = { id: randomBytes(16).toString('hex'), seq: 0, events: [] };
          sessions.set(session.id, session);
          dispatch('READY', {
            v: 10,
            user: { ...userPayload(botUser), verified: true, mfa_enabled: false },
            guilds: [{ id: guild.id, unavailable: true }],
            session_id: session.id,
            resume_gateway_url: gatewayUrl,
            shard: [0, 1],
            application: { id: application.id, flags: 0 },
            private_channels: [],
            relationships: [],
            presences: [],
            guild_join_requests: [],
            geo_ordered_rtc_regions: [],
            user_settings: {},
          });
          dispatch('GUILD_CREATE', guildCreatePayload(guild));
          events.emit('change');
          break;
        }
        case GATEWAY_OP.resume: {
          const data = isObject(message.d) ? message.d : {};
          resumes.push(data);
          const resumed =
            typeof data.session_id === 'string' ? sessions.get(data.session_id) : undefined;
          if (resumed === undefined || data.token !== token) {
            send(ws, { op: GATEWAY_OP.invalidSession, d: false });
            return;
          }
          session = resumed;
          const from = typeof data.seq === 'number' ? data.seq : 0;
          for (const missed of resumed.events.filter((entry) => Number(entry.s) > from)) {
            send(ws, missed);
          }
          dispatch('RESUMED', {});
          events.emit('change');
          break;
        }
        default:
          break;
      }
    });
    ws.on('close', () => {
      if (socket === ws) socket = undefined;
      events.emit('change');
    });
  }

  // ---------------------------------------------------------------- interactions

  function interactionBase(context: InteractionContext, locale: string): JsonObject {
    const id = nextSnowflake();
    const interactionToken = `aW50ZXJhY3Rpb246${randomBytes(24).toString('hex')}`;
    const common = {
      id,
      application_id: application.id,
      token: interactionToken,
      version: 1,
      locale,
      entitlements: [],
      attachment_size_limit: 10_485_760,
      app_permissions: (MEMBER_PERMISSIONS | PERMISSIONS.sendMessages).toString(),
    };
    if (context.kind === 'dm') {
      const channelId = dmChannels.get(context.user.id) ?? nextSnowflake();
      dmChannels.set(context.user.id, channelId);
      return {
        ...common,
        channel_id: channelId,
        channel: {
          id: channelId,
          type: 1,
          flags: 0,
          last_message_id: null,
          recipients: [userPayload(context.user)],
        },
        user: userPayload(context.user),
        context: 1,
        authorizing_integration_owners: { '0': guild.id },
      };
    }
    const channelId = context.channelId ?? channels.general.id;
    return {
      ...common,
      guild_id: guild.id,
      guild_locale: 'fr',
      guild: { id: guild.id, locale: 'fr', features: [] },
      channel_id: channelId,
      channel: {
        ...guildChannelPayload(channels.general, guild.id, 0),
        id: channelId,
        permissions: context.permissions.toString(),
      },
      member: memberPayload(context.user, context.roleIds ?? [], context.permissions),
      context: 0,
      authorizing_integration_owners: { '0': guild.id },
    };
  }

  function resolvedFor(options: readonly CommandOption[]): JsonObject | undefined {
    const resolved: Record<string, JsonObject> = {};
    for (const entry of flattenOptions(options)) {
      if (!('value' in entry)) continue;
      const id = String(entry.value);
      if (entry.type === OPTION_TYPE.user) {
        const user = users.get(id) ?? { id, username: `user-${id}` };
        resolved.users = { ...resolved.users, [id]: userPayload(user) };
      } else if (entry.type === OPTION_TYPE.channel) {
        const channel = Object.values(channels).find((candidate) => candidate.id === id) ?? {
          id,
          name: `channel-${id}`,
        };
        resolved.channels = {
          ...resolved.channels,
          [id]: {
            id,
            name: channel.name,
            type: 0,
            permissions: MEMBER_PERMISSIONS.toString(),
            flags: 0,
          },
        };
      } else if (entry.type === OPTION_TYPE.role) {
        const found = guild.roles.find((candidate) => candidate.id === id) ?? {
          id,
          name: `role-${id}`,
          permissions: 0n,
        };
        resolved.roles = { ...resolved.roles, [id]: rolePayload(found, 1) };
      }
    }
    return Object.keys(resolved).length === 0 ? undefined : resolved;
  }

  function commandIdFor(name: string): string {
    for (const list of commands.values()) {
      const found = list.find((command) => command.name === name);
      if (found !== undefined && typeof found.id === 'string') return found.id;
    }
    return nextSnowflake();
  }

  function inject(payload: JsonObject): InjectedInteraction {
    const id = typeof payload.id === 'string' ? payload.id : '';
    const state: InteractionState = {
      id,
      token: typeof payload.token === 'string' ? payload.token : '',
      payload,
      injectedAt: Date.now(),
      callback: undefined,
      original: undefined,
      deferred: false,
      followUps: [],
    };
    interactions.set(id, state);
    dispatch('INTERACTION_CREATE', payload);
    return {
      id,
      token: state.token,
      callback: () => waitFor(() => state.callback, `the callback of interaction ${id}`),
      reply: (timeoutMs?: number) =>
        waitFor(
          () => (state.deferred ? undefined : state.original),
          `the reply to interaction ${id}`,
          timeoutMs,
        ),
      followUps: () => state.followUps,
    };
  }

  type CommandInput = {
    readonly name: string;
    readonly options?: readonly CommandOption[];
    readonly context: InteractionContext;
    readonly locale?: string;
  };

  function injectCommand(input: CommandInput): InjectedInteraction {
    const base = interactionBase(input.context, input.locale ?? 'fr');
    const options = input.options ?? [];
    const resolved = resolvedFor(options);
    return inject({
      ...base,
      type: INTERACTION_TYPE.applicationCommand,
      data: {
        id: commandIdFor(input.name),
        name: input.name,
        type: 1,
        options: options.map(optionPayload),
        ...(resolved === undefined ? {} : { resolved }),
        ...(input.context.kind === 'guild' ? { guild_id: guild.id } : {}),
      },
    });
  }

  function injectAutocomplete(input: CommandInput): InjectedInteraction {
    const base = interactionBase(input.context, input.locale ?? 'fr');
    return inject({
      ...base,
      type: INTERACTION_TYPE.autocomplete,
      data: {
        id: commandIdFor(input.name),
        name: input.name,
        type: 1,
        options: (input.options ?? []).map(optionPayload),
        ...(input.context.kind === 'guild' ? { guild_id: guild.id } : {}),
      },
    });
  }

  /** A click on a component of a message the bot sent (the message is echoed back as Discord does). */
  function injectComponent(input: {
    readonly customId: string;
    readonly componentType?: number;
    readonly values?: readonly string[];
    readonly context: InteractionContext;
    readonly locale?: string;
    readonly message?: FakeMessage;
  }): InjectedInteraction {
    const base = interactionBase(input.context, input.locale ?? 'fr');
    const channelId = typeof base.channel_id === 'string' ? base.channel_id : '';
    const message: JsonObject =
      input.message === undefined
        ? messagePayload(toMessage(nextSnowflake(), channelId, { content: '' }))
        : messagePayload(input.message);
    const componentType = input.componentType ?? COMPONENT_TYPE.button;
    return inject({
      ...base,
      type: INTERACTION_TYPE.messageComponent,
      message: { ...message, channel_id: channelId },
      data: {
        custom_id: input.customId,
        component_type: componentType,
        ...(input.values === undefined ? {} : { values: [...input.values] }),
      },
    });
  }

  // ---------------------------------------------------------------- waiting

  function waitFor<T>(
    probe: () => T | undefined,
    what: string,
    timeoutMs = waitTimeoutMs,
  ): Promise<T> {
    const first = probe();
    if (first !== undefined) return Promise.resolve(first);
    return new Promise<T>((resolve, reject) => {
      const onChange = (): void => {
        const value = probe();
        if (value === undefined) return;
        clearTimeout(timer);
        events.off('change', onChange);
        resolve(value);
      };
      const timer = setTimeout(() => {
        events.off('change', onChange);
        reject(new Error(`fake discord: timed out waiting for ${what}`));
      }, timeoutMs);
      events.on('change', onChange);
    });
  }

  // ---------------------------------------------------------------- server

  const server: Server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, rawSocket, head) => {
    if (!(request.url ?? '').startsWith('/gateway')) {
      rawSocket.destroy();
      return;
    }
    if (outage?.gateway === true) {
      gatewayRefusals += 1;
      rawSocket.destroy();
      return;
    }
    wss.handleUpgrade(request, rawSocket, head, (ws) => {
      onGatewayConnection(ws);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const gatewayUrl = `ws://127.0.0.1:${port}/gateway`;

  return {
    token,
    baseUrl,
    /** Give this to the client's `rest.api` option. */
    apiUrl: `${baseUrl}/api`,
    gatewayUrl,
    application,
    botUser,
    guild,
    roles,
    channels,
    users: { admin, moderator, student, otherStudent },
    addUser,
    calls,
    /** Calls matching a method and a path pattern (after /api/v10). */
    callsTo(method: string, path: RegExp): RecordedCall[] {
      return calls.filter((call) => call.method === method && path.test(call.path));
    },
    identifies,
    resumes,
    /** Payloads refused as Discord would (400 / 50035), with the reasons. */
    rejections,
    get connections() {
      return connections;
    },
    get connected() {
      return socket?.readyState === 1;
    },
    failRoute(rule: FailureRule): void {
      failures.push({
        rule,
        remaining: rule.times ?? Number.POSITIVE_INFINITY,
        skip: rule.skip ?? 0,
      });
    },
    clearFailures(): void {
      failures.length = 0;
    },
    /** Answers matching calls late: after `delayMs` (a slow callback). */
    slowRoute(rule: SlowRule): void {
      slowRules.push({ rule, released: undefined });
    },
    /** Holds matching calls until the returned function is called (then they are answered). */
    holdRoute(rule: Omit<SlowRule, 'delayMs'>): () => void {
      let release = (): void => undefined;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      const entry = { rule, released };
      slowRules.push(entry);
      return () => {
        const index = slowRules.indexOf(entry);
        if (index >= 0) slowRules.splice(index, 1);
        release();
      };
    },
    clearSlowRoutes(): void {
      slowRules.length = 0;
    },
    /** Calls being held or slowed right now. */
    get heldCalls() {
      return held;
    },
    /**
     * Discord down: every REST call answers `status` (503), and by default the gateway refuses
     * connections and drops the current one. Ends with endOutage() or after `forMs`.
     */
    startOutage(options: OutageOptions = {}): void {
      if (outage?.timer !== undefined) clearTimeout(outage.timer);
      outage = {
        status: options.status ?? 503,
        gateway: options.gateway ?? true,
        timer:
          options.forMs === undefined
            ? undefined
            : setTimeout(() => {
                outage = undefined;
                events.emit('change');
              }, options.forMs),
      };
      if (outage.gateway) socket?.close(4000, 'fake discord outage');
      events.emit('change');
    },
    endOutage(): void {
      if (outage?.timer !== undefined) clearTimeout(outage.timer);
      outage = undefined;
      events.emit('change');
    },
    get inOutage() {
      return outage !== undefined;
    },
    /** Gateway connections refused during outages. */
    get gatewayRefusals() {
      return gatewayRefusals;
    },
    /** The DM channel the fake opened for a user (undefined before the first DM). */
    dmChannelId(userId: string): string | undefined {
      return dmChannels.get(userId);
    },
    closeDms(userId: string): void {
      closedDms.add(userId);
    },
    openDms(userId: string): void {
      closedDms.delete(userId);
    },
    registeredCommands(scope: string): readonly JsonObject[] {
      return commands.get(scope) ?? [];
    },
    channelMessages(channelId: string): readonly FakeMessage[] {
      return messages.get(channelId) ?? [];
    },
    dmMessages(userId: string): readonly FakeMessage[] {
      const channelId = dmChannels.get(userId);
      return channelId === undefined ? [] : (messages.get(channelId) ?? []);
    },
    /** Context of a guild member with the given permissions (default: an ordinary member). */
    inGuild(
      user: FakeUser,
      extra: { permissions?: bigint; roleIds?: readonly string[]; channelId?: string } = {},
    ): InteractionContext {
      const member = guild.members.find((entry) => entry.user.id === user.id);
      return {
        kind: 'guild',
        user,
        permissions: extra.permissions ?? MEMBER_PERMISSIONS,
        roleIds: extra.roleIds ?? member?.roleIds ?? [],
        ...(extra.channelId === undefined ? {} : { channelId: extra.channelId }),
      };
    },
    inDm(user: FakeUser): InteractionContext {
      return { kind: 'dm', user };
    },
    injectCommand,
    injectAutocomplete,
    injectComponent,
    injectRaw: inject,
    dispatch,
    waitFor,
    /** Resolves once a client has identified (or resumed) and is connected. */
    waitForSession(): Promise<true> {
      return waitFor(
        () => (socket?.readyState === 1 && session !== undefined ? true : undefined),
        'a gateway session',
      );
    },
    /** Closes the gateway socket with a resumable code; the client should RESUME. */
    dropConnection(code = 4000): void {
      socket?.close(code, 'fake discord dropped the connection');
    },
    async close(): Promise<void> {
      if (outage?.timer !== undefined) clearTimeout(outage.timer);
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
