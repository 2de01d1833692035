/**
 * The whole manual flow through the real HTTP endpoint with signed requests, against the loopback
 * Slack and Harness fakes: declare an incident, /runbook rollback, submit the modal (with and
 * without errors), watch the one message go from running to succeeded with its thread and timeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBot, SIGNING_SECRET, type BotUnderTest } from '../support/bot-app.ts';
import { slashCommand, blockAction } from '../support/slack-requests.ts';
import * as ids from '../../src/slack/ids.ts';
import { checkMessage } from '../../src/slack/blocks/index.ts';
type Json = Record<string, unknown>;
import {
  USER,
  opens,
  submit,
  declare,
  waitForRun,
  assertAllPayloadsWithinLimits,
} from '../support/slack-flow.ts';

test('declare → /runbook rollback → modal → one live message to succeeded, thread and timeline', async () => {
  const bot = await startBot();
  try {
    bot.harness.program('rollback_service', { statuses: ['Running', 'Running', 'Success'] });
    const { incidentId, channel } = await declare(bot);
    assert.equal(incidentId, 'INC-1');
    const created = bot.slack.callsTo('conversations.create')[0]!;
    assert.equal(created.args.name, 'inc-1-checkout-returns-500s');
    assert.ok(bot.slack.callsTo('conversations.invite').some((c) => String(c.args.users).includes(USER)));

    const modal = await opens(bot, () =>
      slashCommand(bot.url, SIGNING_SECRET, {
        command: '/runbook',
        text: 'rollback',
        channel_id: channel,
        user_id: USER,
      }),
    );
    assert.equal(modal.view.callback_id, ids.RUNBOOK_INPUT_MODAL);

    // A value outside the allowed ones is refused inline, naming the allowed values.
    const bad = await submit(bot, modal, { [ids.inputBlock('environment')]: null });
    assert.equal(bad.status, 200);
    const badBody = JSON.parse(bad.body) as { response_action: string; errors: Record<string, string> };
    assert.equal(badBody.response_action, 'errors');
    assert.match(badBody.errors[ids.inputBlock('environment')]!, /required/);
    assert.equal(bot.app.store.runs.recent().length, 0);

    const ok = await submit(bot, modal, { [ids.inputBlock('environment')]: 'qa' });
    assert.equal(ok.status, 200);
    const run = await waitForRun(bot, 'succeeded');
    assert.equal(run.requester, USER);
    await bot.app.publisher.idle();

    const ts = bot.app.store.runMessages.get(run.id)!.ts;
    const roots = bot.slack.messages(channel).filter((m) => m.text.includes('P1 - Emergency Rollback'));
    assert.equal(roots.length, 1, 'exactly one root message for the run');
    const root = roots[0]!;
    assert.equal(root.ts, ts);
    assert.match(JSON.stringify(root.blocks), /succeeded|Succeeded/);
    assert.ok(root.history.length >= 2, 'the message was updated in place');
    assert.deepEqual(checkMessage({ text: root.text, blocks: root.blocks ?? [] }), []);
    const replies = root.replies.map((r) => r.text).join('\n');
    assert.match(replies, /started/);
    assert.match(replies, /finished: Success/);
    const kinds = bot.app.store.timeline.forIncident(incidentId).map((e) => e.kind);
    assert.ok(kinds.includes('incident.declared') || kinds[0]!.startsWith('incident'), kinds.join());
    assert.ok(kinds.includes('run.finished'));
    // One chat.update per message per second at most.
    const updates = bot.slack
      .callsTo('chat.update')
      .filter((c) => c.args.ts === root.ts)
      .map((c) => c.at);
    for (let i = 1; i < updates.length; i++)
      assert.ok(
        updates[i]! - updates[i - 1]! >= 900,
        `updates ${updates[i - 1]} and ${updates[i]} less than a second apart`,
      );
    assertAllPayloadsWithinLimits(bot);
  } finally {
    await bot.stop();
  }
});

test('double submit and bad signatures never start a run; cancel aborts the pipeline', async () => {
  const bot = await startBot();
  try {
    bot.harness.program('rollback_service', { statuses: ['Running'] });
    const { channel } = await declare(bot);
    const modal = await opens(bot, () =>
      slashCommand(bot.url, SIGNING_SECRET, {
        command: '/runbook',
        text: 'rollback',
        channel_id: channel,
        user_id: USER,
      }),
    );

    const forged = await slashCommand(bot.url, 'wrong-secret', {
      command: '/runbook',
      text: 'rollback',
      channel_id: channel,
      user_id: USER,
    });
    assert.equal(forged.status, 401);
    const first = await submit(bot, modal, { [ids.inputBlock('environment')]: 'qa' });
    assert.equal(first.status, 200);
    const again = await submit(bot, modal, { [ids.inputBlock('environment')]: 'qa' });
    assert.equal(again.status, 200);
    await waitForRun(bot, 'running');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(bot.app.store.runs.recent().length, 1, 'one run for two submissions of one modal');

    const run = bot.app.store.runs.recent()[0]!;
    await bot.slack.waitFor(() => bot.harness.requestsTo('execute').length === 1, {
      what: 'the pipeline to start',
    });
    const click = await blockAction(bot.url, SIGNING_SECRET, {
      user: { id: USER },
      channel: { id: channel },
      actions: [{ action_id: ids.RUN_CANCEL, block_id: ids.RUN_ACTIONS_BLOCK, value: run.id }],
      response_url: bot.slack.responseUrl('cancel'),
    });
    assert.equal(click.status, 200);
    await waitForRun(bot, 'cancelled');
    await bot.slack.waitFor(() => bot.harness.requestsTo('abort').length === 1, { what: 'the abort' });
    await bot.slack.waitFor(() => bot.slack.responsesTo('cancel').length === 1, {
      what: 'the ephemeral answer',
    });
    assert.match(JSON.stringify(bot.slack.responsesTo('cancel')[0]!.body), /cancelled/);
  } finally {
    await bot.stop();
  }
});

test('a user without the run role is refused in the modal and the refusal is audited', async () => {
  const restricted = `kind: Runbook
id: restart-db
name: Restart the primary database
access: { run: [sre-leads] }
steps:
  - id: note
    uses: timeline.event
    with: { text: "restart requested" }
`;
  const bot = await startBot({
    extraManifests: { 'restricted.yaml': restricted },
    usergroups: { S0000000001: ['U222'] },
  });
  try {
    const modal = await opens(bot, () =>
      slashCommand(bot.url, SIGNING_SECRET, {
        command: '/runbook',
        text: 'restart-db',
        channel_id: 'C111',
        user_id: 'U111',
      }),
    );
    const res = await submit(bot, modal, {}, 'U111');
    const body = JSON.parse(res.body) as { response_action: string; view: Json };
    assert.equal(body.response_action, 'update');
    assert.match(JSON.stringify(body.view), /sre-leads/);
    assert.equal(bot.app.store.runs.recent().length, 0);
    assert.ok(bot.app.store.audit.recent().some((a) => a.action === 'run.refused' && a.actor === 'U111'));

    // A member of the role's user group may run it.
    const modal2 = await opens(bot, () =>
      slashCommand(bot.url, SIGNING_SECRET, {
        command: '/runbook',
        text: 'restart-db',
        channel_id: 'C111',
        user_id: 'U222',
      }),
    );
    const ok = await submit(bot, modal2, {}, 'U222');
    assert.equal(ok.status, 200);
    await waitForRun(bot, 'succeeded');
  } finally {
    await bot.stop();
  }
});

test('incident commands: change severity, set a field, errors are ephemeral with allowed values', async () => {
  const bot = await startBot();
  try {
    const { channel } = await declare(bot);
    const sev = await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/incident',
      text: 'severity P0',
      channel_id: channel,
      user_id: USER,
    });
    assert.match(sev.body, /P1 → P0/);
    const bad = await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/incident',
      text: 'status sleeping',
      channel_id: channel,
      user_id: USER,
    });
    assert.match(bad.body, /ephemeral/);
    assert.match(bad.body, /investigating/);
    const outside = await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/incident',
      text: 'severity P0',
      channel_id: 'C222',
      user_id: USER,
    });
    assert.match(outside.body, /works in an incident channel/);
    const unknown = await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/incident',
      text: 'frobnicate',
      channel_id: channel,
      user_id: USER,
    });
    assert.match(unknown.body, /Unknown subcommand/);
    await bot.slack.waitFor(
      () => bot.slack.callsTo('chat.update').some((c) => JSON.stringify(c.args).includes('P0')),
      { what: 'the pinned summary to show P0' },
    );
  } finally {
    await bot.stop();
  }
});
