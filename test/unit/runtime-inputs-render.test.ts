import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderRunYaml } from '../../src/domain/runtime-inputs/index.ts';
import { isAppError } from '../../src/errors.ts';

const CONTEXTS = `# header comment
pipeline:
  plain: <+input>
  double: "<+input>"   # keep me
  single: '<+input>.default(x)'
  literal: |-
    <+input>
  folded: >-
    <+input>
  flowMap: { a: <+input>, b: keep }
  flowSeq: [<+input>, keep]
  seq:
    - <+input>
    - keep
  untouched: <+pipeline.name>
  tf: \${REGISTRY_NAME}
last: <+input>`;

const PATHS = [
  'pipeline.plain',
  'pipeline.double',
  'pipeline.single',
  'pipeline.literal',
  'pipeline.folded',
  'pipeline.flowMap.a',
  'pipeline.flowSeq[0]',
  'pipeline.seq[0]',
  'last',
];

test('every scalar style is replaced by a string, the rest of the tree is unchanged', () => {
  const value = 'prod\nfoo: bar';
  const out = renderRunYaml(CONTEXTS, new Map(PATHS.map((p) => [p, value])));
  assert.deepEqual(parse(out), {
    pipeline: {
      plain: value,
      double: value,
      single: value,
      literal: value,
      folded: value,
      flowMap: { a: value, b: 'keep' },
      flowSeq: [value, 'keep'],
      seq: [value, 'keep'],
      untouched: '<+pipeline.name>',
      tf: '${REGISTRY_NAME}',
    },
    last: value,
  });
});

test('comments, indentation and untouched lines stay byte for byte', () => {
  const out = renderRunYaml(
    CONTEXTS,
    new Map([
      ['pipeline.double', 'x'],
      ['pipeline.plain', 'y'],
    ]),
  );
  assert.equal(
    out,
    CONTEXTS.replace('  plain: <+input>', '  plain: "y"').replace(
      '  double: "<+input>"   # keep me',
      '  double: "x"   # keep me',
    ),
  );
});

test('values that look like other YAML types stay strings (YAML 1.1 and 1.2)', () => {
  for (const v of [
    'true',
    'false',
    'yes',
    'no',
    'on',
    'off',
    'null',
    '~',
    '',
    '1',
    '1.0',
    '0x1F',
    '1e3',
    '.inf',
    '2024-01-01',
    '12:30',
    '-',
    '?',
  ]) {
    const out = renderRunYaml('pipeline:\n  a: <+input>\n', new Map([['pipeline.a', v]]));
    assert.deepEqual(parse(out), { pipeline: { a: v } }, v);
    assert.equal(parse(out, { version: '1.1' }).pipeline.a, v, `YAML 1.1 reads ${v} as a string`);
  }
});

test('structure-breaking text stays one scalar', () => {
  for (const v of [
    '"]; x: <+input>',
    "'; - a",
    '{a: b}',
    '[1, 2]',
    '# not a comment',
    'a: b\n- c',
    '--- \n...',
    '&a *a !tag',
    '\\"',
    ' lead',
    'trail ',
    'tab\there',
    'cr\rlf\r\n',
  ]) {
    const out = renderRunYaml('pipeline:\n  x: <+input>\n  y: keep\n', new Map([['pipeline.x', v]]));
    assert.deepEqual(parse(out), { pipeline: { x: v, y: 'keep' } }, JSON.stringify(v));
    assert.equal(out.split('\n').length, 4, 'one line per value');
  }
});

test('unicode, controls and YAML 1.1 line breaks survive', () => {
  const v = 'é 漢字 😀 \u0000 \u0007 \u001b \u007f \u0085 \u00a0 \u2028 \u2029 \ufeff \ud800 x';
  const out = renderRunYaml('a: <+input>\n', new Map([['a', v]]));
  assert.equal(parse(out).a, v);
  assert.equal(parse(out, { version: '1.1' }).a, v);
  assert.ok(!/[\u0085\u2028\u2029]/.test(out), 'no raw YAML 1.1 line breaks');
});

test('a multi-select value is written the way Harness writes it', () => {
  const out = renderRunYaml("a: <+input>.selectManyFrom(x,y,\\'p,q\\')\n", new Map([['a', ['x', 'p,q']]]));
  assert.equal(parse(out).a, "x,\\'p,q\\'");
});

test('CRLF text and a last line without newline', () => {
  const out = renderRunYaml(
    'a: <+input>\r\nb: keep\r\nc: <+input>',
    new Map([
      ['a', '1'],
      ['c', '2'],
    ]),
  );
  assert.equal(out, 'a: "1"\r\nb: keep\r\nc: "2"');
});

test('no values: the text is returned as is', () => {
  assert.equal(renderRunYaml(CONTEXTS, new Map()), CONTEXTS);
});

test('a path that is not a runtime input, or not there, is an AppError', () => {
  for (const [path, msg] of [
    ['pipeline.untouched', /pipeline\.untouched is not a runtime input/],
    ['pipeline.nope', /pipeline\.nope names no place/],
  ] as const) {
    assert.throws(
      () => renderRunYaml(CONTEXTS, new Map([[path, 'x']])),
      (e: unknown) => isAppError(e) && e.code === 'INPUT_INVALID' && msg.test(e.message),
    );
  }
  assert.throws(
    () => renderRunYaml('a: [', new Map([['a', 'x']])),
    (e: unknown) => isAppError(e) && /Cannot fill in/.test(e.message),
  );
  assert.throws(() => renderRunYaml('a: 1\n---\nb: 2\n', new Map([['a', 'x']])), /several YAML documents/);
});

test('numeric and unusual map keys are addressed by their path', () => {
  const text = 'pipeline:\n  1: <+input>\n  "a.b": <+input>\n';
  const out = renderRunYaml(
    text,
    new Map([
      ['pipeline[\"1\"]', 'x'],
      ['pipeline["a.b"]', 'y'],
    ]),
  );
  assert.deepEqual(parse(out), { pipeline: { 1: 'x', 'a.b': 'y' } });
});
