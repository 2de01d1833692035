import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifestTexts } from '../../src/manifests/load-texts.ts';
import { formatManifestError } from '../../src/manifests/manifest-error.ts';

const RUNBOOK = `kind: Runbook
id: emergency-rollback
name: Rollback
aliases: [rollback]
deploys: true
steps:
  - id: note
    uses: timeline.event
    with: { text: rolled back }
`;

function load(gateYaml: string) {
  const r = loadManifestTexts([
    { path: 'rb.yaml', text: RUNBOOK },
    { path: 'gates.yaml', text: gateYaml },
  ]);
  return { catalog: r.catalog, errors: r.errors.map(formatManifestError) };
}

test('a valid gate loads with its defaults', () => {
  const r = load(`kind: DeploymentGate
id: prod-freeze
name: Prod freeze
when: { severity: { at_least: P1 } }
scope: { environments: { from: incident.environment } }
exempt: { runbooks: [emergency-rollback] }
harness: { freeze: true }
`);
  assert.deepEqual(r.errors, []);
  const g = r.catalog.gates!.get('prod-freeze')!;
  assert.deepEqual(g.scope, { environments: { from: 'incident.environment' }, services: 'from-incident' });
  assert.deepEqual(g.harness, { freeze: true, duration: '1h' });
  assert.equal(r.catalog.runbooks.get('emergency-rollback')!.deploys, true);
});

test('errors name file:line, what is wrong and what is allowed', () => {
  const r = load(`kind: DeploymentGate
id: g
name: G
when:
  severity: { at_least: P1 }
  fields.region: { equals: eu }
  steps.x.status: { equals: failed }
scope:
  environments: [prod]
  services: { from: incident.environment }
  regions: [eu]
exempt:
  runbooks: [rollback, emergency-rolback]
harness:
  freeze: true
  project: payments
  duration: 10m
---
kind: DeploymentGate
id: g
name: Again
when: { severity: { equals: P0 } }
`);
  const text = r.errors.join('\n');
  assert.match(
    text,
    /gates\.yaml:11:3 scope\.regions: unknown key "regions" \(allowed: environments, services\)/,
  );
  assert.match(text, /harness\.duration: duration is between 30m \(the Harness minimum\) and 7d/);
  // The schema errors stop this document; the duplicate is checked on valid documents.
  const ok = load(`kind: DeploymentGate
id: g
name: G
when: { severity: { at_least: P1 }, steps.x.status: { equals: failed } }
scope: { services: { from: incident.environment } }
exempt: { runbooks: [rollback, emergency-rolback] }
harness: { freeze: true, project: payments }
---
kind: DeploymentGate
id: g
name: Again
when: { severity: { equals: P0 } }
`).errors.join('\n');
  assert.match(
    ok,
    /gates\.yaml:4:\d+ when\["steps\.x\.status"\]: .*a trigger condition reads incident fields only/,
  );
  assert.match(
    ok,
    /gates\.yaml:5:\d+ scope\.services\.from: scope\.services can only come from incident\.service \(or write from-incident\), got "incident\.environment"/,
  );
  assert.match(
    ok,
    /gates\.yaml:6:\d+ exempt\.runbooks\[0\]: unknown runbook "rollback" .*"rollback" is an alias of emergency-rollback; write the id/,
  );
  assert.match(
    ok,
    /exempt\.runbooks\[1\]: unknown runbook "emergency-rolback" \(runbooks: emergency-rollback\).*did you mean "emergency-rollback"/,
  );
  assert.match(ok, /harness\.project: a project-level freeze window needs harness\.org too/);
  assert.match(ok, /gates\.yaml:10:5 id: duplicate gate id "g": also defined at gates\.yaml:2:5/);
});

test('deploys must be a boolean', () => {
  const r = loadManifestTexts([
    { path: 'rb.yaml', text: RUNBOOK.replace('deploys: true', 'deploys: yes please') },
  ]);
  assert.match(r.errors.map(formatManifestError).join('\n'), /rb\.yaml:5:\d+ deploys: /);
});
