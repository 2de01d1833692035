/**
 * harness.pipeline bindings: errors from the runtime-input resolver land on the manifest line that
 * holds the placeholder (inside the `inputs: |` block) or the bind key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAJOR, assertNoErrors, errorAt, load, show } from '../fixtures/manifests/helpers.ts';

// Pasted under `inputs: |` at line 14, so Run-YAML line n is file line 14 + n, indented by 8 spaces.
const RUN_YAML = [
  'pipeline:',
  '  identifier: rollback_service',
  '  stages:',
  '    - stage:',
  '        identifier: east',
  '        spec: { environmentRef: <+input> }',
  '    - stage:',
  '        identifier: west',
  '        spec: { environmentRef: <+input> }',
  '  variables:',
  '    - name: service',
  '      value: <+input>',
  '    - name: depth',
  '      value: <+input>.default(quick).allowedValues(quick,deep)',
];

/** Lines 1-9 are the runbook header, 10-14 `with:` up to `inputs: |`, 15-28 the Run-YAML, 29 `bind:`. */
function rollback(bind: string[], extra = ''): string {
  return [
    'kind: Runbook',
    'id: rollback',
    'name: Rollback',
    extra,
    'inputs:',
    '  - { name: env, type: select, options: [dev, prod] }',
    'steps:',
    '  - id: rollback',
    '    uses: harness.pipeline',
    '    with:',
    '      org: o',
    '      project: p',
    '      pipeline: rollback_service',
    '      inputs: |',
    ...RUN_YAML.map((l) => `        ${l}`),
    '      bind:',
    ...bind.map((b) => `        ${b}`),
  ].join('\n');
}
const FULL_BIND = [
  'stages[0].stage.spec.environmentRef: { input: env }',
  'stages[1].stage.spec.environmentRef: { value: prod }',
  'service: { from: incident.service }',
];
const BIND_LINE = 14 + RUN_YAML.length + 2; // first line under `bind:`

test('every placeholder bound by path or short key, a default left alone: no errors', () => {
  const r = load({ 'rb.yaml': rollback(FULL_BIND) });
  assertNoErrors(r.errors);
});

test('unbound placeholder: reported at its line inside the pasted Run-YAML', () => {
  const r = load({ 'rb.yaml': rollback(FULL_BIND.slice(0, 2)) });
  // `value: <+input>` is Run-YAML line 12, col 14 -> file line 14 + 12, col 8 + 14.
  const e = errorAt(
    r.errors,
    'rb.yaml:26:22',
    /runtime input "service" is not bound and has no \.default\(\)/,
  );
  assert.equal(e.path, 'steps[0].with.inputs');
  assert.equal(r.errors.length, 1, show(r.errors));
});

test('a binding naming no placeholder: reported at the bind key', () => {
  const r = load({ 'rb.yaml': rollback([...FULL_BIND, 'servce: { value: x }']) });
  const e = errorAt(
    r.errors,
    `rb.yaml:${BIND_LINE + 3}:9`,
    /bind "servce" names no runtime input in the Run-YAML; available keys: .*service/,
  );
  assert.equal(e.path, 'steps[0].with.bind.servce');
});

test('an ambiguous short key asks for paths', () => {
  const r = load({
    'rb.yaml': rollback(['environmentRef: { input: env }', 'service: { from: incident.service }']),
  });
  errorAt(
    r.errors,
    `rb.yaml:${BIND_LINE}:9`,
    /bind "environmentRef" is ambiguous: 2 runtime inputs are called "environmentRef"/,
  );
  // ...and the two placeholders it failed to bind are reported where they are.
  errorAt(r.errors, 'rb.yaml:20:41', /runtime input "environmentRef" is not bound/);
  errorAt(r.errors, 'rb.yaml:23:41', /runtime input "environmentRef" is not bound/);
});

test('{input: x} must name a declared input', () => {
  const bind = [...FULL_BIND.slice(1), 'stages[0].stage.spec.environmentRef: { input: environment }'];
  const r = load({ 'rb.yaml': rollback(bind) });
  errorAt(
    r.errors,
    `rb.yaml:${BIND_LINE + 2}:9`,
    /bind input "environment" is not a runbook input; declared inputs: env/,
  );
  assert.equal(r.errors.length, 1, show(r.errors));
});

test('{from: incident.x} must be a known incident field, custom fields per incident type', () => {
  const bad = load({ 'rb.yaml': rollback([...FULL_BIND.slice(0, 2), 'service: { from: incident.nope }']) });
  errorAt(bad.errors, `rb.yaml:${BIND_LINE + 2}:9`, /bind from "incident\.nope" is not an incident field/);

  const custom = [...FULL_BIND.slice(0, 2), 'service: { from: incident.fields.region }'];
  assertNoErrors(
    load({ 't.yaml': MAJOR, 'rb.yaml': rollback(custom, 'context: { incidentType: major-incident }') })
      .errors,
  );
  const untyped = load({ 'rb.yaml': rollback(custom) });
  errorAt(untyped.errors, `rb.yaml:${BIND_LINE + 2}:9`, /no custom field "region"/);
});

test('a fixed value that the placeholder refuses is reported at the placeholder', () => {
  const bind = [
    'stages[0].stage.spec.environmentRef: { input: env }',
    'stages[1].stage.spec.environmentRef: { value: prod }',
    'service: { value: api }',
    'depth: { value: shallow }',
  ];
  const r = load({ 'rb.yaml': rollback(bind) });
  errorAt(r.errors, 'rb.yaml:28:22', /bind "depth": .*quick, deep/);
});

test('Run-YAML that is not YAML, and Run-YAML of another pipeline', () => {
  const broken = load({
    'rb.yaml':
      'kind: Runbook\nid: x\nname: X\nsteps:\n  - id: p\n    uses: harness.pipeline\n    with:\n      org: o\n      project: p\n      pipeline: q\n      inputs: |\n        pipeline:\n          identifier: q\n         variables: [\n',
  });
  assert.ok(
    broken.errors.some((e) => e.line >= 12 && /Run-YAML is not valid YAML/.test(e.message)),
    show(broken.errors),
  );
  const other = load({
    'rb.yaml':
      'kind: Runbook\nid: x\nname: X\nsteps:\n  - id: p\n    uses: harness.pipeline\n    with:\n      org: o\n      project: p\n      pipeline: q\n      inputs: |\n        pipeline:\n          identifier: other_pipeline\n',
  });
  errorAt(
    other.errors,
    'rb.yaml:13:23',
    /the Run-YAML is for pipeline "other_pipeline" but with\.pipeline is "q"/,
  );
});
