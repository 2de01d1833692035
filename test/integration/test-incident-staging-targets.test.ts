/**
 * Test incidents, further: a webhook's staging target is signed with the staging secret (the
 * production secret and URL are never used), an email goes only to the staging recipients (the
 * production cc is dropped), cancelling a run aborts the staging execution in its own project,
 * and the validate checklist asks Harness for the staging pipeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runbookFromYaml, runToEnd } from '../support/engine-setup.ts';
import { setupFollowups, type FollowupSetup } from '../support/followups-setup.ts';
import { startWebhookFake } from '../fakes/webhook-fake.ts';
import { startSmtpReceiver } from '../support/smtp-receiver.ts';
import { startHarnessFake } from '../fakes/harness-fake.ts';
import { createInputTemplateReader } from '../../src/harness/input-template.ts';
import { testIncidentChecks } from '../../src/engine/test-incident-checklist.ts';

function testIncident(s: FollowupSetup, test = true) {
  return s.store.tx(() =>
    s.store.incidents.insert(
      {
        summary: 'drill',
        severity: 'P1',
        status: 'investigating',
        service: 'checkout',
        environment: 'prod',
        type: 'any',
        commander: null,
        channel: null,
        fields: {},
        test,
      },
      s.clock.now(),
    ),
  );
}

const FOLLOWUPS = `kind: Runbook
id: tell
name: Tell
steps:
  - id: status-page
    uses: webhook
    with:
      url_env: PROD_HOOK_URL
      secret_env: PROD_HOOK_SECRET
      headers_from_env: { Authorization: PROD_HOOK_AUTH }
      body: { incident: "{{ incident.id }}" }
      staging: { url_env: SANDBOX_HOOK_URL, secret_env: SANDBOX_HOOK_SECRET }
  - id: mail
    uses: email
    with:
      to: sre-oncall@example.com
      cc: [cto@example.com]
      subject: "{{ incident.id }}"
      text: hello
      staging: { to: runbook-tests@example.com }
`;

test('webhook and email staging targets: staging secret and recipients only', async () => {
  const prod = await startWebhookFake({ secret: 'prod-secret-123456' });
  const sandbox = await startWebhookFake({ secret: 'sandbox-secret-98765' });
  const smtp = await startSmtpReceiver();
  const env = {
    PROD_HOOK_URL: `${prod.url}/prod`,
    PROD_HOOK_SECRET: 'prod-secret-123456',
    PROD_HOOK_AUTH: 'Bearer prod-token-abcdef',
    SANDBOX_HOOK_URL: `${sandbox.url}/sandbox`,
    SANDBOX_HOOK_SECRET: 'sandbox-secret-98765',
    SMTP_URL: smtp.url,
    SMTP_FROM: 'bot@example.com',
  };
  const s = await setupFollowups([runbookFromYaml(FOLLOWUPS)], { env });
  try {
    const inc = testIncident(s);
    const run = s.engine.startRun({ runbookId: 'tell', incidentId: inc.id, requester: 'U1' });
    await runToEnd(s, run.id);
    const { run: done, steps } = s.engine.getRun(run.id)!;
    assert.equal(done.state, 'succeeded', steps.map((x) => `${x.stepId}: ${x.error}`).join(' | '));
    assert.equal(prod.requests.length, 0, 'nothing reached the production status page');
    assert.equal(sandbox.applied.length, 1, 'signed with the staging secret, so the sandbox accepted it');
    assert.equal(sandbox.applied[0]!.path, '/sandbox');
    assert.equal(
      sandbox.applied[0]!.headers.authorization,
      undefined,
      'the production secret header is not sent',
    );
    assert.deepEqual(
      smtp.mails.map((m) => m.envelopeTo),
      [['runbook-tests@example.com']],
    );
    assert.ok(!smtp.mails[0]!.raw.includes('cto@example.com'), 'the production cc is not copied');
  } finally {
    await s.cleanup();
    await prod.close();
    await sandbox.close();
    await smtp.close();
  }
});

test('cancelling a test incident run aborts the staging execution, in the staging project', async () => {
  const rb = runbookFromYaml(`kind: Runbook
id: slow
name: Slow
steps:
  - id: deploy
    uses: harness.pipeline
    with:
      org: default
      project: payments
      pipeline: deploy
      staging: { project: payments_staging, pipeline: deploy_staging }
`);
  const s = await setupFollowups([rb], {});
  try {
    s.fake.program('deploy_staging', { statuses: ['Running'] });
    const inc = testIncident(s);
    const run = s.engine.startRun({ runbookId: 'slow', incidentId: inc.id, requester: 'U1' });
    await s.engine.drain();
    assert.equal(s.engine.getRun(run.id)!.steps[0]!.status, 'running');
    await s.engine.cancelRun(run.id, 'U1');
    const aborts = s.fake.requestsTo('abort');
    assert.equal(aborts.length, 1);
    assert.equal(aborts[0]!.query.projectIdentifier, 'payments_staging');
    assert.deepEqual(
      s.fake.requestsTo('execute').map((r) => r.path.split('/').pop()),
      ['deploy_staging'],
    );
  } finally {
    await s.cleanup();
  }
});

test('validate checklist: the staging pipeline is asked of Harness (real reader, Harness fake)', async () => {
  const fake = await startHarnessFake();
  try {
    const rb = runbookFromYaml(`kind: Runbook
id: rb
name: RB
steps:
  - id: deploy
    uses: harness.pipeline
    with:
      org: default
      project: payments
      pipeline: deploy
      inputs: |
        pipeline:
          identifier: deploy
          variables:
            - { name: service, type: String, value: <+input> }
      bind: { service: { from: incident.service } }
      staging: { project: payments_staging, pipeline: deploy_staging }
`);
    const incident = {
      id: 'INC-1',
      summary: 's',
      severity: 'P2',
      status: 'investigating',
      service: 'checkout',
      environment: 'prod',
      type: 'any',
      commander: null,
      channel: null,
      createdAt: '2026-01-01T00:00:00Z',
      fields: {},
      test: true,
    } as const;
    const read = createInputTemplateReader({
      baseUrl: fake.url,
      uiUrl: 'https://app.harness.io',
      apiKey: fake.apiKey,
      accountId: fake.accountId,
      timeoutMs: 2000,
      maxRetries: 0,
    });
    const missing = await testIncidentChecks(rb, incident, { read });
    assert.equal(missing.length, 1);
    assert.equal(missing[0]!.state, 'failed');
    assert.match(
      missing[0]!.title,
      /^Staging pipeline default\/payments_staging\/deploy_staging \(step deploy\): not reachable$/,
    );
    fake.templates.set(
      'deploy_staging',
      'pipeline:\n  identifier: "deploy_staging"\n  variables:\n    - name: "service"\n      type: "String"\n      value: "<+input>"\n',
    );
    const ok = await testIncidentChecks(rb, incident, { read });
    assert.deepEqual(
      [ok[0]!.state, ok[0]!.title],
      [
        'ok',
        'Staging pipeline default/payments_staging/deploy_staging (step deploy): Harness returns it; runtime inputs match',
      ],
    );
    const asked = fake.templates.calls.map(
      (c) => `${c.query.projectIdentifier}/${c.query.pipelineIdentifier}`,
    );
    assert.ok(
      asked.every((a) => a === 'payments_staging/deploy_staging'),
      asked.join(', '),
    );
  } finally {
    await fake.close();
  }
});
