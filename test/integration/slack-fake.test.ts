import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { LogLevel, WebClient } from '@slack/web-api';
import { startSlackFake } from '../fakes/slack-fake.ts';
import type { SlackFake, SlackFakeOptions } from '../fakes/slack-fake.ts';

// The fake is driven by the real @slack/web-api client, so what passes here is what the app sends.

// Slack's `[ERROR] …` response messages are logged by the client; the tests assert them instead.
const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

async function setup(t: TestContext, opts: SlackFakeOptions = {}) {
  const fake = await startSlackFake(opts);
  t.after(() => fake.close());
  const client = new WebClient(fake.botToken, {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    logger: quiet,
  });
  return { fake, client };
}

/** The Slack error code a call failed with (WebAPIPlatformError.data.error). */
async function slackError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return String((e as { data?: { error?: string } }).data?.error ?? (e as Error).message);
  }
  throw new Error('expected the Slack call to fail');
}

function raw(fake: SlackFake, method: string, body: string, headers: Record<string, string>) {
  return fetch(`${fake.url}${method}`, { method: 'POST', headers, body }).then(async (r) => ({
    status: r.status,
    json: (await r.json()) as { ok: boolean; error?: string },
  }));
}

const section = (text: string, block_id?: string) => ({
  type: 'section',
  ...(block_id ? { block_id } : {}),
  text: { type: 'mrkdwn', text },
});

test('auth: bearer token from WebClient, form body; wrong, missing and JSON-body tokens refused like Slack', async (t) => {
  const { fake, client } = await setup(t);
  const me = await client.auth.test();
  assert.equal(me.user_id, fake.botUserId);
  assert.equal(me.bot_id, fake.botId);
  assert.equal(me.team_id, fake.teamId);
  const [call] = fake.callsTo('auth.test');
  assert.equal(call?.tokenVia, 'header');
  assert.equal(call?.contentType, 'application/x-www-form-urlencoded');

  const wrong = new WebClient('xoxb-wrong', {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
  });
  assert.equal(await slackError(wrong.auth.test()), 'invalid_auth');
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  assert.equal((await raw(fake, 'auth.test', '', form)).json.error, 'not_authed');
  assert.equal((await raw(fake, 'auth.test', `token=${fake.botToken}`, form)).json.ok, true);
  const json = { 'content-type': 'application/json' };
  assert.equal(
    (await raw(fake, 'auth.test', JSON.stringify({ token: fake.botToken }), json)).json.error,
    'not_authed',
  );
  const bearer = { ...json, authorization: `Bearer ${fake.botToken}` };
  assert.equal((await raw(fake, 'auth.test', '{not json', bearer)).json.error, 'invalid_json');
  assert.equal((await raw(fake, 'auth.test', '[1]', bearer)).json.error, 'json_not_object');
  assert.equal((await raw(fake, 'no.such', '{}', bearer)).json.error, 'unknown_method');
  assert.equal(
    (await raw(fake, 'auth.test', 'x', { ...bearer, 'content-type': 'text/csv' })).json.error,
    'invalid_post_type',
  );
});

test('chat.postMessage: blocks arrive parsed, threads, names, and the errors Slack gives', async (t) => {
  const { fake, client } = await setup(t);
  const root = await client.chat.postMessage({
    channel: 'C111',
    text: 'Run started',
    blocks: [section('*Rollback*')],
  });
  assert.equal(root.channel, 'C111');
  assert.match(root.ts ?? '', /^\d+\.\d{6}$/);
  assert.deepEqual(fake.callsTo('chat.postMessage')[0]?.args.blocks, [section('*Rollback*')]);
  const reply = await client.chat.postMessage({ channel: 'C111', thread_ts: root.ts!, text: 'Stage 1 done' });
  assert.equal(reply.message?.thread_ts, root.ts);
  const byName = await client.chat.postMessage({ channel: '#general', text: 'hi' });
  assert.equal(byName.channel, 'C222');

  const [msg] = fake.messages('C111');
  assert.equal(msg?.text, 'Run started');
  assert.deepEqual(
    fake.thread('C111', root.ts!).map((m) => m.text),
    ['Stage 1 done'],
  );
  assert.ok(root.ts! < reply.ts!, 'timestamps increase');

  assert.equal(
    await slackError(client.chat.postMessage({ channel: 'C111', thread_ts: '1.000001', text: 'x' })),
    'thread_not_found',
  );
  assert.equal(await slackError(client.chat.postMessage({ channel: 'C111', text: '' })), 'no_text');
  assert.equal(
    await slackError(client.chat.postMessage({ channel: 'CNOPE', text: 'x' })),
    'channel_not_found',
  );
  const tooMany = Array.from({ length: 51 }, (_, i) => section(`b${i}`));
  assert.equal(
    await slackError(client.chat.postMessage({ channel: 'C111', text: 'x', blocks: tooMany })),
    'invalid_blocks',
  );
  const dup = [section('a', 'same'), section('b', 'same')];
  assert.equal(
    await slackError(client.chat.postMessage({ channel: 'C111', text: 'x', blocks: dup })),
    'invalid_blocks',
  );
  assert.equal(fake.messages('C111').length, 1, 'refused posts change nothing');
});

