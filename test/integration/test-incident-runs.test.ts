/**
 * Runs of test incidents through the real engine, the real Harness client against the Harness fake,
 * and the Jira and webhook fakes: the staging pipeline runs (the production one never), follow-ups
 * with `staging:` go to their staging target, those without are skipped with the reason, internal
 * steps run as usual — and the same runbook for a normal incident, or without an incident, is
 * unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { runbookFromYaml, runToEnd } from '../support/engine-setup.ts';
import { setupFollowups, type FollowupSetup } from '../support/followups-setup.ts';
import { startJiraFake, type JiraFake } from '../fakes/jira-fake.ts';
import { startWebhookFake, type WebhookFake } from '../fakes/webhook-fake.ts';
import type { IncidentRecord } from '../../src/store/index.ts';

const PIPELINE_STEP = (staging: string) => `
  - id: rollback
    uses: harness.pipeline
    with:
      org: default
      project: payments
      pipeline: rollback_service
      ${staging}
      inputs: |
        pipeline:
          identifier: "rollback_service"
          variables:
            - name: "service"
              type: "String"
              value: "<+input>"
      bind:
        service: { from: incident.service }`;

const FOLLOWUPS = `
  - id: note
    if: { steps.rollback.status: { equals: succeeded } }
    uses: timeline.event
    with: { text: "Rolled back {{ incident.service }}: {{ steps.rollback.url }}" }
  - id: jira
    uses: jira.comment
    with:
      issue: "{{ incident.fields.jira_key }}"
      body: "Rollback {{ steps.rollback.status }}"
      staging: { issue: OPS-900 }
  - id: status-page
    uses: webhook
    continue_on_error: true
    with:
      url_env: PROD_HOOK_URL
      body: { status: "{{ steps.rollback.status }}" }`;

const runbook = (staging: string) =>
  runbookFromYaml(`kind: Runbook\nid: rb\nname: Rollback\nsteps:${PIPELINE_STEP(staging)}${FOLLOWUPS}\n`);

interface World {
  s: FollowupSetup;
  jira: JiraFake;
  hook: WebhookFake;
  incident(test: boolean): IncidentRecord;
  close(): Promise<void>;
}

async function world(staging: string): Promise<World> {
  const jira = await startJiraFake();
  jira.addIssue('OPS-1', 'In Progress');
  jira.addIssue('OPS-900', 'In Progress');
  const hook = await startWebhookFake();
  const env = {
    JIRA_BASE_URL: jira.url,
    JIRA_EMAIL: jira.email,
    JIRA_API_TOKEN: jira.token,
    PROD_HOOK_URL: `${hook.url}/production`,
  };
  const s = await setupFollowups([runbook(staging)], { env });
  s.fake.program('rollback_service', { statuses: ['Running', 'Success'] });
  s.fake.program('rollback_staging', { statuses: ['Running', 'Success'] });
  const incident = (isTest: boolean) =>
    s.store.tx(() =>
      s.store.incidents.insert(
        {
          summary: 'Checkout 500s',
          severity: 'P1',
          status: 'investigating',
          service: 'checkout',
          environment: 'prod',
          type: 'any',
          commander: 'U0COMMANDER',
          channel: isTest ? 'C0TEST' : 'C0INCIDENT',
          fields: { jira_key: 'OPS-1' },
          test: isTest,
        },
        s.clock.now(),
      ),
    );
  return {
    s,
    jira,
    hook,
    incident,
    async close() {
      await s.cleanup();
      await jira.close();
      await hook.close();
    },
  };
}

const executed = (s: FollowupSetup) =>
  s.fake.requestsTo('execute').map((r) => ({
    pipeline: r.path.split('/').pop(),
    org: r.query.orgIdentifier,
    project: r.query.projectIdentifier,
    identifier: (parse(r.body) as { pipeline: { identifier: string } }).pipeline.identifier,
  }));

const STAGING = 'staging: { project: payments_staging, pipeline: rollback_staging }';

test('a test incident runs the staging pipeline, redirects Jira to staging, skips the webhook', async () => {
  const w = await world(STAGING);
  try {
    const inc = w.incident(true);
    assert.equal(inc.test, true);
    const run = w.s.engine.startRun({ runbookId: 'rb', incidentId: inc.id, requester: 'U1' });
    await runToEnd(w.s, run.id);
    const { run: done, steps } = w.s.engine.getRun(run.id)!;
    assert.equal(done.state, 'succeeded', steps.map((x) => `${x.stepId}:${x.error}`).join(' | '));

    // Only the staging pipeline was executed, with the Run-YAML retargeted to it.
    assert.deepEqual(executed(w.s), [
      {
        pipeline: 'rollback_staging',
        org: 'default',
        project: 'payments_staging',
        identifier: 'rollback_staging',
      },
    ]);
    assert.ok(
      w.s.fake.requestsTo('status').every((r) => r.query.projectIdentifier === 'payments_staging'),
      'status reads ask the staging project',
    );
    const byId = Object.fromEntries(steps.map((x) => [x.stepId, x]));
    assert.equal(byId.rollback!.status, 'succeeded');
    assert.equal(byId.note!.status, 'succeeded', 'timeline.event runs as usual');

    // Jira: the staging issue got the comment, the production one nothing.
    assert.equal(w.jira.issues.get('OPS-900')!.comments.length, 1);
    assert.equal(w.jira.issues.get('OPS-1')!.comments.length, 0);
    assert.equal(byId.jira!.status, 'succeeded');

    // The webhook has no staging target: skipped, recorded, nothing delivered.
    assert.equal(byId['status-page']!.status, 'skipped');
    assert.equal(byId['status-page']!.skipReason, 'skipped: test incident');
    assert.equal(w.hook.applied.length, 0);

    const texts = w.s.store.timeline.forIncident(inc.id).map((e) => e.text);
    assert.ok(
      texts.includes('test incident: running staging pipeline default/payments_staging/rollback_staging'),
      texts.join('\n'),
    );
    assert.ok(
      texts.some((t) => t.includes('jira.comment step jira goes to its staging target (issue OPS-900)')),
    );
    assert.ok(texts.some((t) => t.startsWith('Step status-page (webhook) skipped: test incident')));
  } finally {
    await w.close();
  }
});

test('a normal incident runs the same runbook against production, unchanged', async () => {
  const w = await world(STAGING);
  try {
    const inc = w.incident(false);
    const run = w.s.engine.startRun({ runbookId: 'rb', incidentId: inc.id, requester: 'U1' });
    await runToEnd(w.s, run.id);
    const { run: done, steps } = w.s.engine.getRun(run.id)!;
    assert.equal(done.state, 'succeeded', steps.map((x) => `${x.stepId}:${x.error}`).join(' | '));
    assert.deepEqual(executed(w.s), [
      { pipeline: 'rollback_service', org: 'default', project: 'payments', identifier: 'rollback_service' },
    ]);
    assert.equal(w.jira.issues.get('OPS-1')!.comments.length, 1);
    assert.equal(w.jira.issues.get('OPS-900')!.comments.length, 0);
    assert.equal(w.hook.applied.length, 1);
    assert.equal(w.hook.applied[0]!.path, '/production');
    assert.ok(steps.every((x) => x.status === 'succeeded'));
    const texts = w.s.store.timeline.forIncident(inc.id).map((e) => e.text);
    assert.ok(!texts.some((t) => t.includes('test incident')), texts.join('\n'));
  } finally {
    await w.close();
  }
});

test('without staging: a test incident skips the pipeline (never executed) and if: sees it skipped', async () => {
  const rb = runbookFromYaml(`kind: Runbook
id: rb
name: Rollback
steps:${PIPELINE_STEP('')}
  - id: on-success
    if: { steps.rollback.status: { equals: succeeded } }
    uses: timeline.event
    with: { text: "rolled back" }
  - id: on-skip
    if: { steps.rollback.status: { equals: skipped } }
    uses: timeline.event
    with: { text: "nothing was rolled back: {{ incident.id }} is a test" }
`);
  const s = await setupFollowups([rb], {});
  try {
    const inc = s.store.tx(() =>
      s.store.incidents.insert(
        {
          summary: 'drill',
          severity: 'P2',
          status: 'investigating',
          service: 'checkout',
          environment: 'prod',
          type: 'any',
          commander: null,
          channel: null,
          fields: {},
          test: true,
        },
        s.clock.now(),
      ),
    );
    const run = s.engine.startRun({ runbookId: 'rb', incidentId: inc.id, requester: 'U1' });
    await runToEnd(s, run.id);
    const { run: done, steps } = s.engine.getRun(run.id)!;
    assert.equal(done.state, 'succeeded');
    assert.equal(s.fake.requestsTo('execute').length, 0, 'no pipeline executed');
    assert.deepEqual(
      steps.map((x) => [x.stepId, x.status]),
      [
        ['rollback', 'skipped'],
        ['on-success', 'skipped'],
        ['on-skip', 'succeeded'],
      ],
    );
    assert.equal(steps[0]!.skipReason, 'skipped: test incident (no staging pipeline)');
    assert.match(steps[1]!.skipReason ?? '', /^if: steps\.rollback\.status.*skipped/);
    const texts = s.store.timeline.forIncident(inc.id).map((e) => e.text);
    assert.ok(
      texts.some((t) => t.includes('skipped: test incident (no staging pipeline)')),
      texts.join('\n'),
    );
    assert.ok(texts.includes(`nothing was rolled back: ${inc.id} is a test`));
  } finally {
    await s.cleanup();
  }
});

test('a run without an incident is unchanged: the production pipeline runs', async () => {
  const rb = runbookFromYaml(
    `kind: Runbook\nid: rb\nname: Rollback\nsteps:${PIPELINE_STEP(STAGING).replace('from: incident.service', 'value: checkout')}\n`,
  );
  const s = await setupFollowups([rb], {});
  try {
    s.fake.program('rollback_service', { statuses: ['Running', 'Success'] });
    const run = s.engine.startRun({ runbookId: 'rb', requester: 'U1' });
    await runToEnd(s, run.id);
    assert.equal(s.engine.getRun(run.id)!.run.state, 'succeeded');
    assert.deepEqual(
      executed(s).map((e) => `${e.project}/${e.pipeline}`),
      ['payments/rollback_service'],
    );
  } finally {
    await s.cleanup();
  }
});
