/**
 * A loopback fake of the Slack Web API for tests: a real node:http server on 127.0.0.1 that the
 * app reaches through SLACK_API_URL (Bolt `clientOptions.slackApiUrl`). It answers like Slack
 * (`{ok:true,…}` / `{ok:false,error}` with HTTP 200), checks the bot token and the scopes of
 * slack-app-manifest.yml, keeps a small workspace (slack-fake-state.ts), records every call, and
 * can be told to misbehave: 429 with Retry-After, `ok:false` errors, HTTP 500, or a real
 * per-channel rate limit. It also serves `response_url`s (`/response/<id>`) and records the posts.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatMethods } from './slack-fake-chat.ts';
import type { Handler } from './slack-fake-common.ts';
import { conversationMethods } from './slack-fake-conversations.ts';
import { parseApiRequest } from './slack-fake-http.ts';
import { APP_ID, BOT_ID, BOT_TOKEN, BOT_USER_ID, MANIFEST_BOT_SCOPES, TEAM_ID } from './slack-fake-ids.ts';
import { SlackState } from './slack-fake-state.ts';
import { APP_TOKEN, createSocketMode, type SocketModeFake } from './slack-fake-socket.ts';
import type {
  FakeChannel,
  FakeEphemeral,
  FakeMessage,
  FakePin,
  FakeUser,
  FakeView,
  Json,
  SeedChannel,
  SeedUser,
} from './slack-fake-state.ts';
import { viewMethods } from './slack-fake-views.ts';

export type {
  FakeChannel,
  FakeEphemeral,
  FakeMessage,
  FakePin,
  FakeUser,
  FakeView,
  Json,
  SeedChannel,
  SeedUser,
};
export { channelNameError } from './slack-fake-conversations.ts';

/**
 * - `ratelimited`: HTTP 429, `Retry-After: 1`, `{ok:false,error:'ratelimited'}` (`ratelimited:N` → N s).
 * - `error:<code>`: HTTP 200 `{ok:false,error:<code>}`.
 * - `http500`: HTTP 500 with a plain-text body.
 * Injected failures happen before Slack looks at the request: nothing changes.
 */
export type FailKind = 'ratelimited' | `ratelimited:${number}` | 'http500' | `error:${string}`;

export interface SlackCall {
  method: string;
  args: Json;
  token: string | null;
  tokenVia: 'header' | 'body' | null;
  contentType: string;
  /** Date.now() at arrival. */
  at: number;
  status: number;
  /** The JSON answer (null for an HTTP 500). */
  response: Json | null;
  outcome: 'ok' | 'error' | 'ratelimited' | 'http500';
}

export interface ResponsePost {
  id: string;
  /** JSON bodies parsed (Bolt's respond() sends JSON); anything else kept as text. */
  body: unknown;
  contentType: string;
  at: number;
  status: number;
}

/** More than `perSecond` calls to one of `methods` in any 1000 ms for one channel (or message) → 429. */
export interface RateLimit {
  perSecond: number;
  methods?: string[];
  per?: 'channel' | 'message';
  retryAfter?: number;
}

export interface SlackFakeOptions {
  botToken?: string;
  /** Replaces the default users (W111, U111, U222); the bot user is always there. */
  users?: SeedUser[];
  /** Replaces the default channels (C111 #random, C222 #general). */
  channels?: SeedChannel[];
  usergroups?: Record<string, string[]>;
  /** Granted bot scopes; defaults to exactly the manifest's. */
  scopes?: readonly string[];
  rateLimit?: RateLimit;
  /** The app-level token `apps.connections.open` accepts (Socket Mode, slack-fake-socket.ts). */
  appToken?: string;
}

export interface SlackFake {
  /** Web API base for SLACK_API_URL / slackApiUrl; ends with `/api/`. */
  readonly url: string;
  readonly origin: string;
  readonly botToken: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly appId: string;
  readonly state: SlackState;
  /** Every Web API call in arrival order, failed ones included. */
  readonly calls: SlackCall[];
  callsTo(method: string): SlackCall[];
  failNext(method: string, n: number, kind: FailKind): void;
  /** Every call to `method` fails with `kind` for the next `ms` milliseconds (a 429 storm). */
  failFor(method: string, ms: number, kind: FailKind): void;
  setRateLimit(limit: RateLimit | null): void;
  /** A response_url served by the fake; `failNext('response_url', …)` makes posts to it fail. */
  responseUrl(id: string): string;
  readonly responses: ResponsePost[];
  responsesTo(id: string): ResponsePost[];
  readonly channels: FakeChannel[];
  channel(idOrName: string): FakeChannel | undefined;
  addChannel(c: SeedChannel): FakeChannel;
  addUser(u: SeedUser): FakeUser;
  setUsergroup(id: string, members: string[]): void;
  /** Root messages of a channel (id or name) with updates applied and replies under `.replies`. */
  messages(channel: string): FakeMessage[];
  thread(channel: string, ts: string): FakeMessage[];
  ephemerals(filter?: { channel?: string; user?: string }): FakeEphemeral[];
  readonly views: Map<string, FakeView>;
  view(id: string): FakeView | undefined;
  homeView(userId: string): FakeView | undefined;
  /** The user closed the modal: later views.update answers `not_found`. */
  closeView(id: string): void;
  /** What the user typed, as it will appear in view.state.values. */
  setViewState(id: string, values: Record<string, Record<string, Json>>): void;
  readonly pins: FakePin[];
  /** Socket Mode: the WebSocket link, its envelopes and acks. */
  readonly socket: SocketModeFake;
  /** Polls `check` until it returns a value; on timeout the error lists the calls seen. */
  waitFor<T>(
    check: () => T | undefined | null | false,
    opts?: { timeoutMs?: number; what?: string },
  ): Promise<T>;
  close(): Promise<void>;
}

