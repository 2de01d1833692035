import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMessage, checkView, truncate, LIMITS } from '../../src/slack/blocks/limits.ts';
import {
  escapeMrkdwn,
  joinLines,
  md,
  truncateMrkdwn,
  wellFormed,
  link,
} from '../../src/slack/blocks/text.ts';
import { optionValue, matchOptionValue } from '../../src/slack/blocks/kit.ts';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const paths = (v: { path: string }[]) => v.map((x) => x.path);

test('truncate: short text unchanged, long text cut to the limit with an ellipsis', () => {
  assert.equal(truncate('abc', 3), 'abc');
  assert.equal(truncate('abcdef', 4), 'abc…');
  assert.equal(truncate('abcdef', 4).length, 4);
  assert.equal(truncate('abc', 0), '');
  assert.equal(truncate('abc', 1), '…');
});

test('truncate never splits a surrogate pair (an emoji at the cut disappears whole)', () => {
  const s = 'ab😀cd';
  const t = truncate(s, 4); // would cut between the two halves of 😀
  assert.equal(t, 'ab…');
  assert.equal(wellFormed(t), t);
});

test('escapeMrkdwn defuses channel pings, mentions and links', () => {
  assert.equal(escapeMrkdwn('<!channel> & <@U1>'), '&lt;!channel&gt; &amp; &lt;@U1&gt;');
});

test('truncateMrkdwn does not leave half an entity or half a link', () => {
  const escaped = `${'x'.repeat(8)}&amp;yyy`;
  assert.equal(truncateMrkdwn(escaped, 11), 'xxxxxxxx…');
  const linked = `see <https://example.com/a/very/long/path|label> now`;
  assert.equal(truncateMrkdwn(linked, 20), 'see …');
});

test('md escapes, truncates and never returns blank', () => {
  assert.equal(md('  ', 10), '—');
  assert.equal(md(null, 10), '—');
  assert.equal(md('<b>', 100), '&lt;b&gt;');
  assert.ok(md('&'.repeat(5000), 3000).length <= 3000);
});

test('link only links http(s) urls without mrkdwn control characters', () => {
  assert.equal(link('https://h/x', 'go'), '<https://h/x|go>');
  assert.equal(link('javascript:alert(1)', 'go'), 'go');
  assert.equal(link('https://h/x|evil', 'go'), 'go');
  assert.equal(link(null, 'go'), 'go');
});

