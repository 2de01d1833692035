/**
 * `/runbook validate <runbook>` through the signed Slack endpoint of the real app: the checklist
 * against the channel's incident — field mapping with values, each pipeline asked of Harness (the
 * fake's template endpoint) with drift reported, timeline writable, follow-up env vars.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBot, SIGNING_SECRET } from '../support/bot-app.ts';
import { slashCommand } from '../support/slack-requests.ts';

const ROLLBACK_TEMPLATE = `pipeline:
  identifier: "rollback_service"
  variables:
    - name: "service"
      type: "String"
      value: "<+input>"
    - name: "environment"
      type: "String"
      value: "<+input>.allowedValues(dev,qa,prod)"
    - name: "incidentId"
      type: "String"
      value: "<+input.incidentId>"
    - name: "target"
      type: "String"
      value: "<+input>.allowedValues(last_successful,previous)"
`;

test('/runbook validate: checklist with values, reachable and unreachable pipelines, follow-up configuration', async () => {
  // Follow-ups read their settings from the process environment; this test file runs in its own process.
  process.env.STATUSPAGE_WEBHOOK_URL = 'http://127.0.0.1:9/status';
  process.env.STATUSPAGE_WEBHOOK_SECRET = 'not-a-real-secret';
  const bot = await startBot({
    extraManifests: {
      'ghost.yaml':
        'kind: Runbook\nid: ghost-check\nname: Ghost\nsteps:\n  - id: run\n    uses: harness.pipeline\n    with: { org: default, project: payments, pipeline: ghost }\n',
    },
  });
  try {
    bot.harness.templates.set('rollback_service', ROLLBACK_TEMPLATE);
    // collect_diagnostics has grown a runtime input the runbook does not know.
    bot.harness.templates.set(
      'collect_diagnostics',
      'pipeline:\n  identifier: "collect_diagnostics"\n  variables:\n    - name: "service"\n      type: "String"\n      value: "<+input>"\n    - name: "region"\n      type: "String"\n      value: "<+input>"\n',
    );
    const created = await bot.api('POST', '/api/incidents', {
      summary: 'Checkout slow',
      severity: 'P3',
      service: 'checkout',
      environment: 'qa',
      type: 'major-incident',
      fields: { customer_facing: false },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const channel = await bot.slack.waitFor(() => bot.app.store.incidents.get(created.json.id)?.channel, {
      what: 'the incident channel',
    });
    const ack = await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/runbook',
      text: 'validate rollback',
      channel_id: channel,
      user_id: 'U111',
      response_url: bot.slack.responseUrl('validate'),
    });
    assert.equal(ack.status, 200);
    assert.match(ack.body, /Checking P1 - Emergency Rollback against INC-1/);
    const [reply] = await bot.slack.waitFor(
      () => (bot.slack.responsesTo('validate').length ? bot.slack.responsesTo('validate') : null),
      { what: 'the checklist', timeoutMs: 10_000 },
    );
    const text = String((reply!.body as { text: string }).text);
    assert.match(text, /Checklist for P1 - Emergency Rollback\* \(`emergency-rollback`\) against \*INC-1\*/);
    assert.match(text, /:white_check_mark: Field mapping: every input resolves/);
    assert.match(text, /input environment = "qa"/);
    assert.match(text, /rollback: service = "checkout" ← incident\.service/);
    assert.match(text, /rollback: incidentId = "INC-1"/);
    assert.match(
      text,
      /:white_check_mark: Pipeline default\/payments\/rollback_service \(step rollback\): Harness returns it; runtime inputs match/,
    );
    assert.match(
      text,
      /:x: Pipeline default\/platform\/collect_diagnostics \(step diagnose\): reachable, but its inputs changed/,
    );
    assert.match(text, /new runtime input in Harness, not in the runbook: region/);
    assert.match(text, /runtime input no longer in Harness: depth/);
    assert.match(text, /runtime input no longer in Harness: heap_dump/);
    assert.match(text, /diagnose: heap_dump = \(asked by Harness during the run\)\n/);
    assert.match(text, /:white_check_mark: Timeline: writable/);
    assert.match(
      text,
      /:x: Follow-up jira-comment \(jira\.comment\): not configured\n\s+• set JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN/,
    );
    assert.match(text, /:x: Follow-up email-oncall \(email\): not configured/);
    assert.match(text, /:white_check_mark: Follow-up tell-channel \(slack\.message\): configured/);
    assert.match(text, /:white_check_mark: Follow-up status-page \(webhook\): configured/);
    assert.doesNotMatch(text, /not-a-real-secret/, 'values of env vars are never shown');
    assert.match(text, /— \d+ problem\(s\)/);
    // Nothing ran.
    assert.equal(bot.harness.requestsTo('execute').length, 0);
    assert.equal(bot.app.store.runs.forIncident(created.json.id).length, 0);

    // A pipeline Harness does not know: the checklist says so in Harness's words.
    await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/runbook',
      text: 'validate ghost-check',
      channel_id: channel,
      user_id: 'U111',
      response_url: bot.slack.responseUrl('ghost'),
    });
    const [ghost] = await bot.slack.waitFor(
      () => (bot.slack.responsesTo('ghost').length ? bot.slack.responsesTo('ghost') : null),
      { what: 'the ghost checklist', timeoutMs: 10_000 },
    );
    const ghostText = String((ghost!.body as { text: string }).text);
    assert.match(
      ghostText,
      /:x: Pipeline default\/payments\/ghost \(step run\): not reachable\n\s+• Harness could not find pipeline "ghost".*doesn't exist/,
    );
    assert.match(ghostText, /— 1 problem\(s\)/);

    const outside = await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/runbook',
      text: 'validate rollback',
      channel_id: 'C222',
      user_id: 'U111',
    });
    assert.match(outside.body, /works in an incident channel/);
    const which = await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/runbook',
      text: 'validate',
      channel_id: channel,
      user_id: 'U111',
    });
    assert.match(which.body, /Which runbook\?.*emergency-rollback/);
  } finally {
    await bot.stop();
  }
});

