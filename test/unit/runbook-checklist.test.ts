import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runbookFromYaml } from '../support/engine-setup.ts';
import { checklistText, followupChecks, mappingCheck } from '../../src/engine/runbook-checklist.ts';
import type { Incident } from '../../src/domain/types.ts';

const RUNBOOK = runbookFromYaml(`
kind: Runbook
id: chk
name: Check me
inputs:
  - { name: reason, type: text, required: true }
steps:
  - id: deploy
    uses: harness.pipeline
    with:
      org: o
      project: p
      pipeline: x
      inputs: |
        pipeline:
          identifier: x
          variables:
            - name: service
              type: String
              value: <+input>
      bind:
        service: { from: incident.service }
  - id: snow
    uses: servicenow.update
    with: { record: "INC0010001", work_notes: "note" }
  - id: hook
    uses: webhook
    with: { url_env: HOOK_URL, headers_from_env: { Authorization: HOOK_AUTH }, body: { a: 1 } }
`);

const INCIDENT = {
  id: 'INC-9',
  summary: 's',
  severity: 'P2',
  status: 'investigating',
  service: 'cart',
  environment: 'prod',
  type: 'any',
  commander: null,
  channel: 'C1',
  createdAt: 0,
  fields: {},
} as unknown as Incident;

test('mapping: a missing required input fails and is named; resolved values are listed', () => {
  const item = mappingCheck(RUNBOOK, INCIDENT);
  assert.equal(item.state, 'failed');
  assert.ok(
    item.details.some((d) => /✗ input reason/.test(d)),
    item.details.join('\n'),
  );
  assert.ok(item.details.includes('deploy: service = "cart" ← incident.service'), item.details.join('\n'));
});

test('follow-ups: alternatives (token or user), webhook url and header env vars; names only', () => {
  const missing = followupChecks(RUNBOOK, {});
  assert.deepEqual(
    missing.map((i) => [i.state, i.details]),
    [
      ['failed', ['set SERVICENOW_INSTANCE_URL, SERVICENOW_TOKEN or SERVICENOW_USERNAME']],
      ['failed', ['set HOOK_URL, HOOK_AUTH']],
    ],
  );
  const ok = followupChecks(RUNBOOK, {
    SERVICENOW_INSTANCE_URL: 'https://x',
    SERVICENOW_USERNAME: 'u',
    HOOK_URL: 'https://h',
    HOOK_AUTH: 'Bearer secret-value',
  });
  assert.deepEqual(
    ok.map((i) => i.state),
    ['ok', 'ok'],
  );
  const text = checklistText(RUNBOOK, INCIDENT, [mappingCheck(RUNBOOK, INCIDENT), ...ok]);
  assert.match(text, /against \*INC-9\* — 1 problem\(s\)/);
  assert.doesNotMatch(text, /secret-value/);
  assert.ok(text.length <= 2900);
});
