/**
 * The after-ack path through the real app: a Run click is acked before its modal opens, the modal
 * opens through the lean caller (counted in the Slack request metric), the queue shows in /metrics,
 * and a shutdown right after a click still opens the modal (the queue is drained).
 */
import { test } from 'node:test';
import { rmSync } from 'node:fs';
import assert from 'node:assert/strict';
import { startBot, SIGNING_SECRET } from '../support/bot-app.ts';
import { runButtonClick } from '../support/slack-requests.ts';
import * as ids from '../../src/slack/ids.ts';

const clickRun = (url: string, channel: string, incidentId: string) =>
  runButtonClick(url, SIGNING_SECRET, { channel, runbookId: 'emergency-rollback', incidentId });

async function majorIncident(bot: Awaited<ReturnType<typeof startBot>>) {
  const res = await bot.api('POST', '/api/incidents', {
    summary: 'Checkout down',
    severity: 'P2',
    service: 'checkout',
    environment: 'prod',
    type: 'major-incident',
    fields: { customer_facing: false },
  });
  assert.equal(res.status, 201);
  return res.json as { id: string; channel: string };
}

test('Run click: acked first, modal opened after, counted in /metrics with the queue wait', async (t) => {
  const bot = await startBot();
  t.after(() => bot.stop());
  const incident = await majorIncident(bot);

  const before = bot.slack.callsTo('views.open').length;
  const res = await clickRun(bot.url, incident.channel, incident.id);
  assert.equal(res.status, 200);
  await bot.slack.waitFor(() => bot.slack.callsTo('views.open').length > before, { what: 'the modal' });
  const call = bot.slack.callsTo('views.open').at(-1)!;
  assert.equal(call.outcome, 'ok');
  assert.equal((call.args.view as { callback_id: string }).callback_id, ids.RUNBOOK_INPUT_MODAL);
  assert.match(JSON.stringify(call.args.view), new RegExp(incident.id));

  const metrics = await (await fetch(`${bot.url}/metrics`)).text();
  assert.match(metrics, /runbook_bot_slack_requests_total\{method="views.open",status="ok"\} [1-9]/);
  assert.match(metrics, /runbook_bot_slack_after_ack_wait_seconds_count\{priority="modal"\} [1-9]/);
  assert.match(metrics, /^runbook_bot_slack_after_ack_queue_depth \d+/m);
});

test('shutdown right after a click waits for its modal (Slack answered 500 once: retried before stop returns)', async (t) => {
  const bot = await startBot();
  let stopped = false;
  t.after(async () => {
    if (!stopped) await bot.app.stop();
    await bot.slack.close();
    await bot.harness.close();
    rmSync(bot.dir, { recursive: true, force: true });
  });
  const incident = await majorIncident(bot);
  bot.slack.failNext('views.open', 1, 'http500');
  const before = bot.slack.callsTo('views.open').length;
  const res = await clickRun(bot.url, incident.channel, incident.id);
  assert.equal(res.status, 200);
  await bot.app.stop();
  stopped = true;
  // The retry comes 200 ms after the 500; stop() returned only after it.
  assert.deepEqual(
    bot.slack
      .callsTo('views.open')
      .slice(before)
      .map((c) => c.outcome),
    ['http500', 'ok'],
  );
});
