/**
 * Issue 4 end to end: an alerting tool opens a P1 incident through the API, the rollback trigger
 * fires, the approval message appears in the incident's channel, the wrong people are refused,
 * a commander approves and the pipeline runs exactly once. Plus reject, expire, re-firing on
 * severity toggles, concurrent clicks and a restart with a pending approval.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBot, SIGNING_SECRET, type BotUnderTest } from '../support/bot-app.ts';
import { blockAction } from '../support/slack-requests.ts';
import * as ids from '../../src/slack/ids.ts';
import { waitForRun, assertAllPayloadsWithinLimits, opens, submit, command } from '../support/slack-flow.ts';

const COMMANDER = 'U111';
const OTHER = 'U222';

async function openP1(bot: BotUnderTest) {
  const res = await bot.api('POST', '/api/incidents', {
    summary: 'Checkout error rate above 5%',
    severity: 'P1',
    service: 'checkout',
    environment: 'prod',
    type: 'major-incident',
    commander: COMMANDER,
    fields: { customer_facing: true },
    externalId: 'alert-123',
  });
  assert.equal(res.status, 201, JSON.stringify(res.json));
  return res.json as { id: string; channel: string };
}

function click(
  bot: BotUnderTest,
  user: string,
  actionId: string,
  runId: string,
  channel: string,
  respondId = `${user}-${actionId}`,
) {
  return blockAction(bot.url, SIGNING_SECRET, {
    user: { id: user },
    channel: { id: channel },
    actions: [{ action_id: actionId, block_id: ids.RUN_ACTIONS_BLOCK, value: runId }],
    response_url: bot.slack.responseUrl(respondId),
  });
}

async function approvalMessage(bot: BotUnderTest, runId: string) {
  await bot.slack.waitFor(() => !!bot.app.store.runMessages.get(runId)?.ts, {
    what: 'the approval message',
    timeoutMs: 10_000,
  });
  const row = bot.app.store.runMessages.get(runId)!;
  return {
    channel: row.channel,
    message: () => bot.slack.messages(row.channel).find((m) => m.ts === row.ts)!,
  };
}

test('API P1 → trigger → approval message → refusals → commander approves → one execute', async () => {
  const bot = await startBot();
  try {
    bot.harness.program('rollback_service', { statuses: ['Running', 'Success'] });
    const started = Date.now();
    const inc = await openP1(bot);
    const run = await waitForRun(bot, 'awaiting_approval');
    assert.equal(run.trigger, 'incident.created');
    assert.equal(run.incidentId, inc.id);
    const { channel, message } = await approvalMessage(bot, run.id);
    assert.equal(channel, bot.app.store.incidents.get(inc.id)!.channel);
    assert.ok(Date.now() - started < 10_000, 'the approval message appears within seconds');
    const prompt = JSON.stringify(message().blocks);
    for (const id of [ids.RUN_APPROVE, ids.RUN_REJECT, ids.RUN_EDIT_INPUTS])
      assert.match(prompt, new RegExp(id));
    assert.match(prompt, /severity/);

    // Not a commander: refused, audited, nothing runs.
    await click(bot, OTHER, ids.RUN_APPROVE, run.id, channel, 'other');
    await bot.slack.waitFor(() => bot.slack.responsesTo('other').length === 1, { what: 'the refusal' });
    assert.match(JSON.stringify(bot.slack.responsesTo('other')[0]!.body), /commanders/);
    assert.ok(bot.app.store.audit.recent().some((a) => a.action === 'approval.refused' && a.actor === OTHER));
    assert.equal(bot.harness.requestsTo('execute').length, 0);

    await click(bot, COMMANDER, ids.RUN_APPROVE, run.id, channel, 'commander');
    const done = await waitForRun(bot, 'succeeded');
    assert.equal(done.approver, COMMANDER);
    assert.equal(bot.harness.requestsTo('execute').length, 1);
    await bot.app.publisher.idle();
    const after = JSON.stringify(message().blocks);
    assert.match(after, /Approved by <@U111> at <!date/);
    assert.doesNotMatch(after, new RegExp(ids.RUN_APPROVE));
    const kinds = bot.app.store.timeline.forIncident(inc.id).map((e) => e.kind);
    assert.ok(
      kinds.some((k) => /approval\.requested|approval_requested/.test(k)),
      kinds.join(),
    );
    assert.ok(
      kinds.some((k) => /approv/.test(k) && !/requested|refused/.test(k)),
      kinds.join(),
    );
    assert.ok(kinds.includes('approval.refused'));

    // Severity toggling P1 → P2 → P1 does not start a second rollback.
    assert.equal((await bot.api('PATCH', `/api/incidents/${inc.id}`, { severity: 'P2' })).status, 200);
    assert.equal((await bot.api('PATCH', `/api/incidents/${inc.id}`, { severity: 'P1' })).status, 200);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(bot.app.store.runs.forIncident(inc.id).length, 1);
    assertAllPayloadsWithinLimits(bot);
  } finally {
    await bot.stop();
  }
});

test('reject: nothing runs and the message says who rejected', async () => {
  const bot = await startBot();
  try {
    await openP1(bot);
    const run = await waitForRun(bot, 'awaiting_approval');
    const { channel, message } = await approvalMessage(bot, run.id);
    await click(bot, COMMANDER, ids.RUN_REJECT, run.id, channel);
    await waitForRun(bot, 'rejected');
    await bot.app.publisher.idle();
    assert.match(JSON.stringify(message().blocks), /Rejected by <@U111>/);
    assert.equal(bot.harness.requestsTo('execute').length, 0);
  } finally {
    await bot.stop();
  }
});

test('many simultaneous approve clicks: one decision, one pipeline execution', async () => {
  const bot = await startBot();
  try {
    bot.harness.program('rollback_service', { statuses: ['Success'] });
    await openP1(bot);
    const run = await waitForRun(bot, 'awaiting_approval');
    const { channel } = await approvalMessage(bot, run.id);
    const clicks = await Promise.all(
      Array.from({ length: 12 }, (_, i) => click(bot, COMMANDER, ids.RUN_APPROVE, run.id, channel, `c${i}`)),
    );
    assert.ok(clicks.every((c) => c.status === 200));
    await waitForRun(bot, 'succeeded');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(bot.harness.requestsTo('execute').length, 1);
    const decisions = bot.app.store.audit
      .recent(200)
      .filter((a) => a.subject === run.id && /approve/.test(a.action) && !/refused/.test(a.action));
    assert.equal(decisions.length, 1, JSON.stringify(decisions));
  } finally {
    await bot.stop();
  }
});

test('a pending approval survives a restart and is still clickable', async () => {
  const bot = await startBot();
  try {
    bot.harness.program('rollback_service', { statuses: ['Success'] });
    await openP1(bot);
    const run = await waitForRun(bot, 'awaiting_approval');
    const { channel } = await approvalMessage(bot, run.id);
    await bot.restart();
    assert.equal(bot.app.store.runs.get(run.id)!.state, 'awaiting_approval');
    await click(bot, COMMANDER, ids.RUN_APPROVE, run.id, channel);
    await waitForRun(bot, 'succeeded');
    assert.equal(bot.harness.requestsTo('execute').length, 1);
  } finally {
    await bot.stop();
  }
});

test('the requester of a manual run that needs approval cannot approve it; expiry closes it', async () => {
  const bot = await startBot();
  try {
    const inc = await openP1(bot);
    const auto = await waitForRun(bot, 'awaiting_approval');
    const { channel } = await approvalMessage(bot, auto.id);
    await click(bot, COMMANDER, ids.RUN_REJECT, auto.id, channel);
    await waitForRun(bot, 'rejected');
    // A manual prod rollback needs approval (access.approval.when inputs.environment == prod).
    const manual = bot.app.engine.startRun({
      runbookId: 'emergency-rollback',
      incidentId: inc.id,
      requester: OTHER,
      inputs: { environment: 'prod' },
    });
    assert.equal(manual.state, 'awaiting_approval');
    await approvalMessage(bot, manual.id);
    await click(bot, OTHER, ids.RUN_APPROVE, manual.id, channel, 'self');
    await bot.slack.waitFor(() => bot.slack.responsesTo('self').length === 1, {
      what: 'the self-approval refusal',
    });
    assert.match(JSON.stringify(bot.slack.responsesTo('self')[0]!.body), /requested/);
    assert.equal(bot.app.store.runs.get(manual.id)!.state, 'awaiting_approval');
    // Expiry: the sweep closes approvals past their deadline.
    bot.app.store.db
      .prepare('UPDATE runs SET approval_expires_at = ? WHERE id = ?')
      .run(Date.now() - 1, manual.id);
    assert.equal(bot.app.engine.expireApprovals(), 1);
    await bot.app.publisher.idle();
    assert.equal(bot.app.store.runs.get(manual.id)!.state, 'expired');
    const row = bot.app.store.runMessages.get(manual.id)!;
    const msg = bot.slack.messages(row.channel).find((m) => m.ts === row.ts)!;
    assert.match(JSON.stringify(msg.blocks), /Expired/);
    assert.ok(bot.app.store.timeline.forRun(manual.id).some((e) => /expir/.test(e.kind)));
  } finally {
    await bot.stop();
  }
});

test('Edit inputs opens the input modal pre-filled; submitting approves with the edited values', async () => {
  const bot = await startBot();
  try {
    bot.harness.program('rollback_service', { statuses: ['Success'] });
    await openP1(bot);
    const run = await waitForRun(bot, 'awaiting_approval');
    assert.equal(run.inputs.environment, 'prod');
    const { channel } = await approvalMessage(bot, run.id);
    const modal = await opens(bot, () => click(bot, COMMANDER, ids.RUN_EDIT_INPUTS, run.id, channel));
    assert.equal(modal.view.callback_id, ids.RUNBOOK_INPUT_MODAL);
    assert.match(JSON.stringify(modal.view), /Approve & run/);
    const ack = await submit(bot, modal, { [ids.inputBlock('environment')]: 'qa' }, COMMANDER);
    assert.equal(ack.status, 200);
    const done = await waitForRun(bot, 'succeeded');
    assert.equal(done.approver, COMMANDER);
    assert.equal(done.inputs.environment, 'qa');
    const sent = bot.harness.requestsTo('execute')[0]!.body;
    assert.match(sent, /value: "qa"/);
    assert.equal(bot.harness.requestsTo('execute').length, 1);
  } finally {
    await bot.stop();
  }
});

test('a deploying runbook refused by a closed gate offers an override; clicking it waits for a commander', async () => {
  const deploy = `kind: Runbook
id: hotfix-deploy
name: Hotfix deploy
deploys: true
steps:
  - id: note
    uses: timeline.event
    with: { text: "deploying the hotfix" }
`;
  const bot = await startBot({ extraManifests: { 'hotfix.yaml': deploy } });
  try {
    const inc = await openP1(bot); // P1 on checkout/prod closes the shipped gate
    bot.slack.channel(inc.channel)!.members.push(OTHER); // a responder who joined the channel
    const before = bot.slack.ephemerals({ user: OTHER }).length;
    const modal = await opens(bot, () => command(bot, '/runbook', 'hotfix-deploy', inc.channel, OTHER));
    const ack = await submit(bot, modal, {}, OTHER);
    assert.equal(ack.status, 200);
    assert.equal(ack.body, '', ack.body);
    await bot.slack.waitFor(() => bot.slack.ephemerals({ user: OTHER }).length > before, {
      what: 'the gate refusal',
    });
    const refusal = bot.slack.ephemerals({ user: OTHER }).at(-1)!;
    assert.match(refusal.text, new RegExp(inc.id));
    const button = JSON.stringify(refusal.blocks);
    assert.match(button, new RegExp(ids.RUN_GATE_OVERRIDE));
    const value = /"value":"((?:[^"\\]|\\.)*)"/.exec(button)![1]!.replace(/\\"/g, '"');
    const runsBefore = bot.app.store.runs.forIncident(inc.id).length;
    await blockAction(bot.url, SIGNING_SECRET, {
      user: { id: OTHER },
      channel: { id: inc.channel },
      actions: [{ action_id: ids.RUN_GATE_OVERRIDE, block_id: 'x', value }],
    });
    await bot.slack.waitFor(() => bot.app.store.runs.forIncident(inc.id).length > runsBefore, {
      what: 'the override request',
    });
    const run = bot.app.store.runs.forIncident(inc.id).find((r) => r.runbookId === 'hotfix-deploy')!;
    assert.equal(run.state, 'awaiting_approval');
    assert.equal(run.requester, OTHER);
  } finally {
    await bot.stop();
  }
});
