import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runbookFromYaml, runToEnd } from '../support/engine-setup.ts';
import { declareIncident, setupFollowups } from '../support/followups-setup.ts';
import { startSlackWebApi } from '../support/slack-web-api.ts';

const RB = `kind: Runbook
id: tell-slack
name: Tell Slack
steps:
  - id: channel
    uses: slack.message
    with:
      text: ":rotating_light: *Rollback failed* for {{ incident.service }}: {{ incident.summary }}"
      blocks:
        - header: "{{ incident.id }} — {{ incident.summary }}"
        - section: "*Rollback failed* for \`{{ incident.service }}\` <https://status.example.com|status>"
        - divider: true
        - context: "Requested by <@{{ run.requester }}>"
  - id: thread
    uses: slack.message
    with: { channel: thread, text: "Details: {{ incident.summary }}" }
  - id: dm
    uses: slack.message
    with: { user: "{{ incident.commander }}", text: "You are commander of {{ incident.id }}" }
  - id: other
    uses: slack.message
    with: { channel: C0OTHER, text: "FYI" }
`;

test('slack.message: incident channel with blocks, the run thread, a DM and another channel; values escaped', async () => {
  const slack = await startSlackWebApi();
  const s = await setupFollowups([runbookFromYaml(RB)], {
    slack: slack.client(),
    slackThread: (runId) => ({ channel: 'C0INCIDENT', ts: `thread-of-${runId}` }),
  });
  try {
    const inc = declareIncident(s, { summary: '<!channel> 500s & <http://evil|click>' });
    const run = s.engine.startRun({ runbookId: 'tell-slack', incidentId: inc.id, requester: 'U0REQ' });
    await runToEnd(s, run.id);
    const { run: done, steps } = s.engine.getRun(run.id)!;
    assert.equal(done.state, 'succeeded', steps.map((x) => x.error).join(' | '));
    assert.equal(slack.posted.length, 4);
    const [main, thread, dm, other] = slack.posted;
    const escaped = '&lt;!channel&gt; 500s &amp; &lt;http://evil|click&gt;';
    assert.equal(main!.channel, 'C0INCIDENT');
    assert.equal(main!.text, `:rotating_light: *Rollback failed* for checkout: ${escaped}`);
    assert.deepEqual(main!.blocks, [
      {
        type: 'header',
        text: { type: 'plain_text', text: `${inc.id} — <!channel> 500s & <http://evil|click>`, emoji: true },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '*Rollback failed* for `checkout` <https://status.example.com|status>',
        },
      },
      { type: 'divider' },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Requested by <@U0REQ>' }] },
    ]);
    assert.equal(thread!.thread_ts, `thread-of-${run.id}`);
    assert.equal(thread!.text, `Details: ${escaped}`);
    assert.equal(dm!.channel, 'D0COMMANDER', 'a DM to the commander');
    assert.equal(other!.channel, 'C0OTHER');
    assert.deepEqual(steps[0]!.output, { channel: 'C0INCIDENT', ts: main!.ts });
  } finally {
    await s.cleanup();
    await slack.close();
  }
});

test('slack.message: 429 with Retry-After is waited out; not_in_channel is final with a hint', async () => {
  const slack = await startSlackWebApi();
  slack.inject('chat.postMessage', 1, {
    status: 429,
    headers: { 'retry-after': '30' },
    body: { ok: false, error: 'ratelimited' },
  });
  const rb = runbookFromYaml(`kind: Runbook
id: s
name: S
steps:
  - { id: first, uses: slack.message, continue_on_error: true, with: { text: hello } }
  - { id: private, uses: slack.message, continue_on_error: true, with: { channel: C0SECRET, text: hi } }
`);
  const s = await setupFollowups([rb], { slack: slack.client() });
  try {
    const run = s.engine.startRun({ runbookId: 's', incidentId: declareIncident(s).id, requester: null });
    const t0 = s.clock.now();
    await s.engine.drain();
    assert.equal(s.engine.getRun(run.id)!.steps[0]!.nextAttemptAt, t0 + 30_000);
    await runToEnd(s, run.id);
    const [first, priv] = s.engine.getRun(run.id)!.steps;
    assert.equal(first!.status, 'succeeded');
    assert.equal(first!.attempts, 2);
    assert.equal(priv!.status, 'failed');
    assert.equal(priv!.attempts, 1);
    assert.equal(
      priv!.error,
      'Slack refused chat.postMessage: not_in_channel — invite the app to the channel first (/invite @runbook-bot)',
    );
  } finally {
    await s.cleanup();
    await slack.close();
  }
});

test('slack.message: no Slack client, no incident channel, no thread → clear final errors', async () => {
  const rb = runbookFromYaml(`kind: Runbook
id: s
name: S
steps:
  - { id: a, uses: slack.message, continue_on_error: true, with: { text: hello } }
`);
  const s = await setupFollowups([rb], {});
  try {
    const run = s.engine.startRun({ runbookId: 's', incidentId: declareIncident(s).id, requester: null });
    await runToEnd(s, run.id);
    assert.match(
      s.engine.getRun(run.id)!.steps[0]!.error!,
      /slack\.message needs the Slack app: set SLACK_BOT_TOKEN/,
    );
  } finally {
    await s.cleanup();
  }
  const slack = await startSlackWebApi();
  const rb2 = runbookFromYaml(`kind: Runbook
id: s
name: S
steps:
  - { id: a, uses: slack.message, continue_on_error: true, with: { text: hello } }
  - { id: b, uses: slack.message, continue_on_error: true, with: { channel: thread, text: hello } }
`);
  const s2 = await setupFollowups([rb2], { slack: slack.client() });
  try {
    const run = s2.engine.startRun({
      runbookId: 's',
      incidentId: declareIncident(s2, { channel: null }).id,
      requester: null,
    });
    await runToEnd(s2, run.id);
    const [a, b] = s2.engine.getRun(run.id)!.steps;
    assert.match(a!.error!, /^incident INC-\d+ has no Slack channel; set with\.channel$/);
    assert.equal(b!.error, 'channel: thread, but this run has no status message and no incident channel');
    assert.equal(slack.posted.length, 0);
  } finally {
    await s2.cleanup();
    await slack.close();
  }
});
