import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { verifySlackRequest } from '@slack/bolt';
import {
  NO_RESPONSE_URL,
  blockActionPayload,
  eventEnvelope,
  interactivityBody,
  overlay,
  signature,
  slashCommandBody,
  viewSubmissionPayload,
} from '../support/slack-requests.ts';

const vector = JSON.parse(
  readFileSync(new URL('../fixtures/slack/signature.test-vector.json', import.meta.url), 'utf8'),
) as {
  signingSecret: string;
  headers: Record<string, string>;
  body: string;
};
type Json = Record<string, unknown>;

test("signature reproduces Slack's published test vector", () => {
  const ts = vector.headers['x-slack-request-timestamp']!;
  assert.equal(signature(vector.signingSecret, ts, vector.body), vector.headers['x-slack-signature']);
  assert.equal(signature(vector.signingSecret, Number(ts), vector.body), vector.headers['x-slack-signature']);
  assert.notEqual(
    signature(vector.signingSecret, ts, `${vector.body}&x=1`),
    vector.headers['x-slack-signature'],
  );
});

test("Bolt's own verifier accepts our signature, and refuses a stale one or a wrong secret", () => {
  const body = slashCommandBody({ command: '/runbook', text: 'rollback' });
  const now = Math.floor(Date.now() / 1000);
  const verify = (secret: string, ts: number) =>
    verifySlackRequest({
      signingSecret: 'shh',
      body,
      headers: { 'x-slack-signature': signature(secret, ts, body), 'x-slack-request-timestamp': ts },
    });
  assert.doesNotThrow(() => verify('shh', now));
  assert.throws(() => verify('shh', now - 600), /stale/);
  assert.throws(() => verify('other', now), /signature mismatch/);
});

test('slash command body: the fixture form with overrides, fresh trigger ids, loopback response_url', () => {
  const a = new URLSearchParams(
    slashCommandBody({ command: '/incident', text: 'severity P1', user_id: 'U111' }),
  );
  const b = new URLSearchParams(slashCommandBody({ command: '/incident' }));
  assert.equal(a.get('command'), '/incident');
  assert.equal(a.get('text'), 'severity P1');
  assert.equal(a.get('user_id'), 'U111');
  assert.equal(a.get('channel_id'), 'C111', 'from the fixture');
  assert.equal(a.get('team_domain'), 'test-domain', 'from the fixture');
  assert.equal(a.get('api_app_id'), 'A111');
  assert.equal(b.get('text'), '');
  assert.equal(a.get('response_url'), NO_RESPONSE_URL);
  assert.notEqual(a.get('trigger_id'), b.get('trigger_id'));
});

test('block action from a message: fixture message kept, action laid over the button, container follows channel', () => {
  const p = blockActionPayload({
    channel: { id: 'C9' },
    message: { ts: '123.456' },
    actions: [{ action_id: 'run_cancel', value: 'run_1' }],
  });
  const [action] = p.actions as Json[];
  assert.equal(action?.action_id, 'run_cancel');
  assert.equal(action?.value, 'run_1');
  assert.equal(action?.type, 'button');
  assert.equal((action?.text as Json).text, 'Click Me', 'from the fixture button');
  assert.deepEqual(p.container, {
    type: 'message',
    message_ts: '123.456',
    channel_id: 'C9',
    is_ephemeral: false,
  });
  assert.equal((p.message as Json).bot_id, 'B111', 'rest of the fixture message kept');
  assert.equal(p.response_url, NO_RESPONSE_URL);
  assert.equal((p.user as Json).id, 'W111');
  const select = blockActionPayload({
    actions: [{ type: 'static_select', action_id: 'pick', selected_option: { value: 'x' } }],
  });
  assert.equal(
    (select.actions as Json[])[0]?.value,
    undefined,
    'non-buttons do not inherit the button value',
  );
});

test('block action from a modal: container is the view; no message, channel or response_url', () => {
  const p = blockActionPayload({
    view: { id: 'V42', callback_id: 'declare' },
    actions: [{ action_id: 'declare_type', type: 'static_select' }],
  });
  assert.deepEqual(p.container, { type: 'view', view_id: 'V42' });
  assert.equal((p.view as Json).callback_id, 'declare');
  assert.equal((p.view as Json).hash, '1596530361.3wRYuk3R', 'rest of the fixture view kept');
  for (const k of ['message', 'channel', 'response_url']) assert.ok(!(k in p), k);
});

test('view submission: typed values replace the fixture values; form body carries the payload', () => {
  const values = { env: { v: { type: 'static_select', selected_option: { value: 'prod' } } } };
  const p = viewSubmissionPayload({
    view: { callback_id: 'runbook_input', private_metadata: '{"a":1}', state: { values } },
  });
  const view = p.view as Json;
  assert.deepEqual((view.state as Json).values, values);
  assert.equal(view.callback_id, 'runbook_input');
  assert.equal(view.id, 'V111');
  const decoded = JSON.parse(new URLSearchParams(interactivityBody(p)).get('payload')!) as Json;
  assert.deepEqual(decoded, p);
});

test('event envelope: app_home_opened home tab by default, fresh event_id, overrides and removals', () => {
  const a = eventEnvelope();
  const b = eventEnvelope({ user: 'U111', view: undefined }, { event_id: 'EvFIXED' });
  assert.equal(a.type, 'event_callback');
  assert.equal((a.event as Json).type, 'app_home_opened');
  assert.equal((a.event as Json).tab, 'home');
  assert.equal((a.event as Json).user, 'W111');
  assert.notEqual(a.event_id, eventEnvelope().event_id);
  assert.equal(b.event_id, 'EvFIXED');
  assert.equal((b.event as Json).user, 'U111');
  assert.ok(!('view' in (b.event as Json)), 'first open: no view yet');
  const mention = eventEnvelope({ type: 'app_mention', text: 'hi' });
  assert.deepEqual(mention.event, { type: 'app_mention', text: 'hi' });
});

test('overlay: objects merge, arrays replace, undefined removes', () => {
  assert.deepEqual(overlay({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: 3 }, l: [9] }), {
    a: { b: 1, c: 3 },
    l: [9],
  });
  assert.deepEqual(overlay({ a: 1, b: 2 }, { b: undefined }), { a: 1 });
  assert.deepEqual(overlay({ state: { values: { x: 1 } } }, { state: { values: { y: 2 } } }), {
    state: { values: { y: 2 } },
  });
});
