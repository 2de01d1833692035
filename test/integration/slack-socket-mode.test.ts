/**
 * Socket Mode for real: the whole bot (startApp) with SLACK_APP_TOKEN and no signing secret, against
 * the Slack fake's apps.connections.open and WebSocket link (test/fakes/slack-fake-socket.ts). Slash
 * commands, interactivity and events arrive as envelopes; the bot's acks (and what they carry) come
 * back over the socket. Then Slack asks for a reconnect, and finally the bot stops and lets go of
 * its socket (this file's process must exit by itself).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSocketBot, slashCommandPayload, type SocketBot } from '../support/socket-bot.ts';
import { blockActionPayload, viewSubmissionPayload, eventEnvelope } from '../support/slack-requests.ts';
import { stateFor } from '../support/slack-view-state.ts';
import * as ids from '../../src/slack/ids.ts';
import { helpText } from '../../src/slack/blocks/index.ts';

type Json = Record<string, unknown>;
const USER = 'W111';
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/slack/socket_mode.events_api.envelope.json', import.meta.url), 'utf8'),
) as Json;

let bot: SocketBot;
let stopped = false;
// Bounded: a client that cannot reach the fake retries for a long time instead of failing.
before(
  async () => {
    bot = await startSocketBot();
  },
  { timeout: 20_000 },
);
after(async () => {
  if (!stopped) await bot.stop();
});

const command = (cmd: '/runbook' | '/incident', text: string, responseId: string) =>
  slashCommandPayload({
    command: cmd,
    text,
    channel_id: 'C111',
    user_id: USER,
    response_url: bot.slack.responseUrl(responseId),
  });

/** The modal the last views.open call showed. */
function lastOpened(): { id: string; hash: string; view: Json } {
  const call = bot.slack.callsTo('views.open').at(-1)!;
  const id = String((call.response!.view as Json).id);
  const v = bot.slack.view(id)!;
  return { id, hash: v.hash, view: v.view };
}

const fromModal = (m: { id: string; hash: string; view: Json }, values: Json) => ({
  id: m.id,
  hash: m.hash,
  callback_id: m.view.callback_id,
  private_metadata: m.view.private_metadata,
  state: { values },
});

test('connects: apps.connections.open with the app token (header), hello, health on PORT, no HTTP Slack endpoint', async () => {
  const opens = bot.slack.callsTo('apps.connections.open');
  assert.equal(opens.length, 1);
  assert.equal(opens[0]!.token, bot.slack.socket.appToken);
  assert.equal(opens[0]!.tokenVia, 'header');
  assert.equal(opens[0]!.outcome, 'ok');
  assert.match(String(opens[0]!.response!.url), /^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/);
  assert.equal(bot.slack.socket.openCount, 1);
  const hello = bot.slack.socket.connections[0]!.sent[0]!;
  assert.equal(hello.type, 'hello');
  assert.deepEqual(hello.connection_info, { app_id: bot.slack.appId });

  const health = await fetch(`${bot.url}/healthz`);
  assert.equal(health.status, 200);
  const ready = (await (await fetch(`${bot.url}/readyz`)).json()) as { checks: Json };
  assert.equal(ready.checks.slack, 'socket');
  // Without a signing secret nothing may drive the bot over HTTP.
  const events = await fetch(`${bot.url}/slack/events`, { method: 'POST', body: 'command=%2Frunbook' });
  assert.equal(events.status, 404);
});

test('the fake envelope has the shape of a real Socket Mode envelope', async () => {
  const envelope = bot.slack.socket.send('events_api', eventEnvelope({ user: USER, tab: 'messages' }), {
    retryAttempt: 0,
    retryReason: '',
  });
  assert.deepEqual(Object.keys(envelope).sort(), Object.keys(fixture).sort());
  await bot.slack.waitFor(() => bot.slack.socket.ackOf(envelope.envelope_id), { what: 'the event ack' });
});

test('/runbook help is acked over the socket with the help text in the ack payload', async () => {
  const ack = await bot.slack.socket.deliver('slash_commands', command('/runbook', 'help', 'help'));
  const payload = ack.payload as { text?: string; response_type?: string };
  assert.equal(payload.response_type, 'ephemeral');
  assert.equal(payload.text, helpText('/runbook').text);
  assert.match(String(payload.text), /\/runbook list/);
  assert.ok(ack.afterMs < 3000, `acked after ${ack.afterMs} ms`);
  assert.equal(bot.slack.responsesTo('help').length, 0, 'answered in the ack, not via response_url');
});

