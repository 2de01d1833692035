/** The pure decision "what does this step do for a test incident" and the staging Run-YAML. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { stepSchema, type Step } from '../../src/manifests/schema.ts';
import {
  TEST_SKIP_PIPELINE_REASON,
  TEST_SKIP_REASON,
  planForIncident,
  stagingRunYaml,
  targetSpec,
  targetStep,
} from '../../src/engine/actions/test-incident.ts';

const step = (raw: unknown): Step => stepSchema.parse(raw);
const TEST = { test: true };

const PIPELINE = {
  id: 'rollback',
  uses: 'harness.pipeline',
  with: { org: 'default', project: 'payments', pipeline: 'rollback_service', inputs: '' },
};
const withStaging = (staging: Record<string, unknown>) =>
  step({ ...PIPELINE, with: { ...PIPELINE.with, staging } });

const FOLLOWUPS: Record<string, Record<string, unknown>> = {
  'jira.comment': { issue: 'OPS-1', body: 'b' },
  'jira.transition': { issue: 'OPS-1', transition: 'Done' },
  'servicenow.update': { record: 'INC0010001', table: 'incident', work_notes: 'n' },
  email: { to: 'oncall@example.com', cc: 'boss@example.com', subject: 's', text: 't' },
  'teams.message': { url_env: 'TEAMS_URL', title: 't', text: 't' },
  webhook: { url_env: 'HOOK_URL', secret_env: 'HOOK_SECRET', body: { a: 1 } },
};

test('not a test incident (false, absent, no incident): every step as written, staging: or not', () => {
  const steps = [
    withStaging({ pipeline: 'rollback_staging' }),
    step(PIPELINE),
    ...Object.entries(FOLLOWUPS).map(([uses, w]) => step({ id: 'f', uses, with: w })),
  ];
  for (const incident of [{ test: false }, {}, null, undefined])
    for (const s of steps) {
      const plan = planForIncident(s, incident);
      assert.equal(plan.kind, 'as-is', `${s.uses} for ${JSON.stringify(incident)}`);
      assert.equal(targetSpec(s, plan), s);
    }
});

test('internal actions (slack.message, timeline.event) run unchanged for a test incident', () => {
  for (const s of [
    step({ id: 'n', uses: 'timeline.event', with: { text: 'x' } }),
    step({ id: 'm', uses: 'slack.message', with: { text: 'x' } }),
  ])
    assert.deepEqual(planForIncident(s, TEST), { kind: 'as-is', spec: s });
});

test('harness.pipeline: staging parts replace production ones, the rest is kept', () => {
  const s = withStaging({ project: 'payments_staging', pipeline: 'rollback_staging' });
  const plan = planForIncident(s, TEST);
  assert.equal(plan.kind, 'staging');
  if (plan.kind !== 'staging' || plan.spec.uses !== 'harness.pipeline') return;
  assert.equal(plan.spec.with.org, 'default');
  assert.equal(plan.spec.with.project, 'payments_staging');
  assert.equal(plan.spec.with.pipeline, 'rollback_staging');
  assert.equal(plan.spec.with.mode, 'wait');
  assert.equal(plan.spec.with.timeout, '30m');
  assert.equal(plan.target, 'default/payments_staging/rollback_staging');
  assert.equal(
    plan.note,
    'test incident: running staging pipeline default/payments_staging/rollback_staging',
  );
});

test('harness.pipeline without staging: skipped with the reason, naming the pipeline not run', () => {
  const plan = planForIncident(step(PIPELINE), TEST);
  assert.equal(plan.kind, 'skip');
  if (plan.kind !== 'skip') return;
  assert.equal(plan.reason, TEST_SKIP_PIPELINE_REASON);
  assert.equal(plan.reason, 'skipped: test incident (no staging pipeline)');
  assert.match(
    plan.event,
    /rollback skipped: test incident \(no staging pipeline\).*default\/payments\/rollback_service/,
  );
});

test('every external follow-up without staging: is skipped with "skipped: test incident"', () => {
  for (const [uses, w] of Object.entries(FOLLOWUPS)) {
    const plan = planForIncident(step({ id: 'f', uses, with: w }), TEST);
    assert.equal(plan.kind, 'skip', uses);
    if (plan.kind === 'skip') {
      assert.equal(plan.reason, TEST_SKIP_REASON);
      assert.ok(plan.event.includes(`(${uses}) skipped: test incident`), plan.event);
    }
  }
});

test('follow-ups with staging: their staging target, nothing of the production target kept', () => {
  const staged = (uses: string, staging: Record<string, unknown>, scope = {}) => {
    const plan = planForIncident(step({ id: 'f', uses, with: { ...FOLLOWUPS[uses], staging } }), TEST, scope);
    assert.equal(plan.kind, 'staging', uses);
    if (plan.kind !== 'staging') throw new Error('not staged');
    return { w: plan.spec.with as Record<string, unknown>, target: plan.target, note: plan.note };
  };
  const jira = staged(
    'jira.comment',
    { issue: '{{ incident.fields.sandbox }}' },
    {
      incident: { fields: { sandbox: 'OPS-77' } },
    },
  );
  assert.equal(jira.w.issue, '{{ incident.fields.sandbox }}', 'the template is rendered at send time');
  assert.equal(jira.target, 'issue OPS-77');
  assert.match(
    jira.note,
    /^test incident: jira\.comment step f goes to its staging target \(issue OPS-77\)$/,
  );
  assert.equal(staged('jira.transition', { issue: 'OPS-9' }).w.issue, 'OPS-9');
  assert.equal(staged('jira.transition', { issue: 'OPS-9' }).w.transition, 'Done');

  const snow = staged('servicenow.update', { record: 'INC0099999' });
  assert.deepEqual([snow.w.record, snow.w.table, snow.w.work_notes], ['INC0099999', 'incident', 'n']);
  assert.equal(
    staged('servicenow.update', { record: 'CHG0030001', table: 'change_request' }).w.table,
    'change_request',
  );

  const mail = staged('email', { to: 'tests@example.com' });
  assert.equal(mail.w.to, 'tests@example.com');
  assert.equal(mail.w.cc, undefined, 'the production cc is not copied to a test');
  assert.equal(staged('email', { to: ['a@example.com'], cc: 'b@example.com' }).w.cc, 'b@example.com');

  assert.equal(staged('teams.message', { url_env: 'TEAMS_SANDBOX' }).w.url_env, 'TEAMS_SANDBOX');

  const hook = staged('webhook', { url: 'https://sandbox.example.com/hook' });
  assert.equal(hook.w.url, 'https://sandbox.example.com/hook');
  assert.equal(hook.w.url_env, undefined, 'the production URL is gone');
  assert.equal(hook.w.secret_env, undefined, 'the production signing secret is not used for staging');
  assert.deepEqual(hook.w.headers_from_env, {});
  const signed = staged('webhook', {
    url_env: 'HOOK_SANDBOX',
    secret_env: 'HOOK_SANDBOX_SECRET',
    headers_from_env: { Authorization: 'SANDBOX_AUTH' },
  });
  assert.deepEqual(
    [signed.w.url, signed.w.url_env, signed.w.secret_env, signed.w.headers_from_env],
    [undefined, 'HOOK_SANDBOX', 'HOOK_SANDBOX_SECRET', { Authorization: 'SANDBOX_AUTH' }],
  );
  assert.equal(signed.target, '$HOOK_SANDBOX');
});

test('stagingRunYaml: only pipeline.identifier changes, on the tree', () => {
  const yaml = [
    'pipeline:',
    '  identifier: "rollback_service"',
    '  variables:',
    '    - name: "service"',
    '      type: "String"',
    '      value: "prod\\nidentifier: x"',
    '',
  ].join('\n');
  const out = stagingRunYaml(yaml, 'rollback_staging');
  const before = parse(yaml) as { pipeline: Record<string, unknown> };
  const after = parse(out) as { pipeline: Record<string, unknown> };
  assert.equal(after.pipeline.identifier, 'rollback_staging');
  assert.deepEqual(after.pipeline.variables, before.pipeline.variables);
  assert.equal(stagingRunYaml(yaml, 'rollback_service'), yaml, 'same pipeline: untouched');
  assert.equal(stagingRunYaml('', 'x'), '');
  const noId = 'pipeline:\n  variables: []\n';
  assert.equal(stagingRunYaml(noId, 'x'), noId, 'no identifier: nothing to retarget');
});

test('targetStep: a staging pipeline step carries the retargeted Run-YAML; others are unchanged', () => {
  const rec = { resolvedYaml: 'pipeline:\n  identifier: rollback_service\n' };
  const staged = planForIncident(withStaging({ pipeline: 'rollback_staging' }), TEST);
  assert.match(targetStep(rec, staged).resolvedYaml, /identifier: rollback_staging/);
  const orgOnly = planForIncident(withStaging({ org: 'staging' }), TEST);
  assert.equal(targetStep(rec, orgOnly).resolvedYaml, rec.resolvedYaml);
  assert.equal(targetStep(rec, planForIncident(step(PIPELINE), { test: false })), rec);
});
