import { test } from 'node:test';
import assert from 'node:assert/strict';
import { App, LogLevel } from '@slack/bolt';
import { createListenerRouter } from '../../src/slack/router.ts';
import { createModalCache } from '../../src/slack/modal-cache.ts';
import type { Runbook } from '../../src/manifests/schema.ts';
import type { IncidentRecord } from '../../src/store/index.ts';

/** A Bolt App with no receiver started; events go in through processEvent, as receivers do. */
function boltApp() {
  return new App({
    token: 'xoxb-router-test',
    botId: 'B1',
    botUserId: 'U0BOT',
    signingSecret: 'unused',
    logLevel: LogLevel.ERROR,
    convoStore: false,
  });
}

function deliver(app: App, body: Record<string, unknown>) {
  let acked = false;
  return app.processEvent({ body, ack: async () => void (acked = true) } as never).then(() => acked);
}

const action = (action_id: string) => ({
  type: 'block_actions',
  user: { id: 'U1', team_id: 'T1' },
  team: { id: 'T1' },
  channel: { id: 'C1' },
  trigger_id: '1.2.3',
  actions: [{ type: 'button', action_id, block_id: 'b', value: 'v', action_ts: '1' }],
});
const command = (name: string) => ({
  command: name,
  text: 'x',
  user_id: 'U1',
  team_id: 'T1',
  channel_id: 'C1',
  trigger_id: '1.2.3',
  response_url: 'http://127.0.0.1:9/r',
});
const submission = (callback_id: string, type = 'view_submission') => ({
  type,
  user: { id: 'U1', team_id: 'T1' },
  team: { id: 'T1' },
  view: { id: 'V1', callback_id, state: { values: {} }, private_metadata: '' },
});

test('router: Bolt’s listener list stays empty; each id reaches only its own listener, with Bolt’s args', async () => {
  const app = boltApp();
  const before = (app as unknown as { listeners: unknown[] }).listeners.length;
  const router = createListenerRouter(app);
  const seen: string[] = [];
  const r = router.app;
  r.command('/runbook', async ({ ack, command: c }) => (seen.push(`cmd ${c.text}`), ack()));
  r.command('/incident', async ({ ack }) => (seen.push('incident'), ack()));
  r.action('run_a', async ({ ack, action: a, body }) => {
    seen.push(`a ${(a as { value: string }).value} ${'trigger_id' in body ? body.trigger_id : ''}`);
    await ack();
  });
  r.action('run_b', async ({ ack }) => (seen.push('b'), ack()));
  r.view('modal_x', async ({ ack, view }) => (seen.push(`view ${view.id}`), ack()));
  r.event('app_home_opened', async ({ event }) => void seen.push(`event ${event.type}`));
  // No Bolt listener at all, whatever the number of ids: one global middleware dispatches.
  assert.equal((app as unknown as { listeners: unknown[] }).listeners.length - before, 0);
  assert.deepEqual(router.ids('action'), ['run_a', 'run_b']);

  assert.equal(await deliver(app, action('run_a')), true);
  assert.equal(await deliver(app, command('/runbook')), true);
  assert.equal(await deliver(app, submission('modal_x')), true);
  // Events API events are acked by Bolt before any middleware; the listener still runs.
  await deliver(app, {
    type: 'event_callback',
    team_id: 'T1',
    event: { type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home', event_ts: '1.1' },
  });
  assert.deepEqual(seen, ['a v 1.2.3', 'cmd x', 'view V1', 'event app_home_opened']);
});

test('router: unknown ids and view_closed reach no listener and are not acked (as with Bolt’s own matching)', async () => {
  const app = boltApp();
  const r = createListenerRouter(app).app;
  let calls = 0;
  r.action('known', async ({ ack }) => (calls++, ack()));
  r.view('modal_x', async ({ ack }) => (calls++, ack()));
  assert.equal(await deliver(app, action('unknown')), false);
  assert.equal(await deliver(app, command('/other')), false);
  assert.equal(await deliver(app, submission('modal_x', 'view_closed')), false);
  // An id of another kind does not match: a command named like an action, an action named like a view.
  assert.equal(await deliver(app, command('known')), false);
  assert.equal(await deliver(app, action('modal_x')), false);
  assert.equal(calls, 0);
});

test('router: several listeners on one id all run; non-string ids are refused at registration', async () => {
  const app = boltApp();
  const r = createListenerRouter(app).app;
  const seen: string[] = [];
  r.action('twice', async ({ ack }) => (seen.push('first'), ack()));
  r.action('twice', async () => void seen.push('second'));
  await deliver(app, action('twice'));
  assert.deepEqual(seen.sort(), ['first', 'second']);
  assert.throws(() => r.action(/run_.*/, async () => {}), /exact id/);
});

test('modal cache: one build per runbook object + incident version + channel; reloads and updates rebuild', () => {
  const cache = createModalCache(2);
  const rb = { id: 'rb' } as Runbook;
  const inc = { id: 'INC-1', version: 1, updatedAt: 10 } as IncidentRecord;
  let builds = 0;
  const build = () => ({ n: ++builds });
  assert.equal(cache.json(rb, inc, 'C1', build), '{"n":1}');
  assert.equal(cache.json(rb, inc, 'C1', build), '{"n":1}', 'cached');
  assert.equal(
    cache.json(rb, { ...inc, version: 2, updatedAt: 11 }, 'C1', build),
    '{"n":2}',
    'incident changed',
  );
  assert.equal(cache.json(rb, inc, 'C2', build), '{"n":3}', 'other channel');
  assert.equal(cache.size(rb), 2, 'bounded per runbook (oldest out)');
  assert.equal(
    cache.json({ id: 'rb' } as Runbook, inc, 'C1', build),
    '{"n":4}',
    'a reloaded runbook is a new key',
  );
  assert.equal(cache.json(rb, inc, 'C1', build), '{"n":5}', 'the oldest entry was dropped');
});
