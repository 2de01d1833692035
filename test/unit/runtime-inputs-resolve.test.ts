import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { resolveRunYaml } from '../../src/domain/runtime-inputs/index.ts';
import type { Incident } from '../../src/domain/types.ts';

const incident: Incident = {
  id: 'INC-42',
  summary: 'Checkout is down',
  severity: 'P1',
  status: 'investigating',
  service: 'checkout',
  environment: 'prod',
  type: 'major-incident',
  commander: 'U012ABCDEF',
  channel: 'C0123',
  createdAt: '2026-01-02T03:04:05.000Z',
  fields: { region: 'eu-west-1', customer_facing: true, replicas: 3, zones: ['a', 'b'], empty: null },
};
const source = (inputs: Record<string, unknown> = {}) => ({
  incident: incident as unknown as Record<string, unknown>,
  inputs,
});

/** The DESIGN.md example runbook's Run-YAML and bind block. */
const DESIGN_YAML = `pipeline:
  identifier: rollback_service
  variables:
    - name: service
      type: String
      value: <+input>
    - name: environment
      type: String
      value: <+input>.allowedValues(dev,qa,prod)
    - name: incidentId
      type: String
      value: <+input.incidentId>
`;
const DESIGN_BIND = {
  service: { from: 'incident.service' },
  environment: { input: 'environment' },
  incidentId: { from: 'incident.id' },
};

test('the DESIGN.md example resolves from incident and modal input', () => {
  const r = resolveRunYaml(DESIGN_YAML, DESIGN_BIND, source({ environment: 'qa' }));
  assert.deepEqual(r.errors, []);
  assert.deepEqual(parse(r.yaml), {
    pipeline: {
      identifier: 'rollback_service',
      variables: [
        { name: 'service', type: 'String', value: 'checkout' },
        { name: 'environment', type: 'String', value: 'qa' },
        { name: 'incidentId', type: 'String', value: 'INC-42' },
      ],
    },
  });
  assert.deepEqual(
    r.resolved.map((v) => [v.key, v.value, v.via, v.source]),
    [
      ['service', 'checkout', 'from', 'incident.service'],
      ['environment', 'qa', 'input', 'input environment'],
      ['incidentId', 'INC-42', 'from', 'incident.id'],
    ],
  );
});

test('every validation error is collected, none is sent', () => {
  const r = resolveRunYaml(
    DESIGN_YAML,
    { ...DESIGN_BIND, service: { from: 'incident.fields.empty' } },
    source({ environment: 'staging' }),
  );
  assert.equal(r.yaml, '');
  assert.deepEqual(
    r.errors.map((e) => e.message),
    [
      'runtime input "service" needs a value (value from incident.fields.empty) (at pipeline.variables[0].value, line 6)',
      'runtime input "environment" must be one of: dev, qa, prod (got "staging") (value from input environment) (at pipeline.variables[1].value, line 9)',
    ],
  );
  assert.deepEqual(
    r.errors.map((e) => [e.key, e.path, e.line]),
    [
      ['service', 'pipeline.variables[0].value', 6],
      ['environment', 'pipeline.variables[1].value', 9],
    ],
  );
});

test('a missing modal input is a missing value', () => {
  const r = resolveRunYaml(DESIGN_YAML, DESIGN_BIND, source({}));
  assert.match(
    r.errors[0]?.message ?? '',
    /"environment" needs a value; allowed: dev, qa, prod \(value from input environment\)/,
  );
});

test('numbers and booleans become strings; custom fields come from incident.fields', () => {
  const text = 'pipeline:\n  a: <+input>\n  b: <+input>\n  c: <+input>\n  d: <+input>\n';
  const r = resolveRunYaml(
    text,
    {
      a: { from: 'incident.fields.replicas' },
      b: { from: 'incident.fields.customer_facing' },
      c: { input: 'n' },
      d: { value: false },
    },
    source({ n: 1.5 }),
  );
  assert.deepEqual(r.errors, []);
  assert.deepEqual(parse(r.yaml), { pipeline: { a: '3', b: 'true', c: '1.5', d: 'false' } });
});