test('joinLines keeps whole lines within the limit and counts what it left out', () => {
  const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'z'.repeat(20)}`);
  const out = joinLines(lines, 3000, 'more steps');
  assert.ok(out.length <= 3000);
  const kept = out.split('\n');
  const more = kept.at(-1)!;
  const m = /^_\+(\d+) more steps_$/.exec(more);
  assert.ok(m, `last line says how many are missing: ${more}`);
  assert.equal(kept.length - 1 + Number(m[1]), 500);
});

test('optionValue: short values as is; long or blank ones shortened stably and mapped back', () => {
  assert.equal(optionValue('prod'), 'prod');
  const long = 'x'.repeat(200);
  const v = optionValue(long);
  assert.ok(v.length <= LIMITS.optionValue);
  assert.equal(optionValue(long), v);
  assert.notEqual(optionValue(`${long}y`), v);
  assert.equal(matchOptionValue(v, ['a', long]), long);
  assert.ok(optionValue('').length > 0);
  assert.equal(matchOptionValue(optionValue(' '), ['a', ' ']), ' ');
});

test('checkMessage accepts a valid message and reports each broken limit with its path', () => {
  assert.deepEqual(checkMessage({ text: 'hi', blocks: [section('hello')] }), []);
  const bad = checkMessage([
    section('x'.repeat(3001)),
    { type: 'header', text: { type: 'mrkdwn', text: 'h' } },
    { type: 'section', text: { type: 'mrkdwn', text: '   ' } },
    {
      type: 'actions',
      elements: [
        { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'b'.repeat(76) } },
        { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'ok' }, style: 'green' },
      ],
    },
    { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) },
    { type: 'unknown_block' },
  ]);
  const p = paths(bad);
  assert.ok(p.includes('blocks[0].text.text'), p.join());
  assert.ok(p.includes('blocks[1].text.type'));
  assert.ok(p.includes('blocks[2].text.text'));
  assert.ok(p.includes('blocks[3].elements[0].text.text'));
  assert.ok(p.includes('blocks[3].elements[1].action_id'));
  assert.ok(p.includes('blocks[3].elements[1].style'));
  assert.ok(p.includes('blocks[4].fields'));
  assert.ok(p.includes('blocks[5].type'));
});

test('checkMessage counts blocks (50) and checks the fallback text', () => {
  const blocks = Array.from({ length: 51 }, () => section('x'));
  assert.deepEqual(paths(checkMessage(blocks)), ['blocks']);
  assert.deepEqual(paths(checkMessage({ text: 'x'.repeat(4001), blocks: [] })), ['text']);
  assert.deepEqual(paths(checkMessage({ text: '', blocks: [] })), ['text']);
});

test('checkMessage catches duplicate block ids', () => {
  const v = checkMessage([
    { ...section('a'), block_id: 'b1' },
    { ...section('b'), block_id: 'b1' },
  ]);
  assert.deepEqual(paths(v), ['blocks[1].block_id']);
});

const opt = (t: string, v: string) => ({ text: { type: 'plain_text', text: t }, value: v });

test('selects: option counts and lengths, duplicate values, an initial option that is not an option', () => {
  const select = (extra: Record<string, unknown>) => ({
    type: 'modal',
    title: { type: 'plain_text', text: 'T' },
    submit: { type: 'plain_text', text: 'Go' },
    blocks: [
      {
        type: 'input',
        block_id: 'b',
        label: { type: 'plain_text', text: 'L' },
        element: { type: 'static_select', action_id: 'a', ...extra },
      },
    ],
  });
  assert.deepEqual(checkView(select({ options: [opt('a', 'a')], initial_option: opt('a', 'a') })), []);
  assert.deepEqual(
    paths(checkView(select({ options: Array.from({ length: 101 }, (_, i) => opt(`o${i}`, `o${i}`)) }))),
    ['blocks[0].element.options'],
  );
  assert.deepEqual(paths(checkView(select({ options: [opt('a', 'v'.repeat(76))] }))), [
    'blocks[0].element.options[0].value',
  ]);
  assert.deepEqual(paths(checkView(select({ options: [opt('a', 'x'), opt('b', 'x')] }))), [
    'blocks[0].element',
  ]);
  assert.deepEqual(paths(checkView(select({ options: [opt('a', 'a')], initial_option: opt('b', 'b') }))), [
    'blocks[0].element.initial_option',
  ]);
});

test('checkView: modal title/submit ≤ 24, submit needed with inputs, metadata ≤ 3000, 100 blocks', () => {
  const input = {
    type: 'input',
    label: { type: 'plain_text', text: 'L' },
    element: { type: 'plain_text_input', action_id: 'a' },
  };
  const v = checkView({
    type: 'modal',
    title: { type: 'plain_text', text: 't'.repeat(25) },
    private_metadata: 'm'.repeat(3001),
    blocks: [input],
  });
  assert.deepEqual(paths(v).sort(), ['private_metadata', 'submit', 'title.text']);
  const home = checkView({ type: 'home', blocks: Array.from({ length: 101 }, () => section('x')) });
  assert.deepEqual(paths(home), ['blocks']);
});

test('checkView: number input initial value must be numeric, text input initial ≤ max_length', () => {
  const v = checkView({
    type: 'modal',
    title: { type: 'plain_text', text: 'T' },
    submit: { type: 'plain_text', text: 'S' },
    blocks: [
      {
        type: 'input',
        block_id: 'n',
        label: { type: 'plain_text', text: 'N' },
        element: { type: 'number_input', action_id: 'a', is_decimal_allowed: false, initial_value: '1.5' },
      },
      {
        type: 'input',
        block_id: 't',
        label: { type: 'plain_text', text: 'T' },
        element: { type: 'plain_text_input', action_id: 'a', max_length: 5, initial_value: '123456' },
      },
    ],
  });
  assert.deepEqual(paths(v), ['blocks[0].element.initial_value', 'blocks[1].element.initial_value']);
});

test('checkers never throw on garbage', () => {
  for (const g of [null, undefined, 42, 'x', [null], [{}], { blocks: 'no' }, { type: 'modal' }]) {
    assert.ok(Array.isArray(checkMessage(g)));
    assert.ok(Array.isArray(checkView(g)));
  }
  assert.ok(checkView({ type: 'modal' }).length > 0);
});
