/**
 * Requests built like Slack's and signed like Slack's, for end-to-end tests through the app's real
 * `POST /slack/events`. Every payload starts from a real fixture in test/fixtures/slack/ (sources in
 * the .source.txt sidecars) with the test's fields laid over it, so the app sees Slack's full shape,
 * not a hand-made subset. Content types are Slack's: slash commands are form fields, interactivity
 * is a form with one `payload=<JSON>` field, Events API envelopes are JSON.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { APP_ID, BOT_USER_ID, TEAM_ID } from '../fakes/slack-fake-ids.ts';
import * as ids from '../../src/slack/ids.ts';

type Json = Record<string, unknown>;
const FORM = 'application/x-www-form-urlencoded';

const fixtures = new Map<string, string>();
/** A fixture's text, read once (the ack benchmark sends thousands of requests built from them). */
const fixture = (name: string): string => {
  let text = fixtures.get(name);
  if (text === undefined)
    fixtures.set(name, (text = readFileSync(new URL(`../fixtures/slack/${name}`, import.meta.url), 'utf8')));
  return text;
};
const fixtureJson = (name: string): Json => JSON.parse(fixture(name)) as Json;

/** Where a payload's response_url points unless the test gives one: loopback, refused, never Slack. */
export const NO_RESPONSE_URL = 'http://127.0.0.1:9/response/not-set';

/** The sender of the fixture payloads (view_submission.json's user). */
export const FIXTURE_USER = {
  id: 'W111',
  username: 'primary-owner',
  name: 'primary-owner',
  team_id: TEAM_ID,
};
const FIXTURE_TEAM = { id: TEAM_ID, domain: 'workspace-domain' };

let seq = 0;
/** Slack's trigger_ids are single-use; each payload gets a fresh one unless the test sets it. */
export function newTriggerId(): string {
  seq += 1;
  return `${Date.now()}${seq}.111.${randomBytes(8).toString('hex')}`;
}
const nowTs = (): string => (Date.now() / 1000).toFixed(6);

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret. */
export function signature(secret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface PostOptions {
  /** Unix seconds for X-Slack-Request-Timestamp (default now). */
  timestamp?: number;
  /** Ten minutes old: Slack apps must refuse it. */
  stale?: boolean;
  /** Signed with the wrong secret. */
  badSignature?: boolean;
  /** A redelivery: X-Slack-Retry-Num (and X-Slack-Retry-Reason, default http_timeout). */
  retryNum?: number;
  retryReason?: string;
  headers?: Record<string, string>;
}

export interface PostResult {
  status: number;
  body: string;
  headers: Headers;
  json<T = unknown>(): T;
}

/** The app's Slack endpoint: `appUrl` itself when it already ends with /slack/events. */
export const eventsUrl = (appUrl: string): string =>
  appUrl.endsWith('/slack/events') ? appUrl : `${appUrl.replace(/\/$/, '')}/slack/events`;

export async function signedPost(
  url: string,
  secret: string,
  body: string,
  contentType: string,
  opts: PostOptions = {},
): Promise<PostResult> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000) - (opts.stale ? 600 : 0);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': signature(opts.badSignature ? `${secret}-wrong` : secret, ts, body),
    ...(opts.retryNum !== undefined
      ? {
          'x-slack-retry-num': String(opts.retryNum),
          'x-slack-retry-reason': opts.retryReason ?? 'http_timeout',
        }
      : {}),
    ...opts.headers,
  };
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text, headers: res.headers, json: <T>() => JSON.parse(text) as T };
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Lays `over` onto `base`: objects merge key by key; arrays, scalars and `state.values` replace
 * (typed values are data, not template); a key set to `undefined` is removed.
 */
export function overlay(base: unknown, over: unknown, key = ''): unknown {
  if (!isObj(base) || !isObj(over) || key === 'values') return over;
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete out[k];
    else out[k] = overlay(base[k], v, k);
  }
  return out;
}

// ---- slash commands ---------------------------------------------------------------------------

export type SlashCommandFields = { command: string; text?: string } & Record<string, string | undefined>;

/** The form body of slash_command.form.txt with `fields` laid over it. */
export function slashCommandBody(fields: SlashCommandFields): string {
  const form = new URLSearchParams(fixture('slash_command.form.txt'));
  // Slack also sends these (java-slack-sdk's field inventory); the bolt-python fixture omits them.
  form.set('api_app_id', APP_ID);
  form.set('is_enterprise_install', 'false');
  form.set('trigger_id', newTriggerId());
  form.set('response_url', NO_RESPONSE_URL);
  form.set('text', '');
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.set(k, v);
  return form.toString();
}

export const slashCommand = (
  appUrl: string,
  secret: string,
  fields: SlashCommandFields,
  opts?: PostOptions,
) => signedPost(eventsUrl(appUrl), secret, slashCommandBody(fields), FORM, opts);

// ---- interactivity ----------------------------------------------------------------------------

/** Interactivity arrives as a form with a single `payload` field holding the JSON. */
export const interactivityBody = (payload: Json): string =>
  new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

const viewTemplate = (): Json => fixtureJson('view_submission.json').view as Json;

/**
 * block_actions from block_actions.message_button.json. Actions without a type (or buttons) start
 * from the fixture's button; other types are taken as given. With a `view` the click came from a
 * modal: container points at it and message/channel/response_url go, as Slack sends it.
 */
