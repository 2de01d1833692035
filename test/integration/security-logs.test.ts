/**
 * Secrets never reach the logs: the whole app runs at `trace` level into a captured pino
 * destination through Slack (signed requests, a forged and a replayed one), the API (a wrong token
 * too) and Harness runs with a failing status read; then every captured byte
 * is searched for each token and secret the test used.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { startBot, SIGNING_SECRET, API_TOKEN } from '../support/bot-app.ts';
import { createLogger } from '../../src/log.ts';
import { slashCommand, signedPost, slashCommandBody, eventsUrl } from '../support/slack-requests.ts';
import { USER, declare, opens, submit, waitForRun } from '../support/slack-flow.ts';
import { probeRunbook, startProbe, until } from '../support/ops-setup.ts';

test('nothing logged during a full app session contains a token or secret', async () => {
  let captured = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      captured += String(chunk);
      cb();
    },
  });
  const bot = await startBot({
    extraManifests: { 'probe.yaml': probeRunbook() },
    log: createLogger('trace', sink),
  });
  const secrets = {
    SLACK_BOT_TOKEN: bot.slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    API_TOKEN,
    HARNESS_API_KEY: bot.harness.apiKey,
  };
  try {
    // Slack: declare, run a runbook from its modal.
    bot.harness.program('ops_probe', { statuses: ['Running', 'Success'] });
    const { channel, incidentId } = await declare(bot);
    const modal = await opens(bot, () =>
      slashCommand(bot.url, SIGNING_SECRET, {
        command: '/runbook',
        text: 'ops-probe',
        channel_id: channel,
        user_id: USER,
      }),
    );
    assert.equal((await submit(bot, modal, {})).status, 200);
    await waitForRun(bot, 'succeeded');

    // Forged, stale and replayed Slack requests.
    const body = slashCommandBody({ command: '/runbook', text: 'help', channel_id: channel, user_id: USER });
    const form = 'application/x-www-form-urlencoded';
    assert.equal(
      (await signedPost(eventsUrl(bot.url), SIGNING_SECRET, body, form, { badSignature: true })).status,
      401,
    );
    assert.equal(
      (await signedPost(eventsUrl(bot.url), SIGNING_SECRET, body, form, { stale: true })).status,
      401,
    );
    const ts = Math.floor(Date.now() / 1000);
    await signedPost(eventsUrl(bot.url), SIGNING_SECRET, body, form, { timestamp: ts });
    assert.equal(
      (await signedPost(eventsUrl(bot.url), SIGNING_SECRET, body, form, { timestamp: ts })).status,
      401,
    );

    // API: a good call, a wrong token, a bad body.
    assert.equal((await bot.api('GET', `/api/incidents/${incidentId}`)).status, 200);
    const wrong = await fetch(`${bot.url}/api/incidents`, {
      headers: { authorization: `Bearer ${API_TOKEN}x` },
    });
    assert.equal(wrong.status, 401);
    assert.equal((await bot.api('POST', '/api/incidents', { severity: 'P9' })).status, 400);

    // Harness: a failing status read on the way.
    const probe = startProbe(bot, incidentId);
    await until('the probe execute', () => bot.harness.requestsTo('execute').length === 2);
    bot.harness.failNext('status', 1, '500');
    bot.harness.failNext('list', 1, '500');
    await until('the probe to finish', () => bot.app.store.runs.get(probe)?.state !== 'running', 25_000);
    await bot.app.publisher.idle();
  } finally {
    await bot.stop();
  }

  const lines = captured.split('\n').filter(Boolean);
  assert.ok(lines.length > 50, `the session logged (${lines.length} lines)`);
  assert.ok(
    lines.every((l) => JSON.parse(l).level !== undefined),
    'every line is JSON',
  );
  assert.match(captured, /"run":"RUN-\d+"/, 'run lines carry the run id');
  assert.match(captured, /"step":"probe"/, 'step lines carry the step id');
  assert.match(captured, /"incident":"INC-\d+"/, 'step lines carry the incident id');
  for (const [name, value] of Object.entries(secrets)) {
    assert.ok(value.length >= 8, name);
    assert.ok(!captured.includes(value), `${name} appears in the logs`);
  }
});
