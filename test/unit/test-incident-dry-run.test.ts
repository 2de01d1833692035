/** dry-run and the `/runbook validate` checklist for a test incident (pure; Harness read passed in). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { dryRun, formatDryRun } from '../../src/engine/dry-run.ts';
import { loadManifests } from '../../src/manifests/load.ts';
import { checklistText, mappingCheck } from '../../src/engine/runbook-checklist.ts';
import { testIncidentChecks, testIncidentPlanItems } from '../../src/engine/test-incident-checklist.ts';
import type { Incident } from '../../src/domain/types.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const rollback = loadManifests(join(ROOT, 'manifests')).catalog.runbooks.get('emergency-rollback')!;

const INCIDENT: Incident = {
  id: 'INC-42',
  summary: 'Checkout 500s',
  severity: 'P1',
  status: 'investigating',
  service: 'checkout',
  environment: 'prod',
  type: 'major-incident',
  commander: null,
  channel: 'C1',
  createdAt: '2026-01-01T00:00:00.000Z',
  fields: { customer_facing: true, jira_key: 'OPS-1234' },
} as unknown as Incident;
const TEST_INCIDENT = { ...INCIDENT, test: true } as Incident;

test('dry-run of a test incident: the staging pipeline with its Run-YAML, follow-ups redirected or skipped', () => {
  const r = dryRun(rollback, TEST_INCIDENT, { inputs: { environment: 'qa' } });
  assert.equal(r.testIncident, true);
  const by = Object.fromEntries(r.steps.map((s) => [s.id, s]));
  assert.equal(
    by.rollback!.request?.path,
    '/pipeline/api/pipeline/execute/rollback_service_staging?orgIdentifier=default&projectIdentifier=payments_staging',
  );
  assert.match(by.rollback!.request!.yaml, /identifier: "?rollback_service_staging"?/);
  assert.match(by.rollback!.request!.yaml, /value: "checkout"/);
  assert.equal(
    by.rollback!.testIncident,
    'test incident: running staging pipeline default/payments_staging/rollback_service_staging',
  );
  assert.equal(by['jira-comment']!.wouldRun, true);
  assert.match(
    by['jira-comment']!.payload && 'request' in by['jira-comment']!.payload
      ? by['jira-comment']!.payload.request
      : '',
    /issue\/OPS-9999\/comment$/,
  );
  assert.deepEqual([by['jira-done']!.wouldRun, by['jira-done']!.reason], [false, 'skipped: test incident']);
  assert.equal(by['jira-done']!.assumedStatus, 'skipped');
  assert.equal(by['note-rollback']!.wouldRun, true, 'timeline.event runs');

  const text = formatDryRun(r);
  assert.match(text, /^Test incident: /m);
  assert.match(text, /jira-done \(jira\.transition\) — would be skipped: test incident$/m);
  assert.match(text, /POST \$STATUSPAGE_SANDBOX_WEBHOOK_URL/);
  assert.ok(!text.includes('execute/rollback_service?'), 'the production pipeline is not in a test dry-run');
});

test('dry-run of a test incident: a failed rollback would skip diagnostics (no staging pipeline)', () => {
  const r = dryRun(rollback, TEST_INCIDENT, {
    inputs: { environment: 'qa' },
    assume: { rollback: 'failed' },
  });
  const diag = r.steps.find((s) => s.id === 'diagnose')!;
  assert.deepEqual([diag.wouldRun, diag.reason], [false, 'skipped: test incident (no staging pipeline)']);
  assert.equal(diag.request, undefined, 'nothing would be sent');
  const email = r.steps.find((s) => s.id === 'email-oncall')!;
  assert.equal(email.wouldRun, true);
  assert.match(JSON.stringify(email.payload), /runbook-tests@example\.com/);
  assert.doesNotMatch(JSON.stringify(email.payload), /sre-oncall@example\.com/);
});

test('dry-run of a normal incident is unchanged by staging: settings', () => {
  const r = dryRun(rollback, INCIDENT, { inputs: { environment: 'qa' } });
  assert.equal(r.testIncident, false);
  assert.ok(r.steps.every((s) => s.testIncident === undefined));
  const text = formatDryRun(r);
  assert.match(text, /execute\/rollback_service\?orgIdentifier=default&projectIdentifier=payments/);
  assert.ok(!/staging|test incident/i.test(text), 'no word of staging for a normal incident');
});

test('checklist for a test incident: plan items, and each staging pipeline asked of Harness', async () => {
  const env = {
    STATUSPAGE_SANDBOX_WEBHOOK_URL: 'https://sandbox',
    JIRA_BASE_URL: 'https://jira',
    JIRA_EMAIL: 'bot@example.com',
    JIRA_API_TOKEN: 't',
  };
  const plan = testIncidentPlanItems(rollback, TEST_INCIDENT, env);
  const titles = plan.map((i) => `${i.state} ${i.title}`);
  assert.ok(
    titles.includes(
      'ok Pipeline step rollback (harness.pipeline): runs staging pipeline default/payments_staging/rollback_service_staging instead of production',
    ),
    titles.join('\n'),
  );
  assert.ok(
    titles.includes(
      'skipped Pipeline step diagnose (harness.pipeline): skipped: test incident (no staging pipeline)',
    ),
  );
  assert.ok(titles.includes('skipped Follow-up jira-done (jira.transition): skipped: test incident'));
  assert.ok(
    titles.includes(
      'ok Follow-up jira-comment (jira.comment): redirected to its staging target (issue OPS-9999)',
    ),
  );
  const hook = plan.find((i) => i.title.startsWith('Follow-up status-page'))!;
  assert.equal(hook.state, 'failed', 'the staging signing secret is not set');
  assert.deepEqual(hook.details, ['set STATUSPAGE_SANDBOX_WEBHOOK_SECRET']);
  assert.ok(!titles.some((t) => t.includes('tell-channel')), 'slack.message is internal: not listed');

  const asked: string[] = [];
  const read = async (req: { org: string; project: string; pipeline: string }) => {
    asked.push(`${req.org}/${req.project}/${req.pipeline}`);
    if (req.pipeline !== 'rollback_service_staging') throw new Error('Pipeline not found');
    return {
      yaml: 'pipeline:\n  identifier: rollback_service_staging\n  variables:\n    - name: service\n      type: String\n      value: <+input>\n',
    };
  };
  const items = await testIncidentChecks(rollback, TEST_INCIDENT, { env, read });
  assert.deepEqual(
    asked,
    ['default/payments_staging/rollback_service_staging'],
    'only staging pipelines are asked',
  );
  const staging = items.find((i) => i.title.startsWith('Staging pipeline'))!;
  assert.equal(staging.state, 'failed');
  assert.match(staging.title, /reachable, but its runtime inputs differ/);
  assert.deepEqual(staging.details.sort(), [
    'runtime input the staging pipeline does not have: environment',
    'runtime input the staging pipeline does not have: incidentId',
    'runtime input the staging pipeline does not have: target',
  ]);
  const down = await testIncidentChecks(rollback, TEST_INCIDENT, {
    read: async () => {
      throw new Error('Harness says: pipeline rollback_service_staging not found');
    },
  });
  const unreachable = down.find((i) => i.title.startsWith('Staging pipeline'))!;
  assert.deepEqual([unreachable.state, unreachable.title.endsWith('not reachable')], ['failed', true]);
  assert.match(unreachable.details[0]!, /not found/);
});

test('checklist: nothing extra for a normal incident; a test incident is named and listed even if the caller forgot', async () => {
  assert.deepEqual(await testIncidentChecks(rollback, INCIDENT, {}), []);
  const normal = checklistText(rollback, INCIDENT, [mappingCheck(rollback, INCIDENT)]);
  assert.ok(!/test incident/i.test(normal));
  const text = checklistText(rollback, TEST_INCIDENT, [mappingCheck(rollback, TEST_INCIDENT)]);
  assert.match(text, /against test incident \*INC-42\*/);
  assert.match(text, /_Test incident — what runs instead of production:_/);
  assert.match(text, /:white_circle: Follow-up jira-done \(jira\.transition\): skipped: test incident/);
  assert.match(text, /runs staging pipeline default\/payments_staging\/rollback_service_staging/);
  // Given by the caller: not listed twice.
  const given = await testIncidentChecks(rollback, TEST_INCIDENT, {});
  const once = checklistText(rollback, TEST_INCIDENT, given);
  assert.equal(once.split('jira-done').length - 1, 1);
});
