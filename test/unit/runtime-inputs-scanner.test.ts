import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanPlaceholder, splitListArg, joinManyValues } from '../../src/domain/runtime-inputs/index.ts';
import type { ScanResult, InputModifiers } from '../../src/domain/runtime-inputs/index.ts';

function mods(value: string): InputModifiers {
  const r = scanPlaceholder(value);
  assert.equal(r.kind, 'placeholder', `expected a placeholder for ${value}: ${JSON.stringify(r)}`);
  return (r as Extract<ScanResult, { kind: 'placeholder' }>).modifiers;
}

function scanError(value: string): string {
  const r = scanPlaceholder(value);
  assert.equal(r.kind, 'error', `expected an error for ${value}: ${JSON.stringify(r)}`);
  return (r as Extract<ScanResult, { kind: 'error' }>).message;
}

test('bare <+input> has no modifiers', () => {
  assert.deepEqual(mods('<+input>'), { executionInput: false });
});

test('.default(x) keeps spaces and URLs exactly', () => {
  assert.deepEqual(mods('<+input>.default(new york)'), { executionInput: false, default: 'new york' });
  assert.equal(
    mods('<+input>.default(https://registry.example.com)').default,
    'https://registry.example.com',
  );
  assert.equal(mods('<+input>.default(a:b # c)').default, 'a:b # c');
});

test('.default with escaped quotes holding a comma', () => {
  assert.equal(mods("<+input>.default(\\'london,uk\\')").default, 'london,uk');
  assert.equal(mods('<+input>.default(\\"london,uk\\")').default, 'london,uk');
});

test('.allowedValues splits on commas, trims items', () => {
  assert.deepEqual(mods('<+input>.allowedValues(dev,qa, prod)').allowedValues, ['dev', 'qa', 'prod']);
  assert.deepEqual(mods('<+input>.allowedValues(true, false)').allowedValues, ['true', 'false']);
});

test('escaped commas inside lists: \\\'a,b\\\' and \\"a,b\\"', () => {
  assert.deepEqual(mods("<+input>.allowedValues(\\'a,b\\',c)").allowedValues, ['a,b', 'c']);
  assert.deepEqual(mods('<+input>.selectOneFrom(x,\\"a,b\\")').selectOneFrom, ['x', 'a,b']);
  assert.deepEqual(mods("<+input>.selectManyFrom(\\'us-east-1,us-west-2\\',\\'eu(1)\\')").selectManyFrom, [
    'us-east-1,us-west-2',
    'eu(1)',
  ]);
});

test('.selectOneFrom and .selectManyFrom', () => {
  assert.deepEqual(mods('<+input>.selectOneFrom(a,b,c)').selectOneFrom, ['a', 'b', 'c']);
  assert.deepEqual(mods('<+input>.selectManyFrom(a,b)').selectManyFrom, ['a', 'b']);
});

test('.regex keeps parentheses, classes and escapes of the pattern', () => {
  assert.equal(mods('<+input>.regex(^(a|b)+[0-9]{2}$)').regex, '^(a|b)+[0-9]{2}$');
  assert.equal(mods('<+input>.regex([(]x\\))').regex, '[(]x\\)');
  assert.equal(mods('<+input>.regex([]()]+).default(x)').regex, '[]()]+');
  assert.equal(mods('<+input>.regex((v\\d+)\\.(\\d+)).executionInput()').regex, '(v\\d+)\\.(\\d+)');
});

test('.executionInput() combines with others in any order', () => {
  const expected = { executionInput: true, default: 'v1', allowedValues: ['v1', 'v2'] };
  assert.deepEqual(mods('<+input>.allowedValues(v1,v2).default(v1).executionInput()'), expected);
  assert.deepEqual(mods('<+input>.executionInput().default(v1).allowedValues(v1,v2)'), expected);
  assert.deepEqual(mods('<+input>.default(v1).executionInput().allowedValues(v1,v2)'), expected);
  assert.deepEqual(mods('<+input>.default(new york).executionInput()'), {
    executionInput: true,
    default: 'new york',
  });
});

test('jexl(...) allowed values stay one dynamic item', () => {
  assert.deepEqual(
    mods("<+input>.allowedValues(jexl(<+pipeline.variables.envs>.split(',')))").allowedValues,
    ["jexl(<+pipeline.variables.envs>.split(','))"],
  );
});

test('<+input.name> form, with or without modifiers', () => {
  assert.deepEqual(scanPlaceholder('<+input.incidentId>'), {
    kind: 'placeholder',
    named: true,
    name: 'incidentId',
    modifiers: { executionInput: false },
  });
  const r = scanPlaceholder('<+input.env>.allowedValues(dev,prod)');
  assert.equal(r.kind, 'placeholder');
  assert.equal((r as { name?: string }).name, 'env');
});

test('things that are not placeholders pass', () => {
  for (const v of [
    'prod',
    '',
    'deploy <+input> later',
    ' <+input>',
    '<+pipeline.name>',
    '<+trigger.prNumber>',
    "<+<+pipeline.variables.x>.split(',')>",
    '<+inputs.x>',
    '<+input',
    'x<+input.name>',
  ]) {
    assert.deepEqual(scanPlaceholder(v), { kind: 'none' }, v);
  }
});

test('malformed placeholders are errors that say what is allowed', () => {
  assert.match(scanError('<+input>.default('), /unclosed "\(" after \.default/);
  assert.match(scanError('<+input>.default(a'), /add the matching "\)"/);
  assert.match(
    scanError('<+input>.foo(x)'),
    /unknown modifier "\.foo".*allowed: \.default\(x\), \.allowedValues/,
  );
  assert.match(scanError('<+input>.Default(x)'), /unknown modifier "\.Default"/);
  assert.match(scanError('<+input>.default(a).default(b)'), /appears twice/);
  assert.match(scanError('<+input>.default()'), /needs a value/);
  assert.match(scanError('<+input>.allowedValues( )'), /needs a value/);
  assert.match(scanError('<+input>.allowedValues(,)'), /at least one value/);
  assert.match(scanError('<+input>.executionInput(x)'), /takes no argument/);
  assert.match(scanError('<+input>.default'), /must be followed by "\("/);
  assert.match(scanError('<+input>.default(a)b'), /unexpected "b"/);
  assert.match(scanError('<+input> and more'), /unexpected " and more"/);
  assert.match(scanError('<+input>.'), /unknown modifier/);
  assert.match(scanError('<+input>.regex(a[)'), /unclosed/);
  assert.match(scanError('<+input>.regex(a{2,1})'), /not a valid regular expression/);
  assert.match(scanError('<+input.>'), /<\+input\.name>/);
  assert.match(scanError('<+input.a b>'), /named input/);
});

test('splitListArg and joinManyValues agree with Harness UI', () => {
  assert.deepEqual(splitListArg("a, \\'b,c\\' ,d"), ['a', 'b,c', 'd']);
  assert.deepEqual(splitListArg('single'), ['single']);
  assert.equal(joinManyValues(['a', 'b,c', 'd']), "a,\\'b,c\\',d");
  assert.deepEqual(splitListArg(joinManyValues(['x', 'y,z'])), ['x', 'y,z']);
});
