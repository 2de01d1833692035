/**
 * The Slack fake's Socket Mode side, checked on its own so the bot's tests rest on a fake that
 * refuses what Slack refuses: the app token only in the Authorization header, not a bot token,
 * single-use tickets, hello first, acks recorded only for envelopes it sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startSlackFake, type SlackFake } from '../fakes/slack-fake.ts';

async function open(slack: SlackFake, headers: Record<string, string>, body = '') {
  const res = await fetch(`${slack.url}apps.connections.open`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return (await res.json()) as { ok: boolean; url?: string; error?: string };
}

function connect(url: string): Promise<{ ws: WebSocket; first: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('message', (d) => resolve({ ws, first: JSON.parse(String(d)) as Record<string, unknown> }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

test('apps.connections.open: app token in the header only; bot tokens and wrong tokens refused', async () => {
  const slack = await startSlackFake();
  try {
    const token = slack.socket.appToken;
    assert.deepEqual(await open(slack, {}), { ok: false, error: 'not_authed' });
    assert.deepEqual(await open(slack, {}, `token=${token}`), { ok: false, error: 'not_authed' });
    assert.deepEqual(await open(slack, { authorization: `Bearer ${slack.botToken}` }), {
      ok: false,
      error: 'not_allowed_token_type',
    });
    assert.deepEqual(await open(slack, { authorization: 'Bearer xapp-1-A111-0-other' }), {
      ok: false,
      error: 'invalid_auth',
    });
    const ok = await open(slack, { authorization: `Bearer ${token}` });
    assert.equal(ok.ok, true);
    assert.match(ok.url!, /^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=[0-9a-f-]+&app_id=A111$/);
    assert.equal(slack.callsTo('apps.connections.open').length, 5);
  } finally {
    await slack.close();
  }
});

test('the link: hello first, envelopes to the newest connection, acks recorded, tickets single-use, disconnect', async () => {
  const slack = await startSlackFake();
  try {
    const { url } = await open(slack, { authorization: `Bearer ${slack.socket.appToken}` });
    const { ws, first } = await connect(url!);
    assert.equal(first.type, 'hello');
    assert.equal(first.num_connections, 1);
    assert.deepEqual(first.connection_info, { app_id: 'A111' });
    await assert.rejects(connect(url!), /HTTP 401/, 'a ticket opens one connection');

    const got: Array<Record<string, unknown>> = [];
    ws.on('message', (d) => got.push(JSON.parse(String(d)) as Record<string, unknown>));
    const pending = slack.socket.deliver('slash_commands', { command: '/runbook', text: 'help' });
    await slack.waitFor(() => got.length === 1, { what: 'the envelope' });
    const env = got[0]!;
    assert.equal(env.type, 'slash_commands');
    assert.equal(env.accepts_response_payload, true);
    ws.send(JSON.stringify({ envelope_id: 'not-ours' }));
    ws.send('not json');
    ws.send(JSON.stringify({ envelope_id: env.envelope_id, payload: { text: 'hi' } }));
    const ack = await pending;
    assert.deepEqual(ack.payload, { text: 'hi' });
    assert.equal(ack.connection, 1);
    assert.equal(slack.socket.strays.length, 2);

    const unacked = slack.socket.deliver('events_api', { type: 'event_callback' }, { timeoutMs: 100 });
    await assert.rejects(unacked, /no ack for events_api envelope/);

    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    slack.socket.disconnect('refresh_requested');
    await slack.waitFor(() => got.some((m) => m.type === 'disconnect'), { what: 'the disconnect frame' });
    assert.equal(got.find((m) => m.type === 'disconnect')!.reason, 'refresh_requested');
    ws.close(1000);
    assert.equal(await closed, 1000);
    await slack.waitFor(() => slack.socket.openCount === 0, { what: 'the link to close' });
    assert.throws(() => slack.socket.send('events_api', {}), /no open connection/);
  } finally {
    await slack.close();
  }
});
