import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunYaml, validateValue } from '../../src/domain/runtime-inputs/index.ts';
import type { Placeholder } from '../../src/domain/runtime-inputs/index.ts';

/** The placeholder a one-variable Run-YAML yields, so tests go through the real parser. */
function placeholder(value: string, name = 'env'): Placeholder {
  const { placeholders, errors } = parseRunYaml(
    `pipeline:\n  variables:\n    - name: ${name}\n      value: ${JSON.stringify(value)}\n`,
  );
  assert.deepEqual(errors, []);
  const p = placeholders[0];
  assert.ok(p);
  return p;
}

test('required: null, undefined, empty and blank values are refused with the allowed values', () => {
  const p = placeholder('<+input>.allowedValues(dev,qa,prod)');
  for (const v of [null, undefined, '', '   ']) {
    assert.equal(validateValue(p, v), 'runtime input "env" needs a value; allowed: dev, qa, prod');
  }
  assert.equal(validateValue(placeholder('<+input>'), null), 'runtime input "env" needs a value');
});

test('.allowedValues membership is exact', () => {
  const p = placeholder('<+input>.allowedValues(dev,qa,prod)');
  assert.equal(validateValue(p, 'qa'), null);
  assert.equal(validateValue(p, 'QA'), 'runtime input "env" must be one of: dev, qa, prod (got "QA")');
  assert.equal(validateValue(p, 'prod '), 'runtime input "env" must be one of: dev, qa, prod (got "prod ")');
});

test('.selectOneFrom membership; escaped commas make one allowed value', () => {
  const p = placeholder("<+input>.selectOneFrom(\\'london,uk\\',paris)", 'city');
  assert.equal(validateValue(p, 'london,uk'), null);
  assert.equal(
    validateValue(p, 'london'),
    'runtime input "city" must be one of: london,uk, paris (got "london")',
  );
});

test('.selectManyFrom: every element, lists only here', () => {
  const p = placeholder('<+input>.selectManyFrom(a,b,c)', 'regions');
  assert.equal(validateValue(p, ['a', 'c']), null);
  assert.equal(validateValue(p, 'b'), null);
  assert.equal(
    validateValue(p, ['a', 'x', 'y']),
    'every value of runtime input "regions" must be one of: a, b, c (not allowed: "x", "y")',
  );
  assert.equal(
    validateValue(p, []),
    'runtime input "regions" needs at least one value; one or more of: a, b, c',
  );
  assert.match(validateValue(p, ['a', '']) ?? '', /empty value/);
  const one = placeholder('<+input>.allowedValues(a,b)');
  assert.equal(
    validateValue(one, ['a']),
    'runtime input "env" takes one value, got a list of 1; only .selectManyFrom() inputs take several; allowed: a, b',
  );
});

test('.regex is a full match, like Java matches()', () => {
  const p = placeholder('<+input>.regex(v[0-9]+)', 'tag');
  assert.equal(validateValue(p, 'v12'), null);
  assert.equal(validateValue(p, 'xv12'), 'runtime input "tag" must match the regex v[0-9]+ (got "xv12")');
  assert.equal(validateValue(p, 'v12x'), 'runtime input "tag" must match the regex v[0-9]+ (got "v12x")');
  const alt = placeholder('<+input>.regex(a|b)', 'ab');
  assert.equal(validateValue(alt, 'a'), null);
  assert.notEqual(validateValue(alt, 'ab'), null, 'alternation is anchored as a whole');
  assert.equal(
    validateValue(placeholder('<+input>.regex(x)', 'r'), null),
    'runtime input "r" needs a value; it must match the regex x',
  );
});

test('regex and list checks apply to every element of a multi-select', () => {
  const p = placeholder('<+input>.selectManyFrom(a1,b2,c).regex([a-z][0-9])', 'm');
  assert.equal(validateValue(p, ['a1', 'b2']), null);
  assert.equal(validateValue(p, ['a1', 'c']), 'runtime input "m" must match the regex [a-z][0-9] (got "c")');
});

test('expressions and jexl lists are left to Harness', () => {
  assert.equal(validateValue(placeholder('<+input>.allowedValues(a,b)'), '<+pipeline.variables.env>'), null);
  assert.equal(
    validateValue(
      placeholder("<+input>.allowedValues(jexl(<+pipeline.variables.x>.split(',')))"),
      'anything',
    ),
    null,
  );
});
