import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { startSlackFake } from '../fakes/slack-fake.ts';
import {
  blockAction,
  blockSuggestion,
  eventCallback,
  eventEnvelope,
  signedPost,
  slashCommand,
  urlVerification,
  viewClosed,
  viewSubmission,
} from '../support/slack-requests.ts';

// A real Bolt app (HTTP receiver, Web API pointed at the fake) proves that the signed requests are
// what Bolt accepts and parses, and that Bolt's client, say() and respond() work against the fake.

const SECRET = 'test-signing-secret';

async function boltApp(t: TestContext) {
  const fake = await startSlackFake();
  const seen: { kind: string; body: Record<string, unknown>; retryNum?: number }[] = [];
  const app = new App({
    token: fake.botToken,
    signingSecret: SECRET,
    deferInitialization: true, // auth.test runs in init(), against the fake
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 } },
  });
  app.command('/runbook', async ({ command, ack, say, respond }) => {
    await ack();
    seen.push({ kind: 'command', body: command as never });
    await say(`running ${command.text}`);
    await respond({ text: `queued ${command.text}`, response_type: 'ephemeral' });
  });
  app.action('run_cancel', async ({ ack, body }) => {
    await ack();
    seen.push({ kind: 'action', body: body as never });
  });
  app.view('runbook_input', async ({ ack, view }) => {
    const env = view.state.values.env?.v?.value;
    if (env !== 'prod')
      await ack({ response_action: 'errors', errors: { env: 'Choose one of: dev, qa, prod' } });
    else await ack();
  });
  app.view({ type: 'view_closed', callback_id: 'runbook_input' }, async ({ ack, body }) => {
    await ack();
    seen.push({ kind: 'closed', body: body as never });
  });
  app.options('es_a', async ({ ack, options }) => {
    await ack({ options: [{ text: { type: 'plain_text', text: `match ${options.value}` }, value: 'm1' }] });
  });
  app.event('app_home_opened', async ({ event, client, context }) => {
    seen.push({
      kind: 'event',
      body: event as never,
      ...(context.retryNum !== undefined ? { retryNum: context.retryNum } : {}),
    });
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: [] } });
  });
  await app.init();
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  t.after(async () => {
    await app.stop();
    await fake.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { fake, url, seen };
}

test('slash command: Bolt verifies and parses it; say() and respond() reach the fake', async (t) => {
  const { fake, url, seen } = await boltApp(t);
  assert.equal(fake.callsTo('auth.test').length, 1, 'Bolt checked its token against the fake');
  const res = await slashCommand(url, SECRET, {
    command: '/runbook',
    text: 'rollback',
    response_url: fake.responseUrl('c1'),
  });
  assert.equal(res.status, 200);
  await fake.waitFor(() => fake.responsesTo('c1')[0], { what: 'respond()' });
  assert.equal(seen[0]?.body.text, 'rollback');
  assert.equal(seen[0]?.body.user_id, 'W111');
  assert.deepEqual(fake.responsesTo('c1')[0]?.body, { text: 'queued rollback', response_type: 'ephemeral' });
  assert.equal(fake.messages('C111')[0]?.text, 'running rollback');
});

test('bad or stale signatures get 401 and reach no listener', async (t) => {
  const { url, seen } = await boltApp(t);
  assert.equal(
    (await slashCommand(url, SECRET, { command: '/runbook' }, { badSignature: true })).status,
    401,
  );
  assert.equal((await slashCommand(url, SECRET, { command: '/runbook' }, { stale: true })).status, 401);
  assert.equal((await eventCallback(url, SECRET, {}, { badSignature: true })).status, 401);
  assert.deepEqual(seen, []);
});

test('block action, view submission (inline errors), view_closed and options reach their listeners', async (t) => {
  const { url, seen } = await boltApp(t);
  const click = await blockAction(url, SECRET, { actions: [{ action_id: 'run_cancel', value: 'run_9' }] });
  assert.equal(click.status, 200);
  assert.equal((seen[0]?.body.actions as { value: string }[])[0]?.value, 'run_9');

  const values = (value: string) => ({ env: { v: { type: 'plain_text_input', value } } });
  const bad = await viewSubmission(url, SECRET, {
    view: { callback_id: 'runbook_input', state: { values: values('moon') } },
  });
  assert.equal(bad.status, 200);
  assert.deepEqual(bad.json(), {
    response_action: 'errors',
    errors: { env: 'Choose one of: dev, qa, prod' },
  });
  const good = await viewSubmission(url, SECRET, {
    view: { callback_id: 'runbook_input', state: { values: values('prod') } },
  });
  assert.equal(good.status, 200);
  assert.equal(good.body, '');

  assert.equal((await viewClosed(url, SECRET, { view: { callback_id: 'runbook_input' } })).status, 200);
  assert.equal(seen[1]?.kind, 'closed');
  const opts = await blockSuggestion(url, SECRET, { value: 'pay' });
  assert.equal(opts.json<{ options: { text: { text: string } }[] }>().options[0]?.text.text, 'match pay');
});

test('events: app_home_opened publishes a Home view; a redelivery carries its retry number', async (t) => {
  const { fake, url, seen } = await boltApp(t);
  const env = eventEnvelope({ user: 'U111' });
  assert.equal(
    (await signedPost(`${url}/slack/events`, SECRET, JSON.stringify(env), 'application/json')).status,
    200,
  );
  await fake.waitFor(() => fake.homeView('U111'), { what: 'the Home view' });
  const again = await signedPost(`${url}/slack/events`, SECRET, JSON.stringify(env), 'application/json', {
    retryNum: 1,
  });
  assert.equal(again.status, 200);
  await fake.waitFor(() => seen.length === 2, { what: 'the redelivery' });
  assert.deepEqual(
    seen.map((s) => s.retryNum),
    [undefined, 1],
  );
  assert.equal(
    (await urlVerification(url, SECRET, 'abc123')).json<{ challenge: string }>().challenge,
    'abc123',
  );
});