test('/incident declare → modal → type select → submit (errors, then valid) declares and pins', async () => {
  const summary = 'Checkout returns 500s over the socket';
  const cmd = command('/incident', `declare ${summary}`, 'declare');
  const ack = await bot.slack.socket.deliver('slash_commands', cmd);
  assert.deepEqual(ack.payload ?? {}, {}, 'a bare ack: the modal is the answer');
  await bot.slack.waitFor(() => bot.slack.callsTo('views.open').length === 1, { what: 'the declare modal' });
  assert.equal(bot.slack.callsTo('views.open')[0]!.args.trigger_id, cmd.trigger_id);
  const opened = lastOpened();
  assert.equal(opened.view.callback_id, ids.DECLARE_MODAL);

  // Picking the type is a block action (no response payload accepted); the modal gets its fields.
  const updates = bot.slack.callsTo('views.update').length;
  const picked = await bot.slack.socket.deliver(
    'interactive',
    blockActionPayload({
      user: { id: USER },
      view: fromModal(opened, stateFor(opened.view)),
      actions: [
        {
          type: 'static_select',
          action_id: ids.DECLARE_TYPE,
          block_id: ids.DECLARE_TYPE_BLOCK,
          selected_option: { text: { type: 'plain_text', text: 'Major Incident' }, value: 'major-incident' },
        },
      ],
    }),
    { acceptsResponsePayload: false },
  );
  assert.deepEqual(picked.payload ?? {}, {});
  await bot.slack.waitFor(() => bot.slack.callsTo('views.update').length > updates, {
    what: 'the modal to show the type fields',
  });
  const v = bot.slack.view(opened.id)!;
  const modal = { id: opened.id, hash: v.hash, view: v.view };
  assert.match(JSON.stringify(modal.view), /Customer facing/);

  // A submission with a missing required field: the errors travel back in the ack payload.
  const typed = {
    [ids.DECLARE_TYPE_BLOCK]: 'major-incident',
    [ids.fieldBlock('customer_facing')]: 'true',
    [ids.DECLARE_SEVERITY_BLOCK]: 'P1',
    [ids.DECLARE_SERVICE_BLOCK]: 'checkout',
    [ids.DECLARE_ENVIRONMENT_BLOCK]: 'prod',
  };
  const refused = await bot.slack.socket.deliver(
    'interactive',
    viewSubmissionPayload({
      user: { id: USER },
      view: fromModal(modal, stateFor(modal.view, { ...typed, [ids.DECLARE_SEVERITY_BLOCK]: null })),
    }),
  );
  const body = refused.payload as { response_action?: string; errors?: Record<string, string> };
  assert.equal(body.response_action, 'errors');
  assert.ok(body.errors?.[ids.DECLARE_SEVERITY_BLOCK], JSON.stringify(body));
  assert.equal(bot.app.store.incidents.list(5).length, 0);

  const accepted = await bot.slack.socket.deliver(
    'interactive',
    viewSubmissionPayload({ user: { id: USER }, view: fromModal(modal, stateFor(modal.view, typed)) }),
  );
  assert.deepEqual(accepted.payload ?? {}, {}, `declare refused: ${JSON.stringify(accepted.payload)}`);
  await bot.slack.waitFor(() => bot.slack.callsTo('pins.add').length > 0, { what: 'the summary pin' });
  const [incident] = bot.app.store.incidents.list(5);
  assert.equal(incident?.summary, summary);
  assert.equal(incident?.severity, 'P1');
  assert.ok(incident?.channel);
  assert.equal(bot.slack.callsTo('pins.add')[0]!.args.channel, incident.channel);
});

test('app_home_opened over events_api publishes the Home tab', async () => {
  const publishes = bot.slack.callsTo('views.publish').length;
  const ack = await bot.slack.socket.deliver(
    'events_api',
    eventEnvelope({ type: 'app_home_opened', user: USER, tab: 'home' }),
    { retryAttempt: 0, retryReason: '' },
  );
  assert.deepEqual(ack.payload ?? {}, {});
  await bot.slack.waitFor(() => bot.slack.callsTo('views.publish').length > publishes, {
    what: 'the Home tab',
  });
  const home = bot.slack.homeView(USER);
  assert.ok(home, 'a Home view for the user');
  assert.match(JSON.stringify(home.view), /P1 - Emergency Rollback/);
});

test('after a server disconnect (refresh_requested) the bot reconnects with a new URL and still answers', async () => {
  const first = bot.slack.socket.connections[0]!;
  bot.slack.socket.disconnect('refresh_requested');
  // The client waits its reconnect delay (5 s by default) before it asks for a new URL.
  const second = await bot.slack.socket.waitForConnection(2, 15_000);
  await bot.slack.waitFor(() => first.closedAt !== null, { what: 'the old link to close' });
  assert.equal(first.closeCode, 1000, 'the client closed the old link normally');
  const opens = bot.slack.callsTo('apps.connections.open');
  assert.equal(opens.length, 2);
  assert.ok(opens.every((c) => c.token === bot.slack.socket.appToken && c.outcome === 'ok'));
  assert.notEqual(second.ticket, first.ticket);
  assert.equal(bot.slack.socket.openCount, 1);

  const ack = await bot.slack.socket.deliver('slash_commands', command('/runbook', 'help', 'help-2'));
  assert.equal(ack.connection, second.id);
  assert.equal((ack.payload as { text?: string }).text, helpText('/runbook').text);
  assert.deepEqual(bot.slack.socket.strays, [], 'every frame from the bot was an ack of ours');
});

test('stop closes the socket cleanly and does not reconnect', async () => {
  const conn = bot.slack.socket.connections.at(-1)!;
  stopped = true;
  await bot.app.stop();
  await bot.slack.waitFor(() => conn.closedAt !== null, { what: 'the bot to close its link' });
  assert.equal(conn.closeCode, 1000);
  const opens = bot.slack.callsTo('apps.connections.open').length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(bot.slack.callsTo('apps.connections.open').length, opens, 'no reconnect after stop');
  assert.equal(bot.slack.socket.openCount, 0);
  await bot.slack.close();
  await bot.harness.close();
});

test('a refused app token fails start-up with one message naming SLACK_APP_TOKEN, and leaves nothing running', async () => {
  await assert.rejects(startSocketBot({ appToken: 'xapp-1-A111-999-revoked' }), (e: Error) => {
    assert.equal((e as { code?: string }).code, 'CONFIG_INVALID');
    assert.match(e.message, /SLACK_APP_TOKEN/);
    assert.match(e.message, /apps\.connections\.open: invalid_auth/);
    assert.doesNotMatch(e.message, /xapp-1-A111-999-revoked/, 'the token itself is not echoed');
    return true;
  });
  // Nothing to stop here: if start-up had left its listener or scheduler behind, this file's
  // process would not exit and the runner would report it.
});
