/**
 * Property tests: whatever text is substituted, the YAML structure never changes and the leaf
 * reads back as exactly that string; modifier chains in any order read back as written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parse } from 'yaml';
import {
  joinManyValues,
  parseRunYaml,
  renderRunYaml,
  resolveRunYaml,
  scanPlaceholder,
  splitListArg,
} from '../../src/domain/runtime-inputs/index.ts';

const RUNS = { numRuns: 200 };

const TRICKY = [
  '\n',
  '\r\n',
  '\r',
  '"',
  "'",
  ': ',
  ':',
  '#',
  ' #',
  '- ',
  '-',
  '{',
  '}',
  '[',
  ']',
  ',',
  '<+input>',
  '<+input>.default(x)',
  '<+pipeline.name>',
  '---',
  '...',
  ' ',
  '  ',
  '\t',
  '\\',
  '\\n',
  '|',
  '>',
  '&a',
  '*a',
  '!!int',
  '%YAML 1.2',
  '@',
  '`',
  '?',
  'true',
  'null',
  '~',
  '1e3',
  '0x1F',
  'yes',
  'é',
  '漢字',
  '😀',
  '\u0000',
  '\u0085',
  '\u2028',
  '\ufeff',
  '\u00a0',
  '\x7f',
  '\ud800',
  '\udc00',
];
/** Text built from YAML-significant pieces and arbitrary unicode, incl. leading/trailing spaces. */
const anyText = fc
  .array(
    fc.oneof(
      fc.constantFrom(...TRICKY),
      fc.string({ unit: 'binary', maxLength: 6 }),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(''));

/** Placeholders in every scalar style and collection context. */
const TEMPLATE = `# comment
pipeline:
  identifier: p
  variables:
    - name: a
      type: String
      value: <+input>
    - name: b
      value: "<+input>"   # trailing
  stages:
    - stage:
        spec: { env: <+input>, keep: x }
        list: [<+input>, y]
        block: |-
          <+input>
        folded: >-
          <+input>
        quoted: '<+input>.allowedValues(a,b)'
  tail: <+pipeline.name>
`;
const TEMPLATE_PLACEHOLDERS = parseRunYaml(TEMPLATE).placeholders;

function setIn(obj: unknown, segments: readonly (string | number)[], value: unknown): void {
  let cur = obj as Record<string | number, unknown>;
  segments.forEach((s, i) => {
    if (i === segments.length - 1) cur[s] = value;
    else cur = cur[s] as Record<string | number, unknown>;
  });
}

test('the template really has a placeholder in each context', () => {
  assert.equal(TEMPLATE_PLACEHOLDERS.length, 7);
});

test('any string substituted anywhere keeps the structure and reads back exactly', () => {
  fc.assert(
    fc.property(fc.array(anyText, { minLength: 8, maxLength: 8 }), (texts) => {
      const values = new Map(TEMPLATE_PLACEHOLDERS.map((p, i) => [p.path, texts[i] ?? '']));
      const out = renderRunYaml(TEMPLATE, values);
      const expected = parse(TEMPLATE);
      TEMPLATE_PLACEHOLDERS.forEach((p, i) => setIn(expected, p.segments, texts[i]));
      assert.deepEqual(parse(out), expected);
      // Harness reads YAML 1.1: the leaves must be the same strings there too
      const v11 = parse(out, { version: '1.1' });
      TEMPLATE_PLACEHOLDERS.forEach((p, i) => {
        let cur: unknown = v11;
        for (const s of p.segments) cur = (cur as Record<string | number, unknown>)[s];
        assert.equal(cur, texts[i]);
      });
      // anything that looks like a runtime input afterwards is one of our values, at our paths
      const again = parseRunYaml(out);
      const ours = new Set(values.keys());
      for (const p of again.placeholders) assert.ok(ours.has(p.path) && texts.includes(p.raw), p.path);
      for (const e of again.errors) assert.ok(e.path !== undefined && ours.has(e.path), e.message);
    }),
    RUNS,
  );
});

test('values from incident fields resolve to exactly that string, or are refused when they carry <+', () => {
  fc.assert(
    fc.property(anyText, anyText, (summary, input) => {
      const r = resolveRunYaml(
        'pipeline:\n  variables:\n    - name: s\n      value: <+input>\n    - name: i\n      value: <+input.i>\n',
        { s: { from: 'incident.summary' }, i: { input: 'free' } },
        { incident: { summary }, inputs: { free: input } },
      );
      const refused = [summary, input].some((v) => v.includes('<+') || v.trim() === '');
      if (refused) {
        assert.ok(r.errors.length > 0);
        assert.equal(r.yaml, '');
        return;
      }
      assert.deepEqual(r.errors, []);
      const out = parse(r.yaml);
      assert.deepEqual(Object.keys(out.pipeline), ['variables']);
      assert.equal(out.pipeline.variables[0].value, summary);
      assert.equal(out.pipeline.variables[1].value, input);
      assert.equal(out.pipeline.variables.length, 2);
    }),
    RUNS,
  );
});

/** An argument Harness can carry: no parentheses or escaped quotes of its own, not blank. */
const plainArg = fc
  .string({ unit: fc.constantFrom(...'abcXYZ019 -_/:.#@+'.split('')), minLength: 1, maxLength: 12 })
  .filter((s) => s.trim() !== '');
const listItem = fc.oneof(
  plainArg.map((s) => s.trim()).filter((s) => s !== ''),
  fc.tuple(plainArg, plainArg).map(([a, b]) => `${a.trim()},${b.trim()}`),
);
const regexArg = fc.constantFrom('^(a|b)+$', '[()]x', 'v\\d+\\.(\\d+)', '[]a]', '(?:x)(y)?', 'a\\)');

test('modifier chains in any order read back as written', () => {
  const modifier = fc.oneof(
    plainArg.map((v) => ({ name: 'default' as const, v })),
    fc.array(listItem, { minLength: 1, maxLength: 4 }).map((v) => ({ name: 'allowedValues' as const, v })),
    fc.array(listItem, { minLength: 1, maxLength: 4 }).map((v) => ({ name: 'selectOneFrom' as const, v })),
    fc.array(listItem, { minLength: 1, maxLength: 4 }).map((v) => ({ name: 'selectManyFrom' as const, v })),
    regexArg.map((v) => ({ name: 'regex' as const, v })),
    fc.constant({ name: 'executionInput' as const, v: true }),
  );
  fc.assert(
    fc.property(fc.uniqueArray(modifier, { selector: (m) => m.name, maxLength: 6 }), (chain) => {
      const text =
        '<+input>' +
        chain
          .map((m) =>
            m.name === 'executionInput'
              ? '.executionInput()'
              : Array.isArray(m.v)
                ? `.${m.name}(${joinManyValues(m.v)})`
                : `.${m.name}(${m.v})`,
          )
          .join('');
      const r = scanPlaceholder(text);
      assert.equal(r.kind, 'placeholder', text);
      const expected: Record<string, unknown> = { executionInput: false };
      for (const m of chain) expected[m.name] = m.v;
      assert.deepEqual((r as { modifiers: unknown }).modifiers, expected);
    }),
    RUNS,
  );
});

test('multi-select values round-trip through the Harness list format', () => {
  fc.assert(
    fc.property(fc.array(listItem, { minLength: 1, maxLength: 5 }), (items) => {
      const out = renderRunYaml('a: <+input>.selectManyFrom(x)\n', new Map([['a', items]]));
      assert.deepEqual(splitListArg(parse(out).a), items);
    }),
    RUNS,
  );
});