export function blockActionPayload(overrides: Json = {}): Json {
  const base = fixtureJson('block_actions.message_button.json');
  const [buttonTemplate] = base.actions as Json[];
  const defaults: Json = {
    user: FIXTURE_USER,
    team: FIXTURE_TEAM,
    api_app_id: APP_ID,
    trigger_id: newTriggerId(),
    response_url: NO_RESPONSE_URL,
  };
  let payload = overlay(base, defaults) as Json;
  if (isObj(overrides.view)) {
    const view = overlay(viewTemplate(), overrides.view) as Json;
    payload = overlay(payload, {
      container: undefined,
      message: undefined,
      channel: undefined,
      response_url: undefined,
      view,
    }) as Json;
    payload.container = { type: 'view', view_id: view.id };
  }
  const { actions, view: _view, ...rest } = overrides;
  payload = overlay(payload, rest) as Json;
  // Keep the container consistent with a channel/message given by the test.
  const container = payload.container as Json | undefined;
  if (container?.type === 'message' && !isObj(overrides.container)) {
    if (isObj(overrides.channel)) container.channel_id = overrides.channel.id;
    if (isObj(overrides.message)) container.message_ts = overrides.message.ts;
  }
  if (Array.isArray(actions)) {
    payload.actions = actions.map((a) => {
      const act = a as Json;
      const start = act.type === undefined || act.type === 'button' ? buttonTemplate : {};
      return { ...(overlay(start, act) as Json), action_ts: act.action_ts ?? nowTs() };
    });
  }
  return payload;
}

/** view_submission from view_submission.json; `view` overlays the fixture's view. */
export function viewSubmissionPayload(overrides: Json = {}): Json {
  const base = overlay(fixtureJson('view_submission.json'), {
    user: FIXTURE_USER,
    trigger_id: newTriggerId(),
  });
  return overlay(base, overrides) as Json;
}

export function viewClosedPayload(overrides: Json = {}): Json {
  return overlay(overlay(fixtureJson('view_closed.json'), { user: FIXTURE_USER }), overrides) as Json;
}

/** block_suggestion (external select typing) from block_suggestion.json. */
export function blockSuggestionPayload(overrides: Json = {}): Json {
  return overlay(overlay(fixtureJson('block_suggestion.json'), { user: FIXTURE_USER }), overrides) as Json;
}

const interactive =
  (build: (o: Json) => Json) =>
  (appUrl: string, secret: string, overrides: Json = {}, opts?: PostOptions) =>
    signedPost(eventsUrl(appUrl), secret, interactivityBody(build(overrides)), FORM, opts);

export const blockAction = interactive(blockActionPayload);

/** A click on a runbook's Run button (App Home, `/runbook list`) in `channel`, as Slack sends it. */
export const runButtonClick = (
  appUrl: string,
  secret: string,
  click: { channel: string; runbookId: string; incidentId: string | null; triggerId?: string },
) =>
  blockAction(appUrl, secret, {
    ...(click.triggerId ? { trigger_id: click.triggerId } : {}),
    channel: { id: click.channel, name: 'inc' },
    actions: [
      {
        action_id: ids.RUNBOOK_RUN,
        block_id: 'run',
        value: ids.encodeRunButton(click.runbookId, click.incidentId),
        text: { type: 'plain_text', text: 'Run' },
      },
    ],
  });
export const viewSubmission = interactive(viewSubmissionPayload);
export const viewClosed = interactive(viewClosedPayload);
export const blockSuggestion = interactive(blockSuggestionPayload);

// ---- Events API -------------------------------------------------------------------------------

/**
 * An event_callback envelope (event.app_home_opened.messages_tab.json) around `event`. An
 * app_home_opened event (or one without a type) starts from the Home-tab docs example. Each
 * envelope gets a fresh event_id unless given: a redelivery must reuse the first envelope.
 */
export function eventEnvelope(event: Json = {}, overrides: Json = {}): Json {
  const home = event.type === undefined || event.type === 'app_home_opened';
  const inner = home
    ? overlay(
        overlay(fixtureJson('event.app_home_opened.home_tab.inner-event.json'), {
          user: FIXTURE_USER.id,
          event_ts: nowTs(),
        }),
        event,
      )
    : event;
  seq += 1;
  const envelope = overlay(fixtureJson('event.app_home_opened.messages_tab.json'), {
    team_id: TEAM_ID,
    api_app_id: APP_ID,
    event: undefined, // replaced, not merged: the fixture's event is the messages-tab one
    event_id: `Ev${Date.now().toString(36).toUpperCase()}${seq}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: TEAM_ID,
        user_id: BOT_USER_ID,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
  });
  return overlay({ ...(envelope as Json), event: inner }, overrides) as Json;
}

export function eventCallback(
  appUrl: string,
  secret: string,
  event: Json = {},
  opts: PostOptions & { envelope?: Json } = {},
) {
  const { envelope, ...post } = opts;
  return signedPost(
    eventsUrl(appUrl),
    secret,
    JSON.stringify(eventEnvelope(event, envelope)),
    'application/json',
    post,
  );
}

/** Slack's URL check when a request URL is saved (event.url_verification.json). */
export function urlVerification(appUrl: string, secret: string, challenge?: string, opts?: PostOptions) {
  const body = overlay(fixtureJson('event.url_verification.json'), challenge ? { challenge } : {});
  return signedPost(eventsUrl(appUrl), secret, JSON.stringify(body), 'application/json', opts);
}
