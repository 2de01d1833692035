/** Mistakes only visible across documents or inside references: ids, aliases, types, roles, paths. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAJOR, POLICY, assertNoErrors, errorAt, load, show, yaml } from '../fixtures/manifests/helpers.ts';

const runbook = (id: string, extra = '') =>
  `kind: Runbook\nid: ${id}\nname: ${id}\n${extra}steps:\n  - id: note\n    uses: timeline.event\n    with: { text: hello }\n`;

test('duplicate runbook id across two files names both places; the first one loaded is kept', () => {
  const r = load({ 'a.yaml': runbook('rollback'), 'b/c.yaml': `# second\n${runbook('rollback')}` });
  const e = errorAt(r.errors, 'b/c.yaml:3:5', /duplicate runbook id "rollback": also defined at a\.yaml:2:5/);
  assert.equal(e.path, 'id');
  assert.equal(r.catalog.sources.get('rollback')?.file, 'a.yaml');
});

test('duplicate alias, and an alias equal to another runbook id, list both places', () => {
  const r = load({
    'a.yaml': runbook('emergency-rollback', 'aliases: [rollback]\n'),
    'b.yaml': runbook('undo-deploy', 'aliases: [undo, rollback, emergency-rollback]\n'),
  });
  errorAt(
    r.errors,
    'b.yaml:4:17',
    /duplicate alias "rollback": also an alias of runbook emergency-rollback at a\.yaml:4:11/,
  );
  errorAt(
    r.errors,
    'b.yaml:4:27',
    /alias "emergency-rollback" is the id of runbook emergency-rollback \(a\.yaml:2:5\)/,
  );
  assert.equal(r.catalog.aliases.get('rollback'), 'emergency-rollback');
  assert.equal(r.catalog.aliases.get('undo'), 'undo-deploy');
  assert.equal(r.errors.length, 2, show(r.errors));
});

test('duplicate incident type id and a second AccessPolicy are reported', () => {
  const r = load({ 'types.yaml': `${MAJOR}---\n${MAJOR}`, 'p1.yaml': POLICY, 'p2.yaml': POLICY });
  errorAt(
    r.errors,
    'types.yaml:9:5',
    /duplicate incident type id "major-incident": also defined at types\.yaml:2:5/,
  );
  errorAt(r.errors, 'p2.yaml:1:7', /only one AccessPolicy is allowed; the first is at p1\.yaml:1:7/);
});

test('unknown incident type lists the defined ones', () => {
  const r = load({ 't.yaml': MAJOR, 'rb.yaml': runbook('x', 'context:\n  incidentType: majr-incident\n') });
  const e = errorAt(
    r.errors,
    'rb.yaml:5:17',
    /unknown incident type "majr-incident" \(defined: any, major-incident\)/,
  );
  assert.equal(e.path, 'context.incidentType');
});

test('unknown role lists the roles of the policy; commanders is built in', () => {
  const r = load({
    'p.yaml': POLICY,
    'rb.yaml': runbook('x', 'access:\n  run: [responders, oncall]\n  approve: [commanders, sre-leads]\n'),
  });
  const e = errorAt(
    r.errors,
    'rb.yaml:5:21',
    /unknown role "oncall" in access\.run \(defined: commanders, responders, sre-leads\)/,
  );
  assert.equal(e.path, 'access.run[1]');
  assert.equal(r.errors.length, 1, show(r.errors));
  const defaults = load({
    'p.yaml': 'kind: AccessPolicy\nroles:\n  oncall: { everyone: true }\n',
    'rb.yaml': `# c\n${runbook('x')}`,
  });
  const d = errorAt(
    defaults.errors,
    'rb.yaml:2:1',
    /access\.run is not set, so it defaults to \[responders\], which is not a role \(defined: commanders, oncall\)/,
  );
  assert.equal(d.path, 'access.run');
  const noPolicy = load({ 'rb.yaml': runbook('x', 'access:\n  approve: [commanders]\n') });
  assertNoErrors(noPolicy.errors);
});

test('access policy members must be Slack ids', () => {
  const r = load({
    'p.yaml': 'kind: AccessPolicy\nroles:\n  sre: { users: [alice], usergroups: [S0PAGERS] }\n',
  });
  errorAt(r.errors, 'p.yaml:3:18', /"alice" is not a Slack user id/);
  assert.equal(r.errors.length, 1, show(r.errors));
});

test('trigger condition on an unknown custom field, and on a custom field with incidentType any', () => {
  const typed = runbook(
    'x',
    yaml`
      context: { incidentType: major-incident }
      triggers:
        - on: incident.created
          when:
            severity: { at_least: P1 }
            incident.fields.customer_facing: { equals: true }
            any:
              - fields.regoin: { in: [eu-west-1] }
    `,
  );
  const r = load({ 't.yaml': MAJOR, 'rb.yaml': typed });
  const e = errorAt(
    r.errors,
    'rb.yaml:11:11',
    /unknown field "fields\.regoin": incident type major-incident has no field "regoin" \(custom fields: fields\.customer_facing, fields\.region\); did you mean "region"\?/,
  );
  assert.equal(e.path, 'triggers[0].when.any[0]["fields.regoin"]');
  assert.equal(r.errors.length, 1, show(r.errors));

  const steps = load({
    'rb.yaml': runbook(
      'z',
      'triggers:\n  - on: incident.updated\n    when: { steps.note.status: { equals: failed } }\n',
    ),
  });
  errorAt(steps.errors, 'rb.yaml:6:13', /a trigger condition reads incident fields only/);

  const untyped = load({
    'rb.yaml': runbook(
      'y',
      'triggers:\n  - on: incident.created\n    when: { fields.region: { equals: eu } }\n',
    ),
  });
  errorAt(untyped.errors, 'rb.yaml:6:13', /context\.incidentType is any, so there are no custom fields/);
});

test('bad regex in matches, and change operators on incident.created, are reported where written', () => {
  const r = load({
    'rb.yaml': runbook(
      'x',
      'triggers:\n  - on: incident.created\n    when:\n      summary: { matches: "db-(primary" }\n      status: { changed_to: mitigated }\n',
    ),
  });
  const e = errorAt(r.errors, 'rb.yaml:7:27', /matches db-\(primary: invalid regex: .*Unterminated group/);
  assert.equal(e.path, 'triggers[0].when.summary.matches');
  errorAt(r.errors, 'rb.yaml:8:29', /changed_to needs a previous value/);
});

const TWO_STEPS = (firstWith: string, secondIf = '') => yaml`
  kind: Runbook
  id: x
  name: X
  inputs:
    - { name: environment, type: select, options: [dev, prod], default: prod }
  steps:
    - id: first
      uses: timeline.event
      with: { text: "${firstWith}" }
    - id: second${secondIf}
      uses: timeline.event
      with: { text: "done" }
`;

test('a template referencing a later step says so', () => {
  const r = load({ 'rb.yaml': TWO_STEPS('see {{ steps.second.url }}') });
  const e = errorAt(
    r.errors,
    'rb.yaml:9:24',
    /"steps\.second\.url" refers to a later step: step "first" is evaluated before step "second" runs \(earlier steps: none\)/,
  );
  assert.equal(e.path, 'steps[0].with.text');
});

test('duplicate step ids are reported; references resolve to the earlier step', () => {
  const r = load({
    'rb.yaml':
      TWO_STEPS('x').replace('id: second', 'id: first') +
      '    if: { steps.first.status: { equals: succeeded } }\n',
  });
  errorAt(r.errors, 'rb.yaml:10:9', /duplicate step id "first": also steps\[0\]\.id/);
  assert.equal(r.errors.length, 1, show(r.errors));
});

test('a template referencing an undeclared input lists the declared ones', () => {
  const r = load({ 'rb.yaml': TWO_STEPS('{{ incident.service }} in {{ inputs.env }}') });
  errorAt(r.errors, 'rb.yaml:9:46', /"inputs\.env": no input "env" is declared \(declared: environment\)/);
  assert.equal(r.errors.length, 1, show(r.errors));
});

test('step if: sees earlier steps, run fields and declared inputs; unknown roots are named', () => {
  const ok = load({
    'rb.yaml': TWO_STEPS(
      '{{ run.requester }} {{ inputs.environment }}',
      '\n      if: { steps.first.status: { equals: succeeded } }',
    ),
  });
  assertNoErrors(ok.errors);
  const bad = load({
    'rb.yaml': TWO_STEPS(
      '{{ run.user }} {{ severity }}',
      '\n      if: { steps.first.stat: { equals: succeeded } }',
    ),
  });
  errorAt(
    bad.errors,
    'rb.yaml:9:20',
    /"run\.user" is not a run field \(allowed: run\.id, run\.requester, run\.approver, run\.trigger, run\.runbook\)/,
  );
  errorAt(bad.errors, 'rb.yaml:9:35', /unknown name "severity" .*did you mean "incident\.severity"\?/);
  errorAt(
    bad.errors,
    'rb.yaml:11:11',
    /"steps\.first\.stat" is not a step result \(allowed: steps\.first\.\{status, url, duration, execution_id, outputs\.<name>, error\}\)/,
  );
});

test('an input default is a template over incident fields only', () => {
  const r = load({
    'rb.yaml': runbook(
      'x',
      'inputs:\n  - { name: a, default: "{{ incident.service }}" }\n  - { name: b, default: "{{ inputs.a }}" }\n',
    ),
  });
  errorAt(
    r.errors,
    'rb.yaml:6:26',
    /unknown name "inputs" in "inputs\.a": an input default can read incident\.\*/,
  );
  assert.equal(r.errors.length, 1, show(r.errors));
});

