/**
 * The issue's "Done when": the shipped emergency-rollback runbook, run against loopback Harness,
 * Jira, Slack, SMTP and a status-page receiver, delivers exactly the follow-ups for how the pipeline
 * ended — once each — and no secret reaches a log line, the timeline, a step or the dry-run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadManifests } from '../../src/manifests/load.ts';
import { dryRun, formatDryRun } from '../../src/engine/dry-run.ts';
import { runToEnd } from '../support/engine-setup.ts';
import { declareIncident, setupFollowups, type FollowupSetup } from '../support/followups-setup.ts';
import { startJiraFake, type JiraFake } from '../fakes/jira-fake.ts';
import { startWebhookFake, type WebhookFake } from '../fakes/webhook-fake.ts';
import { startSlackWebApi, type SlackWebApi } from '../support/slack-web-api.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp-receiver.ts';
import { adfText } from '../../src/engine/actions/jira/adf.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const catalog = loadManifests(join(ROOT, 'manifests'));
const rollback = catalog.catalog.runbooks.get('emergency-rollback')!;
const STATUSPAGE_SECRET = 'sp-whsec-7f3e9a1b2c4d';

interface World {
  s: FollowupSetup;
  jira: JiraFake;
  slack: SlackWebApi;
  smtp: SmtpReceiver;
  hook: WebhookFake;
  secrets: string[];
  close(): Promise<void>;
}

async function world(): Promise<World> {
  const jira = await startJiraFake();
  jira.addIssue('OPS-1234', 'In Progress');
  const slack = await startSlackWebApi();
  const smtp = await startSmtpReceiver();
  const hook = await startWebhookFake({ secret: STATUSPAGE_SECRET });
  const env = {
    JIRA_BASE_URL: jira.url,
    JIRA_EMAIL: jira.email,
    JIRA_API_TOKEN: jira.token,
    SMTP_URL: smtp.url,
    SMTP_FROM: 'runbook-bot <bot@example.com>',
    STATUSPAGE_WEBHOOK_URL: `${hook.url}/hooks/statuspage/pg-9f8e7d`,
    STATUSPAGE_WEBHOOK_SECRET: STATUSPAGE_SECRET,
  };
  const s = await setupFollowups([rollback], { env, slack: slack.client() });
  s.fake.program('rollback_service', { statuses: ['Running', 'Success'] });
  s.fake.program('collect_diagnostics', { statuses: ['Running'] });
  return {
    s,
    jira,
    slack,
    smtp,
    hook,
    secrets: [jira.token, smtp.password, STATUSPAGE_SECRET, slack.token, env.STATUSPAGE_WEBHOOK_URL],
    async close() {
      await s.cleanup();
      await Promise.all([jira.close(), slack.close(), smtp.close(), hook.close()]);
    },
  };
}

async function runRollback(w: World) {
  const inc = declareIncident(w.s, { fields: { jira_key: 'OPS-1234', customer_facing: true } });
  const run = w.s.engine.startRun({
    runbookId: 'rollback',
    incidentId: inc.id,
    requester: 'U0REQ',
    inputs: { environment: 'prod' },
  });
  // The shipped runbook asks for approval of manual prod runs (access.approval.when).
  assert.equal(run.state, 'awaiting_approval');
  assert.equal((await w.s.engine.decide(run.id, { decision: 'approve', actor: 'U0CMD' })).applied, true);
  await runToEnd(w.s, run.id, 20_000);
  const { run: done, steps } = w.s.engine.getRun(run.id)!;
  const status = Object.fromEntries(steps.map((x) => [x.stepId, x.status]));
  return { inc, run: done, steps, status };
}

function assertNoSecrets(w: World, incidentId: string, runId: string): void {
  const everything = [
    w.s.logs.join(''),
    JSON.stringify(w.s.store.timeline.forIncident(incidentId)),
    JSON.stringify(w.s.engine.getRun(runId)),
  ].join('\n');
  for (const secret of w.secrets) assert.ok(!everything.includes(secret), `a secret leaked: ${secret}`);
}

test('pipeline succeeds: Jira comment + transition and the status page — nothing else', async () => {
  const w = await world();
  try {
    const { inc, run, steps, status } = await runRollback(w);
    assert.equal(run.state, 'succeeded', steps.map((x) => `${x.stepId}: ${x.error}`).join('\n'));
    assert.deepEqual(status, {
      rollback: 'succeeded',
      'note-rollback': 'succeeded',
      'jira-comment': 'succeeded',
      'jira-done': 'succeeded',
      diagnose: 'skipped',
      'tell-channel': 'skipped',
      'email-oncall': 'skipped',
      'key-event': 'skipped',
      'status-page': 'succeeded',
    });
    const issue = w.jira.issues.get('OPS-1234')!;
    assert.equal(issue.comments.length, 1);
    const url = steps[0]!.url!;
    assert.match(
      adfText(issue.comments[0]!.body),
      new RegExp(
        `checkout was rolled back in prod .*Harness execution: ${url.replace(/[.?]/g, '\\$&')} \\(took \\d+s\\)`,
        's',
      ),
    );
    assert.equal(issue.status, 'Done');
    assert.equal(w.jira.requestsTo('transition').length, 1);
    assert.equal(w.slack.posted.length, 0);
    assert.equal(w.smtp.mails.length, 0);
    assert.equal(w.hook.applied.length, 1);
    assert.deepEqual(w.hook.applied[0]!.json, {
      incident: inc.id,
      component: 'checkout',
      status: 'succeeded',
      message: 'Rollback of checkout: succeeded',
    });
    assert.equal(w.s.fake.requestsTo('execute').length, 1, 'no diagnostics pipeline');
    assertNoSecrets(w, inc.id, run.id);
  } finally {
    await w.close();
  }
});

test('pipeline fails: diagnostics, Slack, email, a key event and the status page — no Jira', async () => {
  const w = await world();
  w.s.fake.program('rollback_service', {
    statuses: ['Running', 'Failed'],
    failureMessage: 'Deployment failed: image not found',
  });
  try {
    const { inc, run, steps, status } = await runRollback(w);
    assert.equal(run.state, 'failed');
    assert.deepEqual(status, {
      rollback: 'failed',
      'note-rollback': 'skipped',
      'jira-comment': 'skipped',
      'jira-done': 'skipped',
      diagnose: 'succeeded',
      'tell-channel': 'succeeded',
      'email-oncall': 'succeeded',
      'key-event': 'succeeded',
      'status-page': 'succeeded',
    });
    assert.equal(w.jira.requests.length, 0);
    assert.deepEqual(
      w.s.fake.requestsTo('execute').map((r) => r.path.split('/').pop()),
      ['rollback_service', 'collect_diagnostics'],
    );
    assert.equal(w.slack.posted.length, 1);
    const msg = w.slack.posted[0]!;
    assert.equal(msg.channel, 'C0INCIDENT');
    assert.equal(
      msg.text,
      ':rotating_light: Rollback of checkout in prod failed: Harness status Failed — Deployment failed: image not found',
    );
    assert.match(
      msg.blocks![1]!.text!.text,
      new RegExp(`<${steps[0]!.url!.replace(/[.?]/g, '\\$&')}\\|Harness execution> · diagnostics: <https://`),
    );
    assert.equal(w.smtp.mails.length, 1);
    const mail = w.smtp.mails[0]!;
    assert.deepEqual(mail.envelopeTo, ['sre-oncall@example.com']);
    assert.equal(mail.headers.get('subject'), `[P1] ${inc.id}: rollback of checkout failed`);
    assert.match(mail.text!, /Deployment failed: image not found/);
    const key = w.s.store.timeline.forIncident(inc.id).filter((e) => e.kind === 'custom');
    assert.deepEqual(
      key.map((e) => [e.text, e.key]),
      [['Rollback of checkout failed; on-call paged by email, diagnostics started', true]],
    );
    assert.equal(w.hook.applied.length, 1);
    assert.equal((w.hook.applied[0]!.json as { status: string }).status, 'failed');
    assertNoSecrets(w, inc.id, run.id);
  } finally {
    await w.close();
  }
});

test('pipeline times out: the failure follow-ups run and say timed_out; the status page too', async () => {
  const w = await world();
  w.s.fake.program('rollback_service', { statuses: ['Running'] });
  try {
    const { inc, run, status } = await runRollback(w);
    assert.equal(run.state, 'timed_out');
    assert.equal(status.rollback, 'timed_out');
    assert.deepEqual(
      [
        'jira-comment',
        'jira-done',
        'diagnose',
        'tell-channel',
        'email-oncall',
        'key-event',
        'status-page',
      ].map((id) => status[id]),
      ['skipped', 'skipped', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded'],
    );
    assert.match(
      w.slack.posted[0]!.text,
      /Rollback of checkout in prod timed_out: no terminal status within 30m/,
    );
    assert.equal(w.smtp.mails[0]!.headers.get('subject'), `[P1] ${inc.id}: rollback of checkout timed_out`);
    assert.equal((w.hook.applied[0]!.json as { status: string }).status, 'timed_out');
    assert.equal(w.slack.posted.length + w.smtp.mails.length + w.hook.applied.length, 3, 'once each');
    assertNoSecrets(w, inc.id, run.id);
  } finally {
    await w.close();
  }
});

test('a failing follow-up is reported (step, timeline key event with the target message) and the others still run', async () => {
  const w = await world();
  w.s.fake.program('rollback_service', { statuses: ['Running', 'Failed'] });
  w.slack.channels.delete('C0INCIDENT');
  try {
    const { inc, run, steps, status } = await runRollback(w);
    assert.equal(status['tell-channel'], 'failed');
    const tell = steps.find((x) => x.stepId === 'tell-channel')!;
    assert.match(tell.error!, /Slack refused chat\.postMessage: not_in_channel/);
    const ev = w.s.store.timeline
      .forIncident(inc.id)
      .find((e) => e.kind === 'step.failed' && e.text.includes('tell-channel'))!;
    assert.equal(ev.key, true);
    assert.match(ev.text, /not_in_channel/);
    assert.equal(status['email-oncall'], 'succeeded');
    assert.equal(status['status-page'], 'succeeded');
    assert.equal(run.state, 'failed');
    assert.match(
      run.error!,
      /^step rollback failed/,
      'the run fails for the pipeline, not for the follow-up',
    );
  } finally {
    await w.close();
  }
});

test('dry-run of the example shows every follow-up payload with secrets masked, and reads no secret', () => {
  const saved = { ...process.env };
  process.env.STATUSPAGE_WEBHOOK_SECRET = 'dry-run-must-not-read-this';
  process.env.JIRA_API_TOKEN = 'dry-run-must-not-read-this-either';
  try {
    const incident = {
      id: 'INC-42',
      summary: 'Checkout <500s>',
      severity: 'P1' as const,
      status: 'investigating' as const,
      service: 'checkout',
      environment: 'prod',
      type: 'major-incident',
      commander: null,
      channel: 'C0INCIDENT',
      createdAt: '2026-01-01T00:00:00.000Z',
      fields: { jira_key: 'OPS-1234', customer_facing: true },
    };
    const ok = formatDryRun(dryRun(rollback, incident));
    assert.match(
      ok,
      /POST \$JIRA_BASE_URL\/rest\/api\/3\/issue\/OPS-1234\/comment\n {5}Authorization: Basic \[\$JIRA_EMAIL:\$JIRA_API_TOKEN\]/,
    );
    assert.match(ok, /Harness execution: \[url of rollback\] \(took \[duration of rollback\]\)/);
    assert.match(
      ok,
      /POST \$STATUSPAGE_WEBHOOK_URL\n(.*\n)*? {5}X-Runbook-Signature: sha256=<HMAC-SHA256 of the body with \$STATUSPAGE_WEBHOOK_SECRET>/,
    );
    const failed = formatDryRun(dryRun(rollback, incident, { assume: { rollback: 'failed' } }));
    assert.match(failed, /6\. tell-channel \(slack\.message\) — would run/);
    assert.match(
      failed,
      /"text": ":rotating_light: Rollback of checkout in prod failed: \[error of rollback\]"/,
    );
    assert.match(failed, /SMTP \$SMTP_URL\n {5}From: \$SMTP_FROM\n {5}To: sre-oncall@example\.com/);
    assert.match(failed, /Checkout &lt;500s&gt;/, 'HTML values are escaped in the preview too');
    for (const out of [ok, failed]) assert.ok(!out.includes('must-not-read'), 'dry-run read a secret');
  } finally {
    process.env = saved;
  }
});
