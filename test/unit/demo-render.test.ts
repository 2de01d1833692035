import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainMrkdwn, messageLines, renderChannel, clockTime } from '../../src/dev/demo/render.ts';

test('mrkdwn reads as a person sees it: users, channels, dates, links, escapes', () => {
  const users = { U111: 'alice' };
  assert.equal(
    plainMrkdwn(
      '<@U111> in <#C1|inc-1> and <#C2> at <!date^1700000000^{time}|10:00 UTC>: <https://x.io/a|run> &lt;b&gt; &amp; <!here>',
      users,
    ),
    '@alice in #inc-1 and #C2 at 10:00 UTC: run (https://x.io/a) <b> & @here',
  );
  assert.equal(plainMrkdwn('<@U999>'), '@U999', 'unknown users keep their id');
});

test('blocks become lines; buttons are numbered by the callback; text is the fallback', () => {
  const blocks = [
    { type: 'header', text: { type: 'plain_text', text: 'Title' } },
    { type: 'section', text: { type: 'mrkdwn', text: 'a\nb' }, fields: [{ type: 'mrkdwn', text: 'f1' }] },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'c1' },
        { type: 'image', alt_text: 'x' },
        { type: 'mrkdwn', text: 'c2' },
      ],
    },
    { type: 'divider' },
    {
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: 'Go' }, action_id: 'go' },
        { type: 'button', text: { type: 'plain_text', text: 'Open' }, url: 'https://x' },
      ],
    },
  ];
  let n = 0;
  const lines = messageLines(
    { text: 'fallback', blocks },
    { button: (b) => (b.url ? undefined : String(++n)) },
  );
  assert.deepEqual(lines, ['▌ Title', 'a', 'b', 'f1', 'c1 · c2', '────────', '[1 Go] [Open]']);
  assert.deepEqual(messageLines({ text: 'just *text*' }), ['just *text*']);
});

test('a channel: first post, edits as changed lines, the final version, then the thread', () => {
  const t0 = Date.UTC(2026, 0, 1, 10, 0, 0);
  const v = (text: string, at: number) => ({ text, at });
  const lines = renderChannel(
    '#inc',
    [
      {
        ts: String(t0 / 1000),
        text: 'Succeeded',
        user: 'U0',
        history: [
          v('Awaiting\nRUN-1', t0),
          v('Running\nRUN-1', t0 + 2000),
          v('Running\nRUN-1', t0 + 3000),
          v('Succeeded\nRUN-1', t0 + 5000),
        ],
        replies: [{ ts: String((t0 + 1000) / 1000), text: 'Approved', user: 'U0', history: [], replies: [] }],
      },
    ],
    { users: { U0: 'bot' } },
  );
  assert.deepEqual(lines, [
    '━━━ #inc ━━━',
    '',
    '[10:00:00] bot',
    '  │ Awaiting',
    '  │ RUN-1',
    '  ✎ 10:00:02 edited: Running',
    '  ✎ 10:00:05 edited — now reads:',
    '  │ Succeeded',
    '  │ RUN-1',
    '  ↳ thread (1 reply)',
    '    [10:00:01] Approved',
  ]);
  assert.equal(clockTime('1767261600.000100'), '10:00:00');
});
