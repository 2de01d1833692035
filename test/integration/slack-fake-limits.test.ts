import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebClient,
} from '@slack/web-api';
import type { WebClientOptions } from '@slack/web-api';
import { startSlackFake } from '../fakes/slack-fake.ts';
import type { SlackFakeOptions } from '../fakes/slack-fake.ts';

// Failure injection, the real per-channel limiter and response_urls, seen through the real client:
// with retries off it must surface Slack's errors; with retries on it must honour Retry-After.

const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

async function setup(t: TestContext, opts: SlackFakeOptions = {}, client: WebClientOptions = {}) {
  const fake = await startSlackFake(opts);
  t.after(() => fake.close());
  const web = new WebClient(fake.botToken, {
    slackApiUrl: fake.url,
    retryConfig: { retries: 0 },
    logger: quiet,
    ...client,
  });
  return { fake, client: web };
}

test('failNext error:<code> and http500 fail the next calls only, changing nothing', async (t) => {
  const { fake, client } = await setup(t);
  fake.failNext('chat.postMessage', 1, 'error:channel_not_found');
  fake.failNext('chat.postMessage', 1, 'http500');
  await assert.rejects(client.chat.postMessage({ channel: 'C111', text: 'a' }), (e: unknown) => {
    assert.ok(e instanceof WebAPIPlatformError);
    assert.equal(e.data.error, 'channel_not_found');
    return true;
  });
  await assert.rejects(client.chat.postMessage({ channel: 'C111', text: 'b' }), (e: unknown) => {
    assert.ok(e instanceof WebAPIHTTPError);
    assert.equal(e.statusCode, 500);
    return true;
  });
  assert.equal(fake.messages('C111').length, 0);
  await client.chat.postMessage({ channel: 'C111', text: 'c' });
  assert.deepEqual(
    fake.messages('C111').map((m) => m.text),
    ['c'],
  );
  assert.deepEqual(
    fake.callsTo('chat.postMessage').map((c) => c.outcome),
    ['error', 'http500', 'ok'],
  );
  assert.throws(() => fake.failNext('chat.update', 1, 'boom' as never), /unknown kind "boom"/);
});

test('failNext ratelimited: 429 with Retry-After 1; rejectRateLimitedCalls surfaces it', async (t) => {
  const { fake, client } = await setup(t, {}, { rejectRateLimitedCalls: true });
  fake.failNext('chat.update', 1, 'ratelimited');
  const { ts } = await client.chat.postMessage({ channel: 'C111', text: 'running' });
  await assert.rejects(client.chat.update({ channel: 'C111', ts: ts!, text: 'done' }), (e: unknown) => {
    assert.ok(e instanceof WebAPIRateLimitedError);
    assert.equal(e.retryAfter, 1);
    return true;
  });
  const [limited] = fake.callsTo('chat.update');
  assert.equal(limited?.status, 429);
  assert.deepEqual(limited?.response, { ok: false, error: 'ratelimited' });
  assert.equal(fake.messages('C111')[0]?.text, 'running');
});

test('a client that retries waits Retry-After seconds and succeeds once, posting one message', async (t) => {
  const { fake, client } = await setup(t, {}, { retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 } });
  fake.failNext('chat.postMessage', 1, 'ratelimited');
  const res = await client.chat.postMessage({ channel: 'C111', text: 'once' });
  assert.equal(res.ok, true);
  const [first, second] = fake.callsTo('chat.postMessage');
  assert.equal(first?.outcome, 'ratelimited');
  assert.equal(second?.outcome, 'ok');
  assert.ok(second!.at - first!.at >= 950, `retried after ${second!.at - first!.at} ms`);
  assert.equal(fake.messages('C111').length, 1);
});

test('the per-channel limiter refuses the second post within a second, per channel, then recovers', async (t) => {
  const { fake, client } = await setup(t, { rateLimit: { perSecond: 1 } }, { rejectRateLimitedCalls: true });
  await client.chat.postMessage({ channel: 'C111', text: '1' });
  await assert.rejects(client.chat.postMessage({ channel: 'C111', text: '2' }), WebAPIRateLimitedError);
  await client.chat.postMessage({ channel: 'C222', text: 'other channel' });
  await new Promise((r) => setTimeout(r, 1050));
  await client.chat.postMessage({ channel: 'C111', text: '3' });
  assert.deepEqual(
    fake.messages('C111').map((m) => m.text),
    ['1', '3'],
  );
  assert.equal(fake.calls.filter((c) => c.outcome === 'ratelimited').length, 1);
});

test('limiter per message: two chat.updates of one message in a second are refused, another message is fine', async (t) => {
  const { fake, client } = await setup(t, {}, { rejectRateLimitedCalls: true });
  const a = await client.chat.postMessage({ channel: 'C111', text: 'a' });
  const b = await client.chat.postMessage({ channel: 'C111', text: 'b' });
  fake.setRateLimit({ perSecond: 1, methods: ['chat.update'], per: 'message', retryAfter: 2 });
  await client.chat.update({ channel: 'C111', ts: a.ts!, text: 'a1' });
  await client.chat.update({ channel: 'C111', ts: b.ts!, text: 'b1' });
  await assert.rejects(client.chat.update({ channel: 'C111', ts: a.ts!, text: 'a2' }), (e: unknown) => {
    assert.ok(e instanceof WebAPIRateLimitedError);
    assert.equal(e.retryAfter, 2);
    return true;
  });
  assert.deepEqual(
    fake.messages('C111').map((m) => m.text),
    ['a1', 'b1'],
  );
  fake.setRateLimit(null);
  await client.chat.update({ channel: 'C111', ts: a.ts!, text: 'a2' });
  assert.equal(fake.messages('C111')[0]?.text, 'a2');
});

test('response_url: JSON posts are recorded per id; failNext makes the next post fail', async (t) => {
  const { fake } = await setup(t);
  const url = fake.responseUrl('cmd-1');
  assert.ok(url.startsWith('http://127.0.0.1:'));
  const post = (body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  assert.equal((await post({ text: 'Working on it', response_type: 'ephemeral' })).status, 200);
  fake.failNext('response_url', 1, 'http500');
  assert.equal((await post({ text: 'lost' })).status, 500);
  fake.failNext('response_url', 1, 'error:expired_url');
  assert.equal((await post({ text: 'expired' })).status, 404);
  assert.deepEqual(
    fake.responsesTo('cmd-1').map((r) => r.body),
    [{ text: 'Working on it', response_type: 'ephemeral' }],
  );
  assert.equal(fake.responsesTo('other').length, 0);
});

test('waitFor resolves when the state appears and times out naming the calls seen', async (t) => {
  const { fake, client } = await setup(t);
  setTimeout(() => void client.chat.postMessage({ channel: 'C111', text: 'later' }), 30);
  const msg = await fake.waitFor(() => fake.messages('C111')[0], { what: 'a message' });
  assert.equal(msg.text, 'later');
  await assert.rejects(
    fake.waitFor(() => fake.messages('C222')[0], { timeoutMs: 50, what: 'a message in #general' }),
    /timed out after 50 ms waiting for a message in #general; calls: chat.postMessage→ok/,
  );
});
