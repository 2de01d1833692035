/**
 * The rest of the Slack surface through the real endpoint: the picker modal, runbooks that need an
 * incident outside an incident channel, list/status/explain/help, App Home (and a retried event),
 * Slack 429s during live updates, and a modal closed before views.update.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBot, SIGNING_SECRET } from '../support/bot-app.ts';
import { eventCallback } from '../support/slack-requests.ts';
import * as ids from '../../src/slack/ids.ts';
import {
  USER,
  opens,
  submit,
  command,
  current,
  selectInView,
  declare,
  waitForRun,
  assertAllPayloadsWithinLimits,
} from '../support/slack-flow.ts';

test('/runbook with no text: picker → choose → input modal (views.update) → run; closed modal tolerated', async () => {
  const bot = await startBot();
  try {
    bot.harness.program('rollback_service', { statuses: ['Success'] });
    const { channel } = await declare(bot);
    const picker = await opens(bot, () => command(bot, '/runbook', '', channel));
    assert.equal(picker.view.callback_id, ids.RUNBOOK_PICKER_MODAL);
    assert.match(JSON.stringify(picker.view), /P1 - Emergency Rollback/);
    const before = bot.slack.callsTo('views.update').length;
    await selectInView(bot, picker, ids.RUNBOOK_PICK, ids.RUNBOOK_PICK_BLOCK, 'emergency-rollback');
    await bot.slack.waitFor(() => bot.slack.callsTo('views.update').length > before, {
      what: 'the picker to become the input modal',
    });
    const modal = current(bot, picker.id);
    assert.equal(modal.view.callback_id, ids.RUNBOOK_INPUT_MODAL);
    assert.equal((await submit(bot, modal, {})).body, '', 'defaults from the incident are valid');
    // Pre-filled from the incident: prod, which the shipped rollback only runs after an approval.
    const pending = await waitForRun(bot, 'awaiting_approval');
    assert.equal(pending.inputs.environment, 'prod');
    await bot.app.engine.decide(pending.id, { decision: 'approve', actor: 'U222' });
    await waitForRun(bot, 'succeeded');

    // The user closes the picker before choosing: views.update fails with not_found; nothing breaks.
    const picker2 = await opens(bot, () => command(bot, '/runbook', '', channel));
    bot.slack.closeView(picker2.id);
    const failedBefore = bot.slack.callsTo('views.update').filter((c) => c.outcome === 'error').length;
    await selectInView(bot, picker2, ids.RUNBOOK_PICK, ids.RUNBOOK_PICK_BLOCK, 'emergency-rollback');
    await bot.slack.waitFor(
      () => bot.slack.callsTo('views.update').filter((c) => c.outcome === 'error').length > failedBefore,
      { what: 'the refused views.update' },
    );
    const health = await fetch(`${bot.url}/healthz`);
    assert.equal(health.status, 200);
    assertAllPayloadsWithinLimits(bot);
  } finally {
    await bot.stop();
  }
});

test('outside an incident channel, a runbook that needs an incident asks for one', async () => {
  const bot = await startBot();
  try {
    bot.harness.program('rollback_service', { statuses: ['Success'] });
    const { incidentId } = await declare(bot);
    const modal = await opens(bot, () => command(bot, '/runbook', 'rollback', 'C222'));
    assert.match(JSON.stringify(modal.view), new RegExp(ids.RUN_INCIDENT_BLOCK));
    const missing = JSON.parse(
      (await submit(bot, modal, { [ids.inputBlock('environment')]: 'prod' })).body,
    ) as { errors: Record<string, string> };
    assert.ok(missing.errors[ids.RUN_INCIDENT_BLOCK]);
    const ok = await submit(bot, modal, {
      [ids.RUN_INCIDENT_BLOCK]: incidentId,
      [ids.inputBlock('environment')]: 'qa',
    });
    assert.equal(ok.body, '');
    const run = await waitForRun(bot, 'succeeded');
    assert.equal(run.incidentId, incidentId);
    assert.equal(run.inputs.environment, 'qa');
  } finally {
    await bot.stop();
  }
});

test('list, status, explain, help, unknown runbook words', async () => {
  const bot = await startBot();
  try {
    bot.harness.program('rollback_service', { statuses: ['Success'] });
    const { channel } = await declare(bot);
    const list = await command(bot, '/runbook', 'list', channel);
    assert.match(list.body, /Emergency Rollback/);
    assert.match(list.body, new RegExp(ids.RUNBOOK_RUN));
    const help = await command(bot, '/runbook', 'help', channel);
    assert.match(help.body, /\/runbook cancel/);
    const explain = await command(bot, '/runbook', 'explain', channel);
    assert.match(explain.body, /emergency-rollback|Emergency Rollback/);
    assert.match(explain.body, /customer_facing/);
    const none = await command(bot, '/runbook', 'make coffee', channel);
    assert.match(none.body, /No runbook matches/);
    const modal = await opens(bot, () => command(bot, '/runbook', 'rollback', channel));
    await submit(bot, modal, { [ids.inputBlock('environment')]: 'qa' });
    const run = await waitForRun(bot, 'succeeded');
    const status = await command(bot, '/runbook', 'status', channel);
    assert.match(status.body, new RegExp(run.id));
    const cancelDone = await command(bot, '/runbook', `cancel ${run.id}`, channel);
    assert.equal(cancelDone.status, 200);
  } finally {
    await bot.stop();
  }
});

test('App Home lists runbooks and runs; a retried event delivery publishes once', async () => {
  const bot = await startBot();
  try {
    const envelope = { event_id: 'Ev0HOME0001' };
    const first = await eventCallback(
      bot.url,
      SIGNING_SECRET,
      { type: 'app_home_opened', user: USER, tab: 'home' },
      { envelope },
    );
    assert.equal(first.status, 200);
    await bot.slack.waitFor(() => bot.slack.callsTo('views.publish').length === 1, { what: 'the home tab' });
    const retried = await eventCallback(
      bot.url,
      SIGNING_SECRET,
      { type: 'app_home_opened', user: USER, tab: 'home' },
      { envelope, retryNum: 1, retryReason: 'http_timeout' },
    );
    assert.equal(retried.status, 200);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(bot.slack.callsTo('views.publish').length, 1);
    const home = bot.slack.homeView(USER)!;
    assert.match(JSON.stringify(home), /Scale Service - Production/);
    assert.match(JSON.stringify(home), /All deployment gates are open/);
    assert.match(JSON.stringify(home), new RegExp(ids.RUNBOOK_RUN));
    assertAllPayloadsWithinLimits(bot);
  } finally {
    await bot.stop();
  }
});

test('Slack 429s during live updates: the run is unaffected and the message ends right', async () => {
  const bot = await startBot();
  try {
    bot.harness.program('rollback_service', { statuses: ['Running', 'Running', 'Running', 'Success'] });
    const { channel } = await declare(bot);
    const modal = await opens(bot, () => command(bot, '/runbook', 'rollback', channel));
    bot.slack.failNext('chat.update', 3, 'ratelimited');
    bot.slack.failNext('chat.postMessage', 1, 'ratelimited');
    await submit(bot, modal, { [ids.inputBlock('environment')]: 'qa' });
    const run = await waitForRun(bot, 'succeeded');
    await bot.slack.waitFor(
      () => {
        const ts = bot.app.store.runMessages.get(run.id)?.ts;
        const root = ts && bot.slack.messages(channel).find((m) => m.ts === ts);
        return (
          !!root &&
          /succeeded/i.test(JSON.stringify(root.blocks)) &&
          root.replies.some((r) => /finished/.test(r.text))
        );
      },
      { what: 'the message to show success after the 429s', timeoutMs: 15_000 },
    );
    assert.ok(bot.slack.calls.filter((c) => c.outcome === 'ratelimited').length >= 3);
    const ts = bot.app.store.runMessages.get(run.id)!.ts!;
    const root = bot.slack.messages(channel).find((m) => m.ts === ts)!;
    const texts = root.replies.map((r) => r.text);
    assert.equal(new Set(texts).size, texts.length, 'no thread reply posted twice');
  } finally {
    await bot.stop();
  }
});