function checkKind(fn: string, kind: string): void {
  if (!/^(ratelimited(:\d+)?|http500|error:[a-z0-9_]+)$/.test(kind)) {
    throw new Error(
      `${fn}: unknown kind "${kind}"; use ratelimited, ratelimited:<seconds>, http500 or error:<code>`,
    );
  }
}

const METHODS: Record<string, Handler> = { ...chatMethods, ...viewMethods, ...conversationMethods };
const DEFAULT_LIMITED = ['chat.postMessage', 'chat.update'];

export async function startSlackFake(opts: SlackFakeOptions = {}): Promise<SlackFake> {
  const botToken = opts.botToken ?? BOT_TOKEN;
  const scopes = new Set(opts.scopes ?? MANIFEST_BOT_SCOPES);
  const state = new SlackState(Date.now, opts);
  const calls: SlackCall[] = [];
  const responses: ResponsePost[] = [];
  const failures = new Map<string, FailKind[]>();
  const failWindows = new Map<string, { until: number; kind: FailKind }>();
  const recent = new Map<string, number[]>();
  let rateLimit: RateLimit | null = opts.rateLimit ?? null;
  const socket = createSocketMode({
    appToken: opts.appToken ?? APP_TOKEN,
    appId: APP_ID,
    wsOrigin: () => origin.replace(/^http/, 'ws'),
  });

  const send = (
    res: ServerResponse,
    status: number,
    body: Json | string,
    headers: Record<string, string> = {},
  ): void => {
    const json = typeof body !== 'string';
    res.writeHead(status, {
      'content-type': json ? 'application/json; charset=utf-8' : 'text/plain',
      'x-oauth-scopes': [...scopes].join(','),
      ...headers,
    });
    res.end(json ? JSON.stringify(body) : body);
  };

  /** Answers an injected failure; true when one was due. */
  const injected = (key: string, res: ServerResponse, call?: SlackCall): boolean => {
    const window = failWindows.get(key);
    const kind = window && Date.now() < window.until ? window.kind : failures.get(key)?.shift();
    if (kind === undefined) return false;
    if (kind.startsWith('ratelimited')) {
      const retryAfter = kind.split(':')[1] ?? '1';
      const body = { ok: false, error: 'ratelimited' };
      if (call) Object.assign(call, { status: 429, response: body, outcome: 'ratelimited' });
      send(res, 429, body, { 'retry-after': retryAfter });
    } else if (kind === 'http500') {
      if (call) Object.assign(call, { status: 500, response: null, outcome: 'http500' });
      send(res, 500, 'Internal Server Error');
    } else {
      const body = { ok: false, error: kind.slice('error:'.length) };
      if (call) Object.assign(call, { status: 200, response: body, outcome: 'error' });
      // A response_url that refuses answers with an HTTP error, as hooks do.
      send(res, call ? 200 : 404, body);
    }
    return true;
  };

  /** The real limiter: counts calls that reached Slack in a sliding one-second window. */
  const overLimit = (method: string, args: Json): RateLimit | null => {
    if (!rateLimit || !(rateLimit.methods ?? DEFAULT_LIMITED).includes(method)) return null;
    const ref = String(args.channel ?? '');
    const channel = state.findChannel(ref)?.id ?? ref; // `#name` and the id count as one channel
    const key = [method, channel, rateLimit.per === 'message' ? String(args.ts ?? '') : ''].join('|');
    const now = Date.now();
    const times = (recent.get(key) ?? []).filter((t) => now - t < 1000);
    recent.set(key, times);
    if (times.length >= rateLimit.perSecond) return rateLimit;
    times.push(now);
    return null;
  };

  const handleApi = (req: IncomingMessage, res: ServerResponse, u: URL, raw: string): void => {
    const method = decodeURIComponent(u.pathname.slice('/api/'.length));
    const parsed = parseApiRequest(req.headers, raw, u.searchParams);
    const call: SlackCall = {
      method,
      args: parsed.args,
      token: parsed.token,
      tokenVia: parsed.tokenVia,
      contentType: parsed.contentType,
      at: Date.now(),
      status: 0,
      response: null,
      outcome: 'ok',
    };
    calls.push(call);
    if (injected(method, res, call)) return;
    const answer = (body: Json): void => {
      Object.assign(call, { status: 200, response: body, outcome: body.ok === true ? 'ok' : 'error' });
      send(res, 200, body);
    };
    if (parsed.error) return answer({ ok: false, error: parsed.error });
    // The one method that takes the app-level token, not the bot token.
    if (method === 'apps.connections.open') return answer(socket.connectionsOpen(parsed));
    if (parsed.token === null) return answer({ ok: false, error: 'not_authed' });
    if (parsed.token !== botToken) return answer({ ok: false, error: 'invalid_auth' });
    const handler = METHODS[method];
    if (!handler) return answer({ ok: false, error: 'unknown_method' });
    const limited = overLimit(method, parsed.args);
    if (limited) {
      const body = { ok: false, error: 'ratelimited' };
      Object.assign(call, { status: 429, response: body, outcome: 'ratelimited' });
      return send(res, 429, body, { 'retry-after': String(limited.retryAfter ?? 1) });
    }
    answer(handler(parsed.args, { state, scopes }));
  };

  const handleResponseUrl = (req: IncomingMessage, res: ServerResponse, id: string, raw: string): void => {
    if (req.method !== 'POST') return send(res, 405, 'method_not_allowed');
    if (injected('response_url', res)) return;
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    let body: unknown = raw;
    if (contentType === 'application/json') {
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        return send(res, 400, 'invalid_payload');
      }
    }
    responses.push({ id, body, contentType, at: Date.now(), status: 200 });
    send(res, 200, { ok: true });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const u = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (u.pathname.startsWith('/api/')) return handleApi(req, res, u, raw);
      const m = /^\/response\/([^/]+)$/.exec(u.pathname);
      if (m) return handleResponseUrl(req, res, decodeURIComponent(m[1] ?? ''), raw);
      send(res, 404, 'not_found');
    });
  });
  server.on('upgrade', socket.upgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const channelId = (ref: string): string | undefined => state.findChannel(ref)?.id;

  return {
    url: `${origin}/api/`,
    origin,
    botToken,
    botUserId: BOT_USER_ID,
    botId: BOT_ID,
    teamId: TEAM_ID,
    appId: APP_ID,
    state,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    failNext(method, n, kind) {
      checkKind('failNext', kind);
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < n; i++) queue.push(kind);
      failures.set(method, queue);
    },
    failFor(method, ms, kind) {
      checkKind('failFor', kind);
      failWindows.set(method, { until: Date.now() + ms, kind });
    },
    setRateLimit(limit) {
      rateLimit = limit;
      recent.clear();
    },
    responseUrl: (id) => `${origin}/response/${encodeURIComponent(id)}`,
    responses,
    responsesTo: (id) => responses.filter((r) => r.id === id),
    get channels() {
      return [...state.channels.values()];
    },
    channel: (ref) => state.findChannel(ref),
    addChannel: (c) => state.addChannel(c),
    addUser: (u) => state.addUser(u),
    setUsergroup: (id, members) => void state.usergroups.set(id, [...members]),
    messages(ref) {
      const id = channelId(ref);
      return id === undefined ? [] : (state.messages.get(id) ?? []);
    },
    thread(ref, ts) {
      const id = channelId(ref);
      return (id === undefined ? [] : (state.messages.get(id) ?? [])).find((m) => m.ts === ts)?.replies ?? [];
    },
    ephemerals(filter = {}) {
      const ch = filter.channel === undefined ? undefined : channelId(filter.channel);
      return state.ephemerals.filter(
        (e) =>
          (filter.channel === undefined || e.channel === ch) &&
          (filter.user === undefined || e.user === filter.user),
      );
    },
    views: state.views,
    view: (id) => state.views.get(id),
    homeView: (userId) => [...state.views.values()].find((v) => v.type === 'home' && v.user_id === userId),
    closeView(id) {
      // Closing a modal closes the views pushed on top of it too.
      for (const v of state.views.values()) if (v.id === id || v.root_view_id === id) v.closed = true;
    },
    setViewState(id, values) {
      const v = state.views.get(id);
      if (!v)
        throw new Error(
          `setViewState: no view ${id}; known: ${[...state.views.keys()].join(', ') || 'none'}`,
        );
      v.values = values;
    },
    pins: state.pins,
    socket: socket.fake,
    async waitFor(check, { timeoutMs = 3000, what = 'condition' } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const v = check();
        if (v !== undefined && v !== null && v !== false) return v;
        if (Date.now() > deadline) {
          const seen = calls.map(
            (c) => `${c.method}→${c.outcome}${c.response?.error ? `(${String(c.response.error)})` : ''}`,
          );
          throw new Error(
            `Slack fake: timed out after ${timeoutMs} ms waiting for ${what}; calls: ${seen.join(', ') || 'none'}`,
          );
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: async () => {
      await socket.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
