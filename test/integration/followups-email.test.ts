import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runbookFromYaml, runToEnd } from '../support/engine-setup.ts';
import { declareIncident, setupFollowups } from '../support/followups-setup.ts';
import { startSmtpReceiver } from '../support/smtp-receiver.ts';

const RB = `kind: Runbook
id: mail
name: Mail
steps:
  - id: tell-owners
    uses: email
    with:
      to: ["{{ incident.fields.owner }}", sre@example.com]
      cc: "{{ incident.fields.watchers }}"
      subject: "[{{ incident.severity }}] {{ incident.id }} rollback failed: {{ incident.summary }}"
      text: |
        The rollback of {{ incident.service }} failed.
        Summary: {{ incident.summary }}
      html: "<p>The rollback of <b>{{ incident.service }}</b> failed.</p><p>{{ incident.summary }}</p>"
`;

test('email: sent over real SMTP with auth — to, cc, subject, text and escaped HTML arrive', async () => {
  const smtp = await startSmtpReceiver();
  const s = await setupFollowups([runbookFromYaml(RB)], {
    env: { SMTP_URL: smtp.url, SMTP_FROM: 'runbook-bot <bot@example.com>' },
  });
  try {
    const inc = declareIncident(s, {
      summary: 'Checkout <script>alert(1)</script> & “500s”',
      fields: { owner: 'owner@example.com', watchers: 'a@example.com, b@example.com' },
    });
    const run = s.engine.startRun({ runbookId: 'mail', incidentId: inc.id, requester: 'U1' });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'succeeded', step.error ?? '');
    assert.equal(smtp.mails.length, 1);
    const m = smtp.mails[0]!;
    assert.equal(m.envelopeFrom, 'bot@example.com');
    assert.deepEqual(m.envelopeTo.sort(), [
      'a@example.com',
      'b@example.com',
      'owner@example.com',
      'sre@example.com',
    ]);
    assert.equal(m.headers.get('to'), 'owner@example.com, sre@example.com');
    assert.equal(m.headers.get('cc'), 'a@example.com, b@example.com');
    assert.equal(
      m.headers.get('subject'),
      `[P1] ${inc.id} rollback failed: Checkout <script>alert(1)</script> & “500s”`,
    );
    assert.equal(m.headers.get('message-id'), `<runbook-bot.${run.id}.tell-owners@example.com>`);
    assert.equal(
      m.text,
      'The rollback of checkout failed.\nSummary: Checkout <script>alert(1)</script> & “500s”\n',
    );
    assert.equal(
      m.html,
      '<p>The rollback of <b>checkout</b> failed.</p><p>Checkout &lt;script&gt;alert(1)&lt;/script&gt; &amp; “500s”</p>',
    );
    assert.deepEqual((step.output as { accepted: string[] }).accepted.sort(), m.envelopeTo.sort());
    assert.ok(!JSON.stringify([s.engine.getRun(run.id), s.logs]).includes(smtp.password));
  } finally {
    await s.cleanup();
    await smtp.close();
  }
});

test('email: 451 is retried; a refused recipient is reported; a wrong password is final without showing it', async () => {
  const smtp = await startSmtpReceiver();
  smtp.deferNext(1);
  smtp.refuse.add('sre@example.com');
  const s = await setupFollowups([runbookFromYaml(RB)], {
    env: { SMTP_URL: smtp.url, SMTP_FROM: 'bot@example.com' },
  });
  try {
    const inc = declareIncident(s, { fields: { owner: 'owner@example.com', watchers: '' } });
    const run = s.engine.startRun({ runbookId: 'mail', incidentId: inc.id, requester: null });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'succeeded', step.error ?? '');
    assert.equal(step.attempts, 2);
    assert.equal(smtp.mails.length, 1);
    assert.deepEqual(smtp.mails[0]!.envelopeTo, ['owner@example.com']);
    assert.deepEqual((step.output as { rejected: string[] }).rejected, ['sre@example.com']);
    const ev = s.store.timeline.forIncident(inc.id).find((e) => e.kind === 'followup.done')!;
    assert.match(ev.text, /sent to owner@example\.com; refused: sre@example\.com$/);
  } finally {
    await s.cleanup();
  }

  const badUrl = smtp.url.replace(encodeURIComponent(smtp.password), 'Wrong-Pw-123');
  const s2 = await setupFollowups([runbookFromYaml(RB)], {
    env: { SMTP_URL: badUrl, SMTP_FROM: 'bot@example.com' },
  });
  try {
    const inc = declareIncident(s2, { fields: { owner: 'owner@example.com', watchers: '' } });
    const run = s2.engine.startRun({ runbookId: 'mail', incidentId: inc.id, requester: null });
    await runToEnd(s2, run.id);
    const step = s2.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'failed');
    assert.equal(step.attempts, 1);
    assert.match(step.error!, /^SMTP 127\.0\.0\.1:\d+: 535 Invalid username or password \(EAUTH\)$/);
    assert.ok(!JSON.stringify([s2.engine.getRun(run.id), s2.logs]).includes('Wrong-Pw-123'));
  } finally {
    await s2.cleanup();
    await smtp.close();
  }
});

test('email: bad recipients and missing SMTP config are final, naming what is wrong', async () => {
  const rb = runbookFromYaml(`kind: Runbook
id: mail
name: Mail
steps:
  - { id: bad-to, uses: email, continue_on_error: true, with: { to: "{{ incident.fields.owner }}", subject: s, text: t } }
  - { id: no-to, uses: email, continue_on_error: true, with: { to: "{{ incident.fields.nobody }}", subject: s, text: t } }
`);
  const s = await setupFollowups([rb], {
    env: { SMTP_URL: 'smtp://127.0.0.1:1', SMTP_FROM: 'bot@example.com' },
  });
  try {
    const inc = declareIncident(s, { fields: { owner: 'not-an-address' } });
    const run = s.engine.startRun({ runbookId: 'mail', incidentId: inc.id, requester: null });
    await runToEnd(s, run.id);
    const [bad, none] = s.engine.getRun(run.id)!.steps;
    assert.equal(bad!.error, 'not an email address: "not-an-address"');
    assert.equal(none!.error, 'with.to has no recipient (incident.fields.nobody has no value)');
  } finally {
    await s.cleanup();
  }
  const s2 = await setupFollowups([rb], { env: {} });
  try {
    const run = s2.engine.startRun({
      runbookId: 'mail',
      incidentId: declareIncident(s2).id,
      requester: null,
    });
    await runToEnd(s2, run.id);
    assert.match(
      s2.engine.getRun(run.id)!.steps[0]!.error!,
      /^email needs SMTP_URL, SMTP_FROM in the environment/,
    );
  } finally {
    await s2.cleanup();
  }
});
