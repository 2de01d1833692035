import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunYaml } from '../../src/domain/runtime-inputs/index.ts';

const RUN_YAML = `pipeline:
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
  stages:
    - stage:
        identifier: deploy
        spec:
          environment:
            environmentRef: "<+input>"   # a comment
          note: deploy <+input> later
          other: <+pipeline.name>
          split: <+<+pipeline.variables.x>.split(',')>
`;

test('finds every placeholder with key, path, segments, modifiers and 1-based position', () => {
  const { placeholders, errors } = parseRunYaml(RUN_YAML);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    placeholders.map((p) => [p.key, p.path, p.line, p.col, p.named]),
    [
      ['service', 'pipeline.variables[0].value', 6, 14, false],
      ['environment', 'pipeline.variables[1].value', 9, 14, false],
      ['incidentId', 'pipeline.variables[2].value', 12, 14, true],
      ['environmentRef', 'pipeline.stages[0].stage.spec.environment.environmentRef', 18, 29, false],
    ],
  );
  const env = placeholders[3];
  assert.deepEqual(env?.segments, [
    'pipeline',
    'stages',
    0,
    'stage',
    'spec',
    'environment',
    'environmentRef',
  ]);
  assert.equal(env?.pathWithoutRoot, 'stages[0].stage.spec.environment.environmentRef');
  assert.equal(env?.raw, '<+input>');
  assert.deepEqual(placeholders[1]?.modifiers, {
    executionInput: false,
    allowedValues: ['dev', 'qa', 'prod'],
  });
});

test('a root without a single wrapper key has no path-without-root', () => {
  const { placeholders } = parseRunYaml(
    'stages:\n  - x: <+input>\nvariables:\n  - name: a\n    value: <+input>\n',
  );
  assert.deepEqual(
    placeholders.map((p) => [p.key, p.path, p.pathWithoutRoot]),
    [
      ['x', 'stages[0].x', undefined],
      ['a', 'variables[0].value', undefined],
    ],
  );
});

test('inputSet: and template: roots', () => {
  const inputSet = parseRunYaml(
    'inputSet:\n  identifier: s\n  pipeline:\n    identifier: p\n    variables:\n      - name: v\n        value: <+input>\n',
  );
  assert.equal(inputSet.placeholders[0]?.path, 'inputSet.pipeline.variables[0].value');
  assert.equal(inputSet.placeholders[0]?.pathWithoutRoot, 'pipeline.variables[0].value');
  assert.equal(inputSet.placeholders[0]?.key, 'v');
  const template = parseRunYaml('template:\n  templateInputs:\n    spec: { connectorRef: <+input> }\n');
  assert.equal(template.placeholders[0]?.key, 'connectorRef');
  assert.equal(template.placeholders[0]?.path, 'template.templateInputs.spec.connectorRef');
});

test('a variables item without a name falls back to the field name; a list item to its list name', () => {
  const { placeholders } = parseRunYaml(
    'pipeline:\n  variables:\n    - value: <+input>\n  tags: [a, <+input>]\n',
  );
  assert.deepEqual(
    placeholders.map((p) => [p.key, p.path]),
    [
      ['value', 'pipeline.variables[0].value'],
      ['tags', 'pipeline.tags[1]'],
    ],
  );
});

test('unusual map keys are written with brackets in paths', () => {
  const { placeholders } = parseRunYaml('pipeline:\n  "a.b": <+input>\n  "with space": <+input>\n');
  assert.deepEqual(
    placeholders.map((p) => p.path),
    ['pipeline["a.b"]', 'pipeline["with space"]'],
  );
});

test('block and quoted scalars are found too; keys never are', () => {
  const { placeholders } = parseRunYaml("a: |-\n  <+input>\nb: '<+input>.default(x)'\n<+input>: c\n");
  assert.deepEqual(
    placeholders.map((p) => [p.path, p.line, p.col]),
    [
      ['a', 1, 4],
      ['b', 3, 4],
    ],
  );
});

test('a malformed placeholder is an error naming path and line', () => {
  const { placeholders, errors } = parseRunYaml(
    'pipeline:\n  variables:\n    - name: env\n      value: <+input>.default(\n    - name: x\n      value: <+input>.foo(x)\n',
  );
  assert.equal(placeholders.length, 0);
  assert.equal(errors.length, 2);
  assert.equal(errors[0]?.path, 'pipeline.variables[0].value');
  assert.equal(errors[0]?.line, 4);
  assert.equal(errors[0]?.key, 'env');
  assert.match(errors[0]?.message ?? '', /^pipeline\.variables\[0\]\.value \(line 4, col 14\): unclosed/);
  assert.match(errors[1]?.message ?? '', /line 6.*unknown modifier "\.foo"/);
});

test('YAML syntax errors are reported with line and column, not thrown', () => {
  const { placeholders, errors } = parseRunYaml('pipeline:\n  a: [1, 2\n  b: <+input>\n');
  assert.equal(placeholders.length, 0);
  assert.ok(errors.length > 0);
  assert.match(errors[0]?.message ?? '', /not valid YAML/);
  assert.equal(typeof errors[0]?.line, 'number');
});

test('duplicate keys and several documents are errors', () => {
  assert.ok(parseRunYaml('a: <+input>\na: <+input>\n').errors.length > 0);
  assert.ok(parseRunYaml('a: <+input>\n---\nb: <+input>\n').errors.length > 0);
});

test('the root must be a mapping; empty text has no placeholders', () => {
  assert.match(parseRunYaml('- <+input>\n').errors[0]?.message ?? '', /must be a YAML mapping/);
  assert.match(parseRunYaml('<+input>').errors[0]?.message ?? '', /must be a YAML mapping/);
  assert.deepEqual(parseRunYaml(''), { placeholders: [], errors: [] });
  assert.deepEqual(parseRunYaml('# only a comment\n'), { placeholders: [], errors: [] });
});

test('an alias to a runtime input is refused; other aliases are fine', () => {
  const bad = parseRunYaml('a: &x <+input>\nb: *x\n');
  assert.equal(bad.errors.length, 1);
  assert.match(
    bad.errors[0]?.message ?? '',
    /^b \(line 2, col 4\): YAML alias \*x points at a runtime input/,
  );
  const ok = parseRunYaml('a: &x plain\nb: *x\nc: <+input>\n');
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.placeholders.length, 1);
});