test('/runbook validate in a test incident: the staging pipeline is asked of Harness, skips and redirects listed', async () => {
  const bot = await startBot();
  try {
    bot.harness.templates.set('rollback_service', ROLLBACK_TEMPLATE);
    bot.harness.templates.set(
      'rollback_service_staging',
      ROLLBACK_TEMPLATE.replace('identifier: "rollback_service"', 'identifier: "rollback_service_staging"'),
    );
    const created = await bot.api('POST', '/api/incidents', {
      summary: 'Rehearsal: checkout slow',
      severity: 'P3',
      service: 'checkout',
      environment: 'qa',
      type: 'major-incident',
      fields: { customer_facing: false },
      test: true,
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const channel = await bot.slack.waitFor(() => bot.app.store.incidents.get(created.json.id)?.channel, {
      what: 'the incident channel',
    });
    await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/runbook',
      text: 'validate rollback',
      channel_id: channel,
      user_id: 'U111',
      response_url: bot.slack.responseUrl('validate-test'),
    });
    const [reply] = await bot.slack.waitFor(
      () => (bot.slack.responsesTo('validate-test').length ? bot.slack.responsesTo('validate-test') : null),
      { what: 'the checklist', timeoutMs: 10_000 },
    );
    const text = String((reply!.body as { text: string }).text);
    assert.match(
      text,
      /Staging pipeline default\/payments_staging\/rollback_service_staging \(step rollback\): Harness returns it/,
    );
    assert.match(text, /against test incident \*INC-1\*/);
    assert.match(text, /diagnose \(harness\.pipeline\): skipped: test incident \(no staging pipeline\)/);
    assert.match(text, /jira-comment \(jira\.comment\): redirected to its staging target \(issue OPS-9999\)/);
    assert.match(text, /jira-done \(jira\.transition\): skipped: test incident/);
    const asked = bot.harness.requests.filter(
      (r) =>
        r.query.pipelineIdentifier === 'rollback_service_staging' &&
        r.query.projectIdentifier === 'payments_staging',
    );
    assert.ok(asked.length >= 1, 'Harness was asked for the staging pipeline');
    assert.equal(bot.harness.requestsTo('execute').length, 0);
  } finally {
    await bot.stop();
  }
});