test('chat.postMessage: private channels hide from a non-member bot; public ones need chat:write.public', async (t) => {
  const { fake, client } = await setup(t);
  fake.addChannel({ id: 'CSECRET', name: 'secret', is_private: true, botMember: false });
  fake.addChannel({ id: 'COPEN', name: 'open', botMember: false });
  assert.equal(
    await slackError(client.chat.postMessage({ channel: 'CSECRET', text: 'x' })),
    'channel_not_found',
  );
  assert.equal((await client.chat.postMessage({ channel: 'COPEN', text: 'x' })).ok, true);

  const narrow = await setup(t, { scopes: ['chat:write'] });
  narrow.fake.addChannel({ id: 'COPEN', name: 'open', botMember: false });
  assert.equal(
    await slackError(narrow.client.chat.postMessage({ channel: 'COPEN', text: 'x' })),
    'not_in_channel',
  );
  const missing = await slackError(narrow.client.pins.add({ channel: 'C111', timestamp: '1.1' }));
  assert.equal(missing, 'missing_scope');
});

test('chat.update applies in place and keeps history; chat.postEphemeral goes to members only', async (t) => {
  const { fake, client } = await setup(t);
  const { ts } = await client.chat.postMessage({
    channel: 'C111',
    text: 'running',
    blocks: [section('running')],
  });
  await client.chat.update({ channel: 'C111', ts: ts!, text: 'succeeded', blocks: [section('succeeded')] });
  await client.chat.update({ channel: 'C111', ts: ts!, text: 'succeeded (1m)' });
  const [msg] = fake.messages('C111');
  assert.equal(msg?.text, 'succeeded (1m)');
  assert.deepEqual(msg?.blocks, [section('succeeded')], 'blocks left out are kept');
  assert.deepEqual(
    msg?.history.map((h) => h.text),
    ['running', 'succeeded', 'succeeded (1m)'],
  );
  assert.equal(
    await slackError(client.chat.update({ channel: 'C111', ts: '9.000009', text: 'x' })),
    'message_not_found',
  );

  const eph = await client.chat.postEphemeral({ channel: 'C111', user: 'U111', text: 'Only you' });
  assert.ok(eph.message_ts);
  assert.deepEqual(
    fake.ephemerals({ user: 'U111' }).map((e) => e.text),
    ['Only you'],
  );
  fake.addUser({ id: 'U999', name: 'outsider' });
  fake.addChannel({ id: 'CSMALL', name: 'small', members: ['U111'] });
  assert.equal(
    await slackError(client.chat.postEphemeral({ channel: 'CSMALL', user: 'U999', text: 'x' })),
    'user_not_in_channel',
  );
});

test('views: open once per trigger, update with hash, closed modal is not_found, push, publish', async (t) => {
  const { fake, client } = await setup(t);
  const modal = (title: string, blocks: object[] = []) => ({
    type: 'modal' as const,
    title: { type: 'plain_text' as const, text: title },
    submit: { type: 'plain_text' as const, text: 'Run' },
    callback_id: 'runbook_input',
    private_metadata: '{"runbookId":"rollback"}',
    blocks,
  });
  const input = {
    type: 'input',
    block_id: 'env',
    label: { type: 'plain_text', text: 'Env' },
    element: { type: 'plain_text_input', action_id: 'v' },
  };
  const opened = await client.views.open({ trigger_id: '1.2.a', view: modal('Rollback', [input]) as never });
  const v = opened.view!;
  assert.equal(v.root_view_id, v.id);
  assert.equal(fake.view(v.id!)?.view.callback_id, 'runbook_input');
  assert.equal(
    await slackError(client.views.open({ trigger_id: '1.2.a', view: modal('Again') as never })),
    'exchanged_trigger_id',
  );
  assert.equal(
    await slackError(
      client.views.open({ trigger_id: '1.2.b', view: modal('A title far longer than 24') as never }),
    ),
    'invalid_arguments',
  );
  const noSubmit = { ...modal('x', [input]), submit: undefined };
  assert.equal(
    await slackError(client.views.open({ trigger_id: '1.2.c', view: noSubmit as never })),
    'invalid_arguments',
  );

  fake.setViewState(v.id!, { env: { v: { type: 'plain_text_input', value: 'prod' } } });
  const updated = await client.views.update({
    view_id: v.id!,
    hash: v.hash!,
    view: modal('Rollback 2', [input]) as never,
  });
  assert.notEqual(updated.view?.hash, v.hash);
  assert.deepEqual((updated.view?.state as { values?: unknown } | undefined)?.values, {
    env: { v: { type: 'plain_text_input', value: 'prod' } },
  });
  assert.equal(
    await slackError(client.views.update({ view_id: v.id!, hash: v.hash!, view: modal('Stale') as never })),
    'hash_conflict',
  );

  const pushed = await client.views.push({ trigger_id: '1.2.d', view: modal('Details') as never });
  assert.equal(pushed.view?.previous_view_id, v.id);
  assert.equal(pushed.view?.root_view_id, v.id);
  fake.closeView(v.id!);
  assert.equal(
    await slackError(client.views.update({ view_id: v.id!, view: modal('Late') as never })),
    'not_found',
  );
  assert.equal(
    await slackError(client.views.update({ view_id: pushed.view!.id!, view: modal('Late') as never })),
    'not_found',
  );

  const ext = await client.views.open({
    trigger_id: '1.2.e',
    view: { ...modal('Ext'), external_id: 'run-42' } as never,
  });
  const byExt = await client.views.update({
    external_id: 'run-42',
    view: { ...modal('Ext 2'), external_id: 'run-42' } as never,
  });
  assert.equal(byExt.view?.id, ext.view?.id);

  const home = { type: 'home' as const, blocks: [section('Runbooks')] };
  const first = await client.views.publish({ user_id: 'U111', view: home as never });
  const second = await client.views.publish({ user_id: 'U111', view: home as never });
  assert.equal(first.view?.id, second.view?.id, 'one Home view per user');
  assert.equal(fake.homeView('U111')?.versions.length, 2);
  assert.equal(
    await slackError(client.views.publish({ user_id: 'UNOBODY', view: home as never })),
    'invalid_arguments',
  );
  const huge = { type: 'home', blocks: [section('x'.repeat(260_000))] };
  assert.equal(
    await slackError(client.views.publish({ user_id: 'U111', view: huge as never })),
    'view_too_large',
  );
});