test('approval when: is decided before any step runs', () => {
  const r = load({
    'rb.yaml': runbook('x', 'access:\n  approval:\n    when: { steps.note.status: { equals: failed } }\n'),
  });
  errorAt(
    r.errors,
    'rb.yaml:6:13',
    /refers to a later step: access\.approval\.when is evaluated before any step runs/,
  );
});

test('bad timeout: the schema rejects the format, the cross-check rejects zero', () => {
  const pipeline = (timeout: string) =>
    `kind: Runbook\nid: x\nname: X\nsteps:\n  - id: p\n    uses: harness.pipeline\n    with:\n      org: o\n      project: p\n      pipeline: q\n      timeout: ${timeout}\n`;
  const words = load({ 'rb.yaml': pipeline('30 minutes') });
  errorAt(
    words.errors,
    'rb.yaml:11:16',
    /"30 minutes" is not valid: a duration is a number and a unit: 90s, 30m, 2h/,
  );
  const zero = load({ 'rb.yaml': pipeline('0m') });
  errorAt(zero.errors, 'rb.yaml:11:16', /"0m" is not a duration greater than zero/);
  const cooldown = load({
    'rb.yaml': runbook('y', 'triggers:\n  - { on: incident.updated, cooldown: 0s }\n'),
  });
  errorAt(cooldown.errors, 'rb.yaml:5:39', /"0s" is not a duration greater than zero/);
});

test('select input without options, and a default outside the options', () => {
  const r = load({
    'rb.yaml': runbook(
      'x',
      'inputs:\n  - name: environment\n    type: select\n  - { name: region, type: select, options: [eu, us], default: ap }\n',
    ),
  });
  const e = errorAt(r.errors, 'rb.yaml:5:5', /a select input needs options/);
  assert.equal(e.path, 'inputs[0]');
  errorAt(r.errors, 'rb.yaml:7:63', /default "ap" is not one of the options \(eu, us\)/);
});

test('IncidentType select field without options', () => {
  const r = load({
    't.yaml': 'kind: IncidentType\nid: t\nname: T\nfields:\n  - name: region\n    type: select\n',
  });
  errorAt(r.errors, 't.yaml:5:5', /a select field needs options/);
});

test('ids that are /runbook subcommands are refused', () => {
  const r = load({ 'rb.yaml': runbook('list', 'aliases: [help]\n') });
  errorAt(r.errors, 'rb.yaml:2:5', /"list" is a \/runbook subcommand/);
  errorAt(r.errors, 'rb.yaml:4:11', /"help" is a \/runbook subcommand/);
});