test('lists only for .selectManyFrom', () => {
  const text = 'pipeline:\n  many: <+input>.selectManyFrom(a,b,c)\n  one: <+input>\n';
  const ok = resolveRunYaml(text, { many: { from: 'incident.fields.zones' }, one: { value: 'x' } }, source());
  assert.deepEqual(ok.errors, []);
  assert.deepEqual(ok.resolved[0]?.value, ['a', 'b']);
  assert.equal(parse(ok.yaml).pipeline.many, 'a,b');
  const bad = resolveRunYaml(
    text,
    { many: { value: 'a' }, one: { from: 'incident.fields.zones' } },
    source(),
  );
  assert.match(
    bad.errors[0]?.message ?? '',
    /"one": the value from incident\.fields\.zones is a list \(2 items\); only \.selectManyFrom\(\) inputs take several values/,
  );
  const obj = resolveRunYaml(text, { many: { value: 'a' }, one: { input: 'o' } }, source({ o: { x: 1 } }));
  assert.match(obj.errors[0]?.message ?? '', /is of type object; runtime inputs take text/);
});

test('default substituted; executionInput left verbatim for Harness', () => {
  const text =
    'pipeline:\n  variables:\n    - name: city\n      value: <+input>.default(new york).executionInput()\n    - name: reg\n      value: "<+input>.default(https://registry.example.com)"\n';
  const r = resolveRunYaml(text, {}, source());
  assert.deepEqual(r.errors, []);
  const out = parse(r.yaml);
  assert.equal(out.pipeline.variables[0].value, '<+input>.default(new york).executionInput()');
  assert.equal(out.pipeline.variables[1].value, 'https://registry.example.com');
  assert.deepEqual(
    r.resolved.map((v) => [v.key, v.value, v.via]),
    [
      ['city', null, 'executionInput'],
      ['reg', 'https://registry.example.com', 'default'],
    ],
  );
  // bound, the execution input gets the value
  const bound = resolveRunYaml(text, { city: { value: 'paris' } }, source());
  assert.equal(parse(bound.yaml).pipeline.variables[0].value, 'paris');
});

test('harness expressions from incident fields or user input are refused; from literals they pass', () => {
  const text = 'pipeline:\n  a: <+input>\n';
  const r = resolveRunYaml(text, { a: { input: 'x' } }, source({ x: '<+secrets.getValue("db")>' }));
  assert.match(r.errors[0]?.message ?? '', /contains "<\+", which Harness would evaluate as an expression/);
  const lit = resolveRunYaml(text, { a: { value: '<+pipeline.sequenceId>' } }, source());
  assert.deepEqual(lit.errors, []);
  assert.equal(parse(lit.yaml).pipeline.a, '<+pipeline.sequenceId>');
});

test('load-time errors come back before any lookup', () => {
  const r = resolveRunYaml(
    DESIGN_YAML,
    { service: { from: 'incident.service' } },
    source({ environment: 'qa' }),
  );
  assert.equal(r.yaml, '');
  assert.equal(r.errors.length, 2);
  assert.match(r.errors[0]?.message ?? '', /"environment" is not bound/);
  const syntax = resolveRunYaml('pipeline: [', {}, source());
  assert.match(syntax.errors[0]?.message ?? '', /not valid YAML/);
});

test('inputs that happen to be prototype names are not read from Object.prototype', () => {
  const r = resolveRunYaml('pipeline:\n  a: <+input>\n', { a: { input: 'constructor' } }, source({}));
  assert.match(r.errors[0]?.message ?? '', /needs a value/);
});

test('other expressions, comments and text pass through untouched', () => {
  const text =
    '# run me\npipeline:\n  a: <+input>  # fill\n  b: <+pipeline.name>\n  c: deploy <+input> later\n  d: <+trigger.branch>\n';
  const r = resolveRunYaml(text, { a: { value: 'v' } }, source());
  assert.equal(r.yaml, text.replace('a: <+input>  # fill', 'a: "v"  # fill'));
});
