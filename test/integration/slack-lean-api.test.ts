/**
 * The lean Web API caller (src/slack/lean-api.ts) against the loopback Slack fake: JSON bodies with
 * the token in the header, answers and errors as @slack/web-api's own classes, retries only where
 * WebClient (webClientOptions) would retry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from '@slack/web-api';
import { createLeanSlackApi } from '../../src/slack/lean-api.ts';
import { slackErrorCode, retryAfterSeconds } from '../../src/slack/client.ts';
import { slackOutcome } from '../../src/observability/slack-requests.ts';
import { startSlackFake } from '../fakes/slack-fake.ts';

const modal = (title: string) => ({
  type: 'modal',
  callback_id: 'lean_test',
  title: { type: 'plain_text', text: title },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }],
});

test('lean api: views.open and views.update as JSON with a bearer token; the fake sees the same view', async (t) => {
  const slack = await startSlackFake();
  t.after(() => slack.close());
  const outcomes: string[] = [];
  const api = createLeanSlackApi({
    token: slack.botToken,
    slackApiUrl: slack.url,
    onOutcome: (m, e) => outcomes.push(`${m}:${e === undefined ? 'ok' : slackOutcome(e)}`),
  });
  t.after(() => api.close());

  const opened = await api.call('views.open', { trigger_id: '1.2.lean', view: modal('First') });
  const id = String((opened as { view?: { id?: string } }).view?.id);
  const call = slack.callsTo('views.open')[0]!;
  assert.equal(call.tokenVia, 'header');
  assert.equal(call.contentType, 'application/json');
  assert.deepEqual((slack.view(id)!.view as { title: unknown }).title, { type: 'plain_text', text: 'First' });

  // A body serialized ahead of time (the cached input modal) goes out unchanged.
  const raw = `{"trigger_id":"1.3.lean","view":${JSON.stringify(modal('Second'))}}`;
  await api.callRaw('views.open', raw);
  assert.equal(slack.callsTo('views.open').length, 2);

  // send(): success is all the caller learns.
  assert.equal(
    await api.send('views.open', `{"trigger_id":"1.4.lean","view":${JSON.stringify(modal('Third'))}}`),
    undefined,
  );
  assert.equal(slack.callsTo('views.open').at(-1)!.outcome, 'ok');

  await api.call('views.update', { view_id: id, view: modal('Updated') });
  assert.deepEqual((slack.view(id)!.view as { title: unknown }).title, {
    type: 'plain_text',
    text: 'Updated',
  });
  assert.deepEqual(outcomes, ['views.open:ok', 'views.open:ok', 'views.open:ok', 'views.update:ok']);
});

test('lean api: Slack errors are WebAPIPlatformError (not retried); 429 is WebAPIRateLimitedError at once', async (t) => {
  const slack = await startSlackFake();
  t.after(() => slack.close());
  const outcomes: string[] = [];
  const api = createLeanSlackApi({
    token: slack.botToken,
    slackApiUrl: slack.url,
    onOutcome: (m, e) => outcomes.push(`${m}:${e === undefined ? 'ok' : slackOutcome(e)}`),
  });
  t.after(() => api.close());

  await api.call('views.open', { trigger_id: '9.9.used', view: modal('Once') });
  const used = await api.call('views.open', { trigger_id: '9.9.used', view: modal('Twice') }).catch((e) => e);
  assert.ok(used instanceof WebAPIPlatformError, String(used));
  assert.equal(slackErrorCode(used), 'exchanged_trigger_id');

  const again = await api
    .send('views.open', `{"trigger_id":"9.9.used","view":${JSON.stringify(modal('Thrice'))}}`)
    .catch((e) => e);
  assert.ok(again instanceof WebAPIPlatformError, 'send() rejects on ok:false too');
  assert.equal(slackErrorCode(again), 'exchanged_trigger_id');

  slack.failNext('views.open', 1, 'ratelimited:7');
  const limited = await api
    .call('views.open', { trigger_id: '9.9.rl', view: modal('Limited') })
    .catch((e) => e);
  assert.ok(limited instanceof WebAPIRateLimitedError, String(limited));
  assert.equal(retryAfterSeconds(limited), 7);
  assert.equal(slack.callsTo('views.open').length, 4, 'none is retried');
  assert.deepEqual(outcomes, [
    'views.open:ok',
    'views.open:exchanged_trigger_id',
    'views.open:exchanged_trigger_id',
    'views.open:ratelimited',
  ]);
});

test('lean api: HTTP 500 is retried twice (200 ms, 400 ms), then WebAPIHTTPError', async (t) => {
  const slack = await startSlackFake();
  t.after(() => slack.close());
  const api = createLeanSlackApi({ token: slack.botToken, slackApiUrl: slack.url });
  t.after(() => api.close());

  slack.failNext('views.open', 1, 'http500');
  const t0 = Date.now();
  await api.call('views.open', { trigger_id: '5.5.retry', view: modal('Retried') });
  assert.ok(Date.now() - t0 >= 190, 'waited before the retry');
  assert.deepEqual(
    slack.callsTo('views.open').map((c) => c.outcome),
    ['http500', 'ok'],
  );

  slack.failNext('views.update', 3, 'http500');
  const failed = await api.call('views.update', { view_id: 'V1', view: modal('x') }).catch((e) => e);
  assert.ok(failed instanceof WebAPIHTTPError, String(failed));
  assert.equal(failed.statusCode, 500);
  assert.equal(slack.callsTo('views.update').length, 3);
});

test('lean api: no server is a WebAPIRequestError after the retries; a wrong token is not_authed/invalid_auth', async (t) => {
  const slack = await startSlackFake();
  const url = slack.url;
  const wrong = createLeanSlackApi({ token: 'xoxb-wrong', slackApiUrl: url });
  t.after(() => wrong.close());
  const refused = await wrong.call('views.open', { trigger_id: '1.1.x', view: modal('x') }).catch((e) => e);
  assert.ok(refused instanceof WebAPIPlatformError, String(refused));
  assert.match(String(slackErrorCode(refused)), /invalid_auth|not_authed/);
  await slack.close();

  const gone = createLeanSlackApi({ token: 'xoxb-1', slackApiUrl: url, retries: 1 });
  t.after(() => gone.close());
  const err = await gone.call('views.open', { trigger_id: '1.1.y', view: modal('y') }).catch((e) => e);
  assert.ok(err instanceof WebAPIRequestError, String(err));
});
