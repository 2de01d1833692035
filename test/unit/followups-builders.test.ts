/** The pure parts of the follow-ups: ADF, retry timing, request builders, escaping and limits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { textToAdf, adfText } from '../../src/engine/actions/jira/adf.ts';
import { parseRetryAfter } from '../../src/engine/actions/http.ts';
import { maxAttempts, retryDelay, START_RETRY } from '../../src/engine/step-runner.ts';
import { buildWebhook, signBody } from '../../src/engine/actions/webhook.ts';
import { buildSlackMessage } from '../../src/engine/actions/slack-message.ts';
import { buildEmail } from '../../src/engine/actions/email.ts';
import { buildTeamsCard } from '../../src/engine/actions/teams-message.ts';
import { scrub } from '../../src/engine/actions/followup-kit.ts';
import { secretKind } from '../../src/manifests/crosscheck-followups.ts';
import { stepSchema } from '../../src/manifests/schema.ts';
import { webhookAction } from '../../src/engine/actions/webhook.ts';
import { harnessPipelineAction } from '../../src/engine/actions/harness-pipeline.ts';
import { isValidAdf } from '../fakes/jira-fake.ts';

const scope = {
  incident: { id: 'INC-1', summary: '<!here> "quoted" & more', service: 'checkout' },
  run: { id: 'RUN-3', requester: 'U1' },
  steps: {},
  inputs: {},
};

test('textToAdf: any text gives a document Jira accepts, and keeps every character of it', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      const doc = textToAdf(text, 'runbook-bot RUN-1/x');
      assert.ok(isValidAdf(doc), JSON.stringify(doc));
      const back = adfText(doc);
      assert.ok(back.endsWith('runbook-bot RUN-1/x\n'));
      // Only whitespace structure may change (paragraph and line breaks).
      assert.equal(back.replace(/\s+/g, ''), (text + 'runbook-bot RUN-1/x').replace(/\s+/g, ''));
    }),
  );
});

test('textToAdf: URLs become links without trailing punctuation', () => {
  const doc = textToAdf('see https://x.example.com/a?b=1). ok');
  assert.deepEqual(doc.content[0]!.content, [
    { type: 'text', text: 'see ' },
    {
      type: 'text',
      text: 'https://x.example.com/a?b=1',
      marks: [{ type: 'link', attrs: { href: 'https://x.example.com/a?b=1' } }],
    },
    { type: 'text', text: '). ok' },
  ]);
});

test('Retry-After: seconds or an HTTP date; garbage is ignored', () => {
  const now = Date.parse('2026-11-26T14:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter('Thu, 26 Nov 2026 14:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Thu, 26 Nov 2026 13:00:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test('retry timing: backoff doubles to a cap, Retry-After wins when longer; retries from the step or the action', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 9].map((n) => retryDelay(n)),
    [5_000, 10_000, 20_000, 40_000, 60_000, 60_000],
  );
  assert.equal(retryDelay(1, 45_000), 45_000);
  assert.equal(retryDelay(4, 1_000), 40_000);
  const hook = stepSchema.parse({ id: 'h', uses: 'webhook', with: { url: 'https://x', body: {} } });
  assert.equal(maxAttempts(hook, webhookAction), 6, 'follow-ups: 5 retries by default');
  assert.equal(maxAttempts({ ...hook, retries: 0 }, webhookAction), 1);
  const pipe = stepSchema.parse({
    id: 'p',
    uses: 'harness.pipeline',
    with: { org: 'o', project: 'p', pipeline: 'q' },
  });
  assert.equal(
    maxAttempts(pipe, harnessPipelineAction),
    START_RETRY.maxAttempts,
    'pipelines keep their cadence',
  );
});

test('webhook: body rendered per target, signature over the exact bytes, stable idempotency key', () => {
  const w = stepSchema.parse({
    id: 'h',
    uses: 'webhook',
    with: { url: 'https://x.example.com/i/{{ incident.summary }}', body: '{"s": "{{ incident.summary }}"}' },
  });
  if (w.uses !== 'webhook') throw new Error();
  const b = buildWebhook(w.with, scope, { runId: 'RUN-3', stepId: 'h' });
  assert.equal(b.url, `https://x.example.com/i/${encodeURIComponent('<!here> "quoted" & more')}`);
  assert.deepEqual(JSON.parse(b.body), { s: '<!here> "quoted" & more' });
  assert.equal(b.headers['Idempotency-Key'], 'RUN-3:h');
  assert.equal(signBody('k', b.body), `sha256=${createHmac('sha256', 'k').update(b.body).digest('hex')}`);
  const broken = stepSchema.parse({
    id: 'h',
    uses: 'webhook',
    with: { url: 'https://x', body: '{"s": {{ incident.summary }}}' },
  });
  if (broken.uses !== 'webhook') throw new Error();
  assert.throws(
    () => buildWebhook(broken.with, scope, { runId: 'R', stepId: 'h' }),
    /with\.body is not valid JSON once rendered/,
  );
});

test('slack: values are mrkdwn-escaped, author markup kept, Block Kit limits respected', () => {
  const w = stepSchema.parse({
    id: 's',
    uses: 'slack.message',
    with: {
      text: '*{{ incident.summary }}*',
      blocks: [{ header: 'x'.repeat(200) }, { section: '{{ incident.summary }}'.repeat(300) }],
    },
  });
  if (w.uses !== 'slack.message') throw new Error();
  const m = buildSlackMessage(w.with, scope);
  assert.equal(m.text, '*&lt;!here&gt; "quoted" &amp; more*');
  const [header, section] = m.blocks! as { text: { text: string } }[];
  assert.equal(header!.text.text.length, 150);
  assert.equal(section!.text.text.length, 3000);
  assert.ok(section!.text.text.endsWith('…'));
});

test('email: recipients split and trimmed, subject on one line, HTML values escaped', () => {
  const w = stepSchema.parse({
    id: 'e',
    uses: 'email',
    with: {
      to: ['a@x.io; b@x.io', '{{ incident.service }}@x.io'],
      subject: 'A\nB {{ incident.summary }}',
      text: 't',
      html: '<b>{{ incident.summary }}</b>',
    },
  });
  if (w.uses !== 'email') throw new Error();
  const e = buildEmail(w.with, scope);
  assert.deepEqual(e.to, ['a@x.io', 'b@x.io', 'checkout@x.io']);
  assert.equal(e.subject, 'A B <!here> "quoted" & more');
  assert.equal(e.html, '<b>&lt;!here&gt; &quot;quoted&quot; &amp; more</b>');
});

test('teams: a link without a known URL is left out instead of failing', () => {
  const w = stepSchema.parse({
    id: 't',
    uses: 'teams.message',
    with: { url_env: 'T', title: 't', text: 'x', link: { url: '{{ steps.rollback.url }}' } },
  });
  if (w.uses !== 'teams.message') throw new Error();
  const { card, missing } = buildTeamsCard(w.with, scope);
  assert.equal('actions' in card.attachments[0]!.content, false);
  assert.deepEqual(missing, ['steps.rollback.url']);
});

test('scrub removes every secret occurrence; secretKind tells prose from credentials', () => {
  assert.equal(scrub('a s3cret b s3cret', ['s3cret', undefined, 'no']), 'a [redacted] b [redacted]');
  assert.equal(secretKind('Authorization: Bearer abcdef1234567890'), 'a credential');
  assert.equal(secretKind('Basic authentication failed'), undefined);
  assert.equal(secretKind('smtps://bot:pw@smtp.example.com'), 'a URL with a password in it');
  assert.equal(secretKind('https://status.example.com/{{ incident.id }}'), undefined);
});
