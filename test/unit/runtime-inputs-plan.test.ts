import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunYaml, planBindings } from '../../src/domain/runtime-inputs/index.ts';
import type { Placeholder } from '../../src/domain/runtime-inputs/index.ts';

function placeholders(text: string): Placeholder[] {
  const r = parseRunYaml(text);
  assert.deepEqual(r.errors, []);
  return r.placeholders;
}

const TWO_STAGES = `pipeline:
  identifier: p
  stages:
    - stage:
        spec:
          environment:
            environmentRef: <+input>
    - stage:
        spec:
          environment:
            environmentRef: <+input>
  variables:
    - name: service
      value: <+input>
`;

test('every placeholder bound: via from, input and value, with the bind key recorded', () => {
  const ps = placeholders(
    'pipeline:\n  variables:\n    - name: a\n      value: <+input>\n    - name: b\n      value: <+input>\n    - name: c\n      value: <+input>\n',
  );
  const { plan, errors } = planBindings(ps, {
    a: { from: 'incident.service' },
    b: { input: 'env' },
    c: { value: 3 },
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(
    plan.map((x) => [x.placeholder.key, x.via, x.bindKey]),
    [
      ['a', 'from', 'a'],
      ['b', 'input', 'b'],
      ['c', 'value', 'c'],
    ],
  );
});

test('an ambiguous short key is an error listing the full paths; binding by path works', () => {
  const ps = placeholders(TWO_STAGES);
  const bad = planBindings(ps, { environmentRef: { value: 'prod' }, service: { value: 's' } });
  assert.equal(bad.errors.length, 3, JSON.stringify(bad.errors, null, 1));
  assert.match(
    bad.errors[0]?.message ?? '',
    /bind "environmentRef" is ambiguous: 2 runtime inputs are called "environmentRef": stages\[0\]\.stage\.spec\.environment\.environmentRef \(line 7\), stages\[1\]\.stage\.spec\.environment\.environmentRef \(line 11\); bind each one by its path/,
  );
  // the two places stay unbound, and the error suggests the path as the bind key
  assert.match(
    bad.errors[1]?.message ?? '',
    /not bound.*add under bind: stages\[0\]\.stage\.spec\.environment\.environmentRef:/,
  );

  const good = planBindings(ps, {
    'pipeline.stages[0].stage.spec.environment.environmentRef': { value: 'prod' },
    'stages[1].stage.spec.environment.environmentRef': { input: 'env' },
    service: { from: 'incident.service' },
  });
  assert.deepEqual(good.errors, []);
  assert.deepEqual(
    good.plan.map((x) => [x.placeholder.path, x.via]),
    [
      ['pipeline.stages[0].stage.spec.environment.environmentRef', 'value'],
      ['pipeline.stages[1].stage.spec.environment.environmentRef', 'input'],
      ['pipeline.variables[0].value', 'from'],
    ],
  );
});

test('<+input.name> placeholders sharing a name are bound once', () => {
  const ps = placeholders('pipeline:\n  a: <+input.svc>\n  b:\n    - c: <+input.svc>\n');
  const { plan, errors } = planBindings(ps, { svc: { from: 'incident.service' } });
  assert.deepEqual(errors, []);
  assert.deepEqual(
    plan.map((x) => [x.placeholder.path, x.bindKey]),
    [
      ['pipeline.a', 'svc'],
      ['pipeline.b[0].c', 'svc'],
    ],
  );
});

test('a named and an unnamed placeholder sharing a key are ambiguous', () => {
  const ps = placeholders('pipeline:\n  svc: <+input>\n  b: <+input.svc>\n');
  const { errors } = planBindings(ps, { svc: { value: 'x' } });
  assert.match(errors[0]?.message ?? '', /ambiguous/);
});

test('a path binding overrides a short-key binding for that one place', () => {
  const ps = placeholders('pipeline:\n  a: <+input.svc>\n  b: <+input.svc>\n');
  const { plan, errors } = planBindings(ps, { svc: { value: 'x' }, 'pipeline.b': { value: 'y' } });
  assert.deepEqual(errors, []);
  assert.deepEqual(
    plan.map((x) => x.binding),
    [{ value: 'x' }, { value: 'y' }],
  );
});

test('a bind key that is a path and a shared key is ambiguous', () => {
  const ps = placeholders('pipeline:\n  svc: <+input.svc>\n  b: <+input.svc>\n');
  const { errors } = planBindings(ps, { svc: { value: 'x' } });
  assert.equal(errors.length, 3, 'the ambiguity, then both places unbound');
  assert.match(
    errors[0]?.message ?? '',
    /bind "svc" is ambiguous: it is a path and a key of several runtime inputs: pipeline\.svc \(line 2\), pipeline\.b \(line 3\)/,
  );
  assert.deepEqual(
    planBindings(ps, { 'pipeline.svc': { value: 'x' }, 'pipeline.b': { value: 'y' } }).errors,
    [],
  );
});

test('a bind key that differs only by a space is unknown', () => {
  const ps = placeholders('pipeline:\n  a: <+input>\n');
  const { errors } = planBindings(ps, { 'a ': { value: 'q' }, a: { value: 'x' } });
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.message, 'bind "a " names no runtime input in the Run-YAML; available keys: a');
});

test('two path spellings of one place conflict', () => {
  const ps = placeholders('pipeline:\n  a: <+input>\n');
  const { errors } = planBindings(ps, { 'pipeline.a': { value: 'x' }, a: { value: 'y' } });
  // `a` is also the short key, but as the path without root it names the same place
  assert.equal(errors.length, 1);
  assert.match(errors[0]?.message ?? '', /both name pipeline\.a/);
});

test('unbound placeholder without default is an error naming key, path, line and what to write', () => {
  const ps = placeholders(
    'pipeline:\n  variables:\n    - name: environment\n      value: <+input>.allowedValues(dev,prod)\n',
  );
  const { errors } = planBindings(ps, {});
  assert.equal(errors.length, 1);
  assert.equal(
    errors[0]?.message,
    'runtime input "environment" is not bound and has no .default(); add under bind: environment: { from: incident.<field> } or { input: <name> } or { value: <text> }; allowed: dev, prod (at pipeline.variables[0].value, line 4)',
  );
  assert.equal(errors[0]?.line, 4);
  assert.equal(errors[0]?.path, 'pipeline.variables[0].value');
});

test('defaults and execution inputs need no binding', () => {
  const ps = placeholders(
    'pipeline:\n  a: <+input>.default(x)\n  b: <+input>.executionInput()\n  c: <+input>.default(new york).executionInput()\n',
  );
  const { plan, errors } = planBindings(ps, {});
  assert.deepEqual(errors, []);
  assert.deepEqual(
    plan.map((x) => x.via),
    ['default', 'executionInput', 'executionInput'],
  );
  const bound = planBindings(ps, { c: { value: 'paris' } });
  assert.equal(bound.plan[2]?.via, 'value');
});

test('a default that breaks its own allowed values is reported at load', () => {
  const ps = placeholders('pipeline:\n  a: <+input>.default(london).allowedValues(paris,rome)\n');
  const { errors } = planBindings(ps, {});
  assert.match(
    errors[0]?.message ?? '',
    /\.default\(london\) is not valid: runtime input "a" must be one of: paris, rome/,
  );
});

test('unknown bind key lists the available keys and suggests a near match', () => {
  const ps = placeholders(TWO_STAGES);
  const { errors } = planBindings(ps, {
    Service: { value: 'x' },
    'pipeline.stages[0].stage.spec.environment.environmentRef': { value: 'a' },
    'pipeline.stages[1].stage.spec.environment.environmentRef': { value: 'b' },
  });
  assert.equal(errors.length, 2);
  assert.equal(
    errors[0]?.message,
    'bind "Service" names no runtime input in the Run-YAML (did you mean "service"?); available keys: stages[0].stage.spec.environment.environmentRef, stages[1].stage.spec.environment.environmentRef, service',
  );
  assert.match(
    planBindings([], { x: { value: 'y' } }).errors[0]?.message ?? '',
    /has no <\+input> placeholders/,
  );
});

test('fixed values are validated at load time', () => {
  const ps = placeholders('pipeline:\n  env: <+input>.allowedValues(dev,prod)\n');
  const { errors } = planBindings(ps, { env: { value: 'qa' } });
  assert.equal(errors.length, 1);
  assert.match(
    errors[0]?.message ?? '',
    /^bind "env": runtime input "env" must be one of: dev, prod \(got "qa"\) \(at pipeline\.env, line 2\)$/,
  );
  assert.deepEqual(planBindings(ps, { env: { value: 'prod' } }).errors, []);
});

test('from must name an incident field; input and custom fields are checked when names are given', () => {
  const ps = placeholders('pipeline:\n  a: <+input>\n  b: <+input>\n  c: <+input>\n  d: <+input>\n');
  const { errors } = planBindings(
    ps,
    {
      a: { from: 'incident.nope' },
      b: { from: 'service' },
      c: { input: 'missing' },
      d: { from: 'incident.fields.zone' },
    },
    { inputs: ['environment'], customFields: ['region'] },
  );
  assert.equal(errors.length, 4);
  assert.match(
    errors[0]?.message ?? '',
    /bind "a": bind from "incident\.nope" is not an incident field; use one of: incident\.id, incident\.summary, .*incident\.fields\.<name>/,
  );
  assert.match(errors[1]?.message ?? '', /bind "b": bind from "service" is not an incident field/);
  assert.match(
    errors[2]?.message ?? '',
    /bind input "missing" is not a runbook input; declared inputs: environment/,
  );
  assert.match(errors[3]?.message ?? '', /no custom field "zone"; known: region/);
  const ok = planBindings(
    ps,
    {
      a: { from: 'incident.id' },
      b: { from: 'incident.fields.region' },
      c: { input: 'environment' },
      d: { value: 1 },
    },
    { inputs: ['environment'], customFields: ['region'] },
  );
  assert.deepEqual(ok.errors, []);
});
