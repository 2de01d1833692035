/** Schema-level mistakes: each is reported with its file, the right line:col, the path and what is allowed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatManifestError } from '../../src/manifests/manifest-error.ts';
import { POLICY, assertNoErrors, errorAt, load, show, yaml } from '../fixtures/manifests/helpers.ts';

const TIMELINE_STEP = yaml`
  steps:
    - id: note
      uses: timeline.event
      with: { text: hello }
`;

test('a minimal runbook loads, with defaults applied', () => {
  const r = load({ 'a.yaml': `kind: Runbook\nid: hello\nname: Hello\n${TIMELINE_STEP}` });
  assertNoErrors(r.errors);
  const rb = r.catalog.runbooks.get('hello');
  assert.equal(rb?.context.incidentType, 'any');
  assert.deepEqual(rb?.access.run, ['responders']);
  assert.deepEqual(r.catalog.sources.get('hello'), { file: 'a.yaml', line: 1 });
});

test('YAML syntax error: reported with line and col, other documents still load', () => {
  const r = load({
    'broken.yaml': yaml`
      kind: Runbook
      id: ok
      name: OK
      steps: [{ id: s, uses: timeline.event, with: { text: hi } }]
      ---
      kind: Runbook
      id: bad
        name: indented wrongly
    `,
  });
  const e = errorAt(r.errors, 'broken.yaml:7:5', /^YAML syntax error: Nested mappings are not allowed/);
  assert.equal(e.path, '');
  assert.ok(r.catalog.runbooks.has('ok'), show(r.errors));
  assert.ok(
    r.errors.every((x) => x.file === 'broken.yaml' && x.line === 7),
    show(r.errors),
  );
});

test('unknown kind lists the allowed kinds', () => {
  const r = load({ 'k.yaml': 'kind: Runbok\nid: x\n' });
  const e = errorAt(
    r.errors,
    'k.yaml:1:7',
    /unknown kind "Runbok" \(allowed: Runbook, IncidentType, AccessPolicy, DeploymentGate\).*did you mean "Runbook"/,
  );
  assert.equal(e.path, 'kind');
});

test('missing kind, and a document that is not a map', () => {
  const r = load({ 'k.yaml': 'id: x\nname: y\n---\n- a list\n' });
  errorAt(
    r.errors,
    'k.yaml:1:1',
    /missing required key "kind" \(allowed: Runbook, IncidentType, AccessPolicy, DeploymentGate\)/,
  );
  errorAt(r.errors, 'k.yaml:4:1', /a manifest is a map with a kind .*got a list/);
});

test('empty documents and comment-only documents are skipped', () => {
  const r = load({
    'multi.yaml': `---\n# only a comment\n---\nkind: Runbook\nid: one\nname: One\n${TIMELINE_STEP}---\n---\n${POLICY}`,
    'empty.yaml': '',
  });
  assertNoErrors(r.errors);
  assert.ok(r.catalog.runbooks.has('one'));
  assert.ok(r.catalog.access);
});

test('unknown key at top level points at the key and lists the allowed keys', () => {
  const r = load({ 'rb.yaml': `kind: Runbook\nid: x\nname: X\ntiemout: 30m\n${TIMELINE_STEP}` });
  const e = errorAt(
    r.errors,
    'rb.yaml:4:1',
    /^unknown key "tiemout" \(allowed: kind, id, name, description, aliases, context, inputs, access, triggers, approval_timeout, deploys, steps\)$/,
  );
  assert.equal(e.path, 'tiemout');
});

const PIPELINE = (withLines: string) => yaml`
  kind: Runbook
  id: rollback
  name: Rollback
  steps:
    - id: rollback
      uses: harness.pipeline
      with:
${withLines}
`;

test('unknown key nested in step.with', () => {
  const r = load({
    'rb.yaml': PIPELINE('        org: o\n        project: p\n        pipeline: q\n        tiemout: 30m'),
  });
  const e = errorAt(
    r.errors,
    'rb.yaml:11:7',
    /^unknown key "tiemout" \(allowed: org, project, pipeline, mode, timeout, .*\); did you mean "timeout"\?$/,
  );
  assert.equal(e.path, 'steps[0].with.tiemout');
  assert.equal(
    formatManifestError(e).startsWith('rb.yaml:11:7 steps[0].with.tiemout: unknown key "tiemout"'),
    true,
  );
});

test('unknown key in a binding names the binding kinds', () => {
  const r = load({
    'rb.yaml': PIPELINE(
      '        org: o\n        project: p\n        pipeline: q\n        bind:\n          service: { form: incident.service }',
    ),
  });
  const e = errorAt(
    r.errors,
    'rb.yaml:12:20',
    /^unknown key "form" \(allowed: from, input, value\); did you mean "from"\?$/,
  );
  assert.equal(e.path, 'steps[0].with.bind.service.form');
});

test('a binding with two sources says to use exactly one', () => {
  const r = load({
    'rb.yaml': PIPELINE(
      '        org: o\n        project: p\n        pipeline: q\n        bind:\n          service: { from: incident.service, input: svc }',
    ),
  });
  const e = errorAt(
    r.errors,
    'rb.yaml:12:18',
    /use exactly one of from, input, value; got from and input together/,
  );
  assert.equal(e.path, 'steps[0].with.bind.service');
});

test('wrong enum value lists the allowed values and echoes the given one', () => {
  const r = load({
    'rb.yaml': PIPELINE('        org: o\n        project: p\n        pipeline: q\n        mode: wiat'),
  });
  const e = errorAt(r.errors, 'rb.yaml:11:13', /^expected one of wait, fire_and_forget, got "wiat"$/);
  assert.equal(e.path, 'steps[0].with.mode');
});

test('unknown action in uses lists the actions that exist', () => {
  const r = load({
    'rb.yaml': 'kind: Runbook\nid: x\nname: X\nsteps:\n  - id: a\n    uses: pagerduty.page\n    with: {}\n',
  });
  const e = errorAt(
    r.errors,
    'rb.yaml:6:11',
    /unknown action "pagerduty.page" \(allowed: harness.pipeline, timeline.event, slack.message, teams.message, email, webhook, jira.comment, jira.transition, servicenow.update\)/,
  );
  assert.equal(e.path, 'steps[0].uses');
});

test('bad id says what an id looks like', () => {
  const r = load({ 'rb.yaml': `kind: Runbook\nid: Emergency_Rollback\nname: X\n${TIMELINE_STEP}` });
  const e = errorAt(
    r.errors,
    'rb.yaml:2:5',
    /"Emergency_Rollback" is not valid: ids use lowercase letters, digits and dashes/,
  );
  assert.equal(e.path, 'id');
});

test('missing required key points at the map that lacks it', () => {
  const r = load({ 'rb.yaml': PIPELINE('        org: o\n        project: p') });
  const e = errorAt(r.errors, 'rb.yaml:8:7', /^missing required key "pipeline"$/);
  assert.equal(e.path, 'steps[0].with.pipeline');
  const top = load({ 'top.yaml': '# a comment\nkind: Runbook\nid: x\nname: X\n' });
  const s = errorAt(top.errors, 'top.yaml:2:1', /^missing required key "steps"$/);
  assert.equal(s.path, 'steps');
});

test('wrong type says what was expected and what was given', () => {
  const r = load({ 'rb.yaml': 'kind: Runbook\nid: x\nname: X\naliases: rollback\nsteps: []\n' });
  errorAt(r.errors, 'rb.yaml:4:10', /^expected a list, got "rollback"$/);
  errorAt(r.errors, 'rb.yaml:5:8', /needs at least one entry/);
});

test('a value of the wrong kind in a union lists the alternatives', () => {
  const r = load({
    'rb.yaml': `kind: Runbook\nid: x\nname: X\naccess: { approval: sometimes }\n${TIMELINE_STEP}`,
  });
  errorAt(r.errors, 'rb.yaml:4:21', /^expected none, required or \{ when: … \}, got "sometimes"$/);
});

test('a binding of the wrong shape lists the binding forms; a nested wrong value names the branch', () => {
  const r = load({
    'rb.yaml': PIPELINE(
      '        org: o\n        project: p\n        pipeline: q\n        bind:\n          a: [x]\n          b: { value: { nested: 1 } }',
    ),
  });
  errorAt(
    r.errors,
    'rb.yaml:12:12',
    /^expected \{ from: … \}, \{ input: … \} or \{ value: … \}, got a list$/,
  );
  const e = errorAt(r.errors, 'rb.yaml:13:21', /^expected a string, a number or true\/false, got a map$/);
  assert.equal(e.path, 'steps[0].with.bind.b.value');
});

test('condition mistakes caught by the schema: unknown operator, not a field path', () => {
  const r = load({
    'rb.yaml':
      yaml`
        kind: Runbook
        id: x
        name: X
        triggers:
          - on: incident.created
            when:
              severity: { in: [P1], equal: P2 }
              "bad key!": { equals: 1 }
      ` + TIMELINE_STEP,
  });
  const e = errorAt(
    r.errors,
    'rb.yaml:7:29',
    /^unknown key "equal" \(allowed: equals, not_equals, in, .*\); did you mean "equals"\?$/,
  );
  assert.equal(e.path, 'triggers[0].when.severity.equal');
  errorAt(r.errors, 'rb.yaml:8:7', /"bad key!" is not a field path/);
});

test('several errors in several files are all reported in one load, in file order', () => {
  const r = load({
    'one.yaml': `kind: Runbook\nid: one\nname: One\nbogus: 1\nsteps:\n  - id: a\n    uses: timeline.event\n    with: { text: "", key: maybe }\n`,
    'two.yaml':
      'kind: IncidentType\nid: t\nname: T\nfields:\n  - { name: Region, type: dropdown }\n---\nkind: Nope\n',
    'three.yaml': 'kind: AccessPolicy\nroles:\n  responders: { everyone: yes please }\n',
  });
  const where = r.errors.map((e) => `${e.file}:${e.line}:${e.col}`);
  assert.deepEqual(
    where,
    [
      'one.yaml:4:1',
      'one.yaml:8:19',
      'one.yaml:8:28',
      'two.yaml:5:13',
      'two.yaml:5:27',
      'two.yaml:7:7',
      'three.yaml:3:27',
    ],
    show(r.errors),
  );
  assert.match(show(r.errors), /one\.yaml:8:19 steps\[0\]\.with\.text: must not be empty/);
  assert.match(show(r.errors), /one\.yaml:8:28 steps\[0\]\.with\.key: expected true or false, got "maybe"/);
  assert.match(
    show(r.errors),
    /two\.yaml:5:27 fields\[0\]\.type: expected one of text, select, number, boolean, user, multiselect, got "dropdown"/,
  );
  assert.equal(r.catalog.runbooks.size, 0);
});

test('formatManifestError: file:line:col path: message', () => {
  assert.equal(
    formatManifestError({
      file: 'manifests/rollback.yaml',
      line: 12,
      col: 7,
      path: 'steps[0].with.bind.service',
      message: 'm',
    }),
    'manifests/rollback.yaml:12:7 steps[0].with.bind.service: m',
  );
  assert.equal(
    formatManifestError({ file: 'a.yaml', line: 1, col: 1, path: '', message: 'YAML syntax error: x' }),
    'a.yaml:1:1 YAML syntax error: x',
  );
});