test('conversations.create: Slack name rules, name_taken, private needs groups:write', async (t) => {
  const { fake, client } = await setup(t);
  const made = await client.conversations.create({ name: 'inc-42-db-down' });
  assert.match(made.channel?.id ?? '', /^C/);
  assert.equal(made.channel?.creator, fake.botUserId);
  assert.deepEqual(fake.channel('inc-42-db-down')?.members, [fake.botUserId]);
  assert.equal(await slackError(client.conversations.create({ name: 'inc-42-db-down' })), 'name_taken');
  const cases: [string, string][] = [
    ['Inc-42', 'invalid_name_specials'],
    ['inc 42', 'invalid_name_specials'],
    ['inc.42', 'invalid_name_specials'],
    ['x'.repeat(81), 'invalid_name_maxlength'],
    ['---', 'invalid_name_punctuation'],
  ];
  for (const [name, code] of cases)
    assert.equal(await slackError(client.conversations.create({ name })), code, name);
  assert.equal((await client.conversations.create({ name: 'x'.repeat(80) })).ok, true);
  const narrow = await setup(t, { scopes: ['channels:manage'] });
  assert.equal(
    await slackError(narrow.client.conversations.create({ name: 'p', is_private: true })),
    'missing_scope',
  );
});

test('conversations.invite/info, pins.add, users.info, usergroups.users.list', async (t) => {
  const { fake, client } = await setup(t, { usergroups: { S0PAGERS: ['U222'] } });
  const { channel } = await client.conversations.create({ name: 'inc-7' });
  const id = channel!.id!;
  await client.conversations.invite({ channel: id, users: 'U111,U222' });
  assert.deepEqual(fake.channel(id)?.members, [fake.botUserId, 'U111', 'U222']);
  assert.equal(
    await slackError(client.conversations.invite({ channel: id, users: 'U111' })),
    'already_in_channel',
  );
  assert.equal(
    await slackError(client.conversations.invite({ channel: id, users: 'UNOPE' })),
    'user_not_found',
  );
  assert.equal(
    await slackError(client.conversations.invite({ channel: id, users: fake.botUserId })),
    'cant_invite_self',
  );
  assert.equal(
    await slackError(client.conversations.invite({ channel: id, users: 'W111,U111' })),
    'already_in_channel',
  );
  assert.ok(!fake.channel(id)?.members.includes('W111'), 'a failed invite adds nobody');

  const info = await client.conversations.info({ channel: id, include_num_members: true });
  assert.equal(info.channel?.name, 'inc-7');
  assert.equal((info.channel as { num_members?: number }).num_members, 3);

  const { ts } = await client.chat.postMessage({ channel: id, text: 'Summary' });
  assert.equal((await client.pins.add({ channel: id, timestamp: ts! })).ok, true);
  assert.equal(await slackError(client.pins.add({ channel: id, timestamp: ts! })), 'already_pinned');
  assert.equal(
    await slackError(client.pins.add({ channel: id, timestamp: '1.000002' })),
    'message_not_found',
  );
  assert.deepEqual(
    fake.pins.map((p) => [p.channel, p.ts]),
    [[id, ts]],
  );

  const u = await client.users.info({ user: 'U111' });
  assert.equal(u.user?.real_name, 'Alice Responder');
  assert.equal(await slackError(client.users.info({ user: 'UNOPE' })), 'user_not_found');
  assert.deepEqual((await client.usergroups.users.list({ usergroup: 'S0PAGERS' })).users, ['U222']);
  assert.equal(await slackError(client.usergroups.users.list({ usergroup: 'S0NONE' })), 'no_such_subteam');
});
