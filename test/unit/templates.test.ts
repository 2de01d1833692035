import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { escapers, renderTemplate, templateRefs } from '../../src/domain/templates.ts';

const ctx = {
  incident: {
    id: 'INC-42',
    severity: 'P1',
    fields: {
      jira_key: 'OPS-7',
      customer_facing: false,
      count: 3,
      tags: ['a', 'b'],
      empty: '',
      region: null,
    },
  },
  steps: { rollback: { url: 'https://app.harness.io/x', details: { k: 1 } } },
};

test('templateRefs lists paths with offsets, whitespace optional', () => {
  const tpl = 'Rolled back {{steps.rollback.url}} for {{  incident.id  }}.';
  const { refs, errors } = templateRefs(tpl);
  assert.deepEqual(errors, []);
  assert.deepEqual(
    refs.map((r) => r.path),
    ['steps.rollback.url', 'incident.id'],
  );
  const [first, second] = refs;
  assert.equal(tpl.slice(first!.start, first!.end), '{{steps.rollback.url}}');
  assert.equal(tpl.slice(second!.start, second!.end), '{{  incident.id  }}');
});

test('templateRefs reads default literals in double or single quotes', () => {
  const { refs, errors } = templateRefs(
    '{{ a | default: "n/a" }} {{b|default:\'x y\'}} {{ c | default: "say \\"hi\\"" }}',
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(
    refs.map((r) => [r.path, r.default]),
    [
      ['a', 'n/a'],
      ['b', 'x y'],
      ['c', 'say "hi"'],
    ],
  );
});

test('templateRefs reports every malformed tag with its position and what is allowed', () => {
  const cases: [string, RegExp][] = [
    ['{{ }}', /empty tag/],
    ['x {{ a b }}', /position 3: not understood; allowed: \{\{ path \}\}/],
    ['{{ a | upper }}', /not understood/],
    ['{{ a | default: x }}', /not understood/],
    ['{{ a | default: "x" | default: "y" }}', /not understood/],
    ['{{ 1abc }}', /is not a field path/],
    ['{{ a..b }}', /is not a field path/],
    ['{{ a {{ b }}', /cannot be nested/],
    ['hello {{ a', /unclosed "\{\{" at position 7/],
    ['{{ a + b }}', /not understood/],
  ];
  for (const [tpl, re] of cases) {
    const { refs, errors } = templateRefs(tpl);
    assert.equal(errors.length, 1, tpl);
    assert.match(errors[0]!, re, tpl);
    assert.deepEqual(refs, [], tpl);
  }
  assert.equal(templateRefs('{{ }} and {{ ok }} and {{ a b }}').errors.length, 2);
  assert.equal(templateRefs('{{ }} and {{ ok }} and {{ a b }}').refs.length, 1);
});

test('escaped \\{{ is literal text, not a reference', () => {
  const { refs, errors } = templateRefs('use \\{{ incident.id }} literally');
  assert.deepEqual(refs, []);
  assert.deepEqual(errors, []);
  assert.equal(
    renderTemplate('use \\{{ incident.id }} and {{ incident.id }}', ctx).text,
    'use {{ incident.id }} and INC-42',
  );
});

test('renderTemplate substitutes values by type', () => {
  const r = renderTemplate(
    '{{incident.id}} {{incident.fields.customer_facing}} {{incident.fields.count}} [{{incident.fields.tags}}] {{steps.rollback.details}}',
    ctx,
  );
  assert.equal(r.text, 'INC-42 false 3 [a, b] {"k":1}');
  assert.deepEqual(r.missing, []);
  assert.deepEqual(r.errors, []);
});

test('renderTemplate renders missing and null as empty or the default, and lists them once', () => {
  const r = renderTemplate(
    '[{{ nope }}][{{ incident.fields.region }}][{{ nope | default: "n/a" }}][{{ incident.fields.empty | default: "-" }}]',
    ctx,
  );
  assert.equal(r.text, '[][][n/a][-]');
  assert.deepEqual(r.missing, ['nope', 'incident.fields.region']);
});

test('renderTemplate keeps a broken tag visible and reports it instead of throwing', () => {
  const r = renderTemplate('a {{ x y }} b {{ incident.id }}', ctx);
  assert.equal(r.text, 'a {{ x y }} b INC-42');
  assert.equal(r.errors.length, 1);
  assert.equal(renderTemplate(42 as unknown as string, ctx).errors.length, 1);
});

const nasty = '<!channel> & "x"';

test('escapers per target', () => {
  assert.equal(escapers.plain(nasty), nasty);
  assert.equal(escapers.slack(nasty), '&lt;!channel&gt; &amp; "x"');
  assert.equal(escapers.json(nasty), '<!channel> & \\"x\\"');
  assert.equal(escapers.html(nasty), '&lt;!channel&gt; &amp; &quot;x&quot;');
  assert.equal(escapers.html("it's"), 'it&#39;s');
  assert.equal(escapers.json('a\nb\\c'), 'a\\nb\\\\c');
});

test('escaping applies to substituted values and defaults, never to template text', () => {
  const c = { v: nasty };
  assert.equal(
    renderTemplate('<b>{{ v }}</b> & done', c, escapers.slack).text,
    '<b>&lt;!channel&gt; &amp; "x"</b> & done',
  );
  assert.equal(
    renderTemplate('<p>{{ v }}</p>', c, escapers.html).text,
    '<p>&lt;!channel&gt; &amp; &quot;x&quot;</p>',
  );
  assert.equal(
    renderTemplate('{"text": "{{ v }}"}', c, escapers.json).text,
    '{"text": "<!channel> & \\"x\\""}',
  );
  assert.deepEqual(JSON.parse(renderTemplate('{"text": "{{ v }}"}', c, escapers.json).text), { text: nasty });
  assert.equal(renderTemplate('{{ nope | default: "a<b" }}', c, escapers.slack).text, 'a&lt;b');
});

// Template text that is itself safe inside a JSON string (no quote, backslash or control chars).
const safeText = fc.string().map((s) => s.replace(/["\\\u0000-\u001f{}]/g, ''));
const anyValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string()),
  fc.dictionary(fc.string(), fc.string()),
);

test('property: json-escaped render is always a valid JSON string body', () => {
  fc.assert(
    fc.property(safeText, anyValue, safeText, anyValue, (a, v1, b, v2) => {
      const tpl = `${a}{{ one }}${b}{{ two | default: "d\\"q" }}`;
      const { text } = renderTemplate(tpl, { one: v1, two: v2 }, escapers.json);
      const parsed: unknown = JSON.parse(`"${text}"`);
      // Decoding the escaped output gives back exactly the unescaped render: nothing lost or added.
      assert.equal(parsed, renderTemplate(tpl, { one: v1, two: v2 }).text);
    }),
  );
});

test('property: templates without {{ render unchanged, with no refs and no errors', () => {
  fc.assert(
    fc.property(
      fc.string().filter((s) => !s.includes('{{')),
      fc.constantFrom(...Object.values(escapers)),
      (tpl, esc) => {
        assert.deepEqual(renderTemplate(tpl, ctx, esc), { text: tpl, missing: [], errors: [] });
        assert.deepEqual(templateRefs(tpl), { refs: [], errors: [] });
      },
    ),
  );
});
