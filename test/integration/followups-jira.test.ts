import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runbookFromYaml, runToEnd } from '../support/engine-setup.ts';
import { declareIncident, setupFollowups } from '../support/followups-setup.ts';
import { startJiraFake, isValidAdf, type JiraFake } from '../fakes/jira-fake.ts';
import { adfText } from '../../src/engine/actions/jira/adf.ts';

function jiraEnv(jira: JiraFake, over: Record<string, string> = {}) {
  return { JIRA_BASE_URL: jira.url, JIRA_EMAIL: jira.email, JIRA_API_TOKEN: jira.token, ...over };
}

const RUNBOOK = `kind: Runbook
id: tell-jira
name: Tell Jira
steps:
  - id: comment
    uses: jira.comment
    with:
      issue: "{{ incident.fields.jira_key }}"
      body: |
        Rolled back {{ incident.service }} by {{ run.requester }}.
        Execution: https://app.harness.io/ng/executions/abc.

        Second paragraph with <b>markup</b> & "quotes".
  - id: close
    uses: jira.transition
    with: { issue: "{{ incident.fields.jira_key }}", transition: done }
`;

test('jira: an ADF comment (paragraphs, line breaks, links, marker) then a transition by name', async () => {
  const jira = await startJiraFake();
  const issue = jira.addIssue('OPS-42', 'In Progress');
  const s = await setupFollowups([runbookFromYaml(RUNBOOK)], { env: jiraEnv(jira) });
  try {
    const inc = declareIncident(s, { fields: { jira_key: 'OPS-42' } });
    const run = s.engine.startRun({ runbookId: 'tell-jira', incidentId: inc.id, requester: 'U123' });
    await runToEnd(s, run.id);
    const { run: done, steps } = s.engine.getRun(run.id)!;
    assert.equal(done.state, 'succeeded', steps.map((x) => x.error).join(' | '));
    assert.equal(issue.comments.length, 1);
    const body = issue.comments[0]!.body as {
      content: { content: { type: string; text?: string; marks?: unknown }[] }[];
    };
    assert.ok(isValidAdf(body));
    assert.equal(body.content.length, 3, 'two paragraphs and the marker');
    assert.deepEqual(body.content[0]!.content, [
      { type: 'text', text: 'Rolled back checkout by U123.' },
      { type: 'hardBreak' },
      { type: 'text', text: 'Execution: ' },
      {
        type: 'text',
        text: 'https://app.harness.io/ng/executions/abc',
        marks: [{ type: 'link', attrs: { href: 'https://app.harness.io/ng/executions/abc' } }],
      },
      { type: 'text', text: '.' },
    ]);
    assert.equal(body.content[1]!.content[0]!.text, 'Second paragraph with <b>markup</b> & "quotes".');
    assert.equal(adfText(body.content[2]), `runbook-bot ${run.id}/comment\n`);
    assert.equal(issue.status, 'Done');
    const posts = jira.requestsTo('transition');
    assert.equal(posts.length, 1);
    assert.deepEqual(JSON.parse(posts[0]!.body), { transition: { id: '31' } });
    assert.equal(jira.requestsTo('comments').length, 0, 'no marker lookup on a first attempt');
    assert.equal(steps[0]!.url, `${jira.url}/browse/OPS-42?focusedCommentId=${issue.comments[0]!.id}`);
    assert.deepEqual(steps[1]!.output, {
      issue: 'OPS-42',
      transition: 'Done',
      from: 'In Progress',
      status: 'Done',
      already: false,
    });
    const texts = s.store.timeline
      .forIncident(inc.id)
      .filter((e) => e.kind === 'followup.done')
      .map((e) => e.text);
    assert.deepEqual(texts, [
      `Jira OPS-42: comment added: ${steps[0]!.url}`,
      `Jira OPS-42: In Progress → Done (Done): ${jira.url}/browse/OPS-42`,
    ]);
  } finally {
    await s.cleanup();
    await jira.close();
  }
});

test('jira: the answer to a comment is lost (504 after Jira saved it) — the retry finds the marker, posts nothing', async () => {
  const jira = await startJiraFake();
  const issue = jira.addIssue('OPS-7');
  jira.inject('comment', 1, { afterProcessing: { status: 504, body: 'Gateway Timeout' } });
  const s = await setupFollowups([runbookFromYaml(RUNBOOK)], { env: jiraEnv(jira) });
  try {
    const inc = declareIncident(s, { fields: { jira_key: 'OPS-7' } });
    const run = s.engine.startRun({ runbookId: 'tell-jira', incidentId: inc.id, requester: 'U1' });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'succeeded');
    assert.equal(step.attempts, 2);
    assert.equal(issue.comments.length, 1, 'posted once');
    assert.equal(jira.requestsTo('comment').length, 1);
    assert.equal(jira.requestsTo('comments').length, 1);
    assert.deepEqual(step.output, {
      issue: 'OPS-7',
      comment_id: issue.comments[0]!.id,
      already_posted: true,
    });
  } finally {
    await s.cleanup();
    await jira.close();
  }
});

test('jira: already in the target status → succeeds without transitioning', async () => {
  const jira = await startJiraFake();
  jira.addIssue('OPS-9', 'Done');
  const rb = runbookFromYaml(`kind: Runbook
id: close
name: Close
steps:
  - id: close
    uses: jira.transition
    with: { issue: OPS-9, transition: Done }
`);
  const s = await setupFollowups([rb], { env: jiraEnv(jira) });
  try {
    const run = s.engine.startRun({ runbookId: 'close', incidentId: declareIncident(s).id, requester: null });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'succeeded', step.error ?? '');
    assert.deepEqual(step.output, { issue: 'OPS-9', status: 'Done', already: true });
    assert.equal(jira.requestsTo('transition').length, 0);
  } finally {
    await s.cleanup();
    await jira.close();
  }
});

test('jira: final failures carry Jira’s own message — unknown transition, unknown issue, bad token, empty key', async () => {
  const jira = await startJiraFake();
  jira.addIssue('OPS-1', 'To Do');
  const rb = runbookFromYaml(`kind: Runbook
id: bad
name: Bad
steps:
  - { id: no-such-transition, uses: jira.transition, continue_on_error: true, with: { issue: OPS-1, transition: Deploy } }
  - { id: no-such-issue, uses: jira.comment, continue_on_error: true, with: { issue: OPS-404, body: hi } }
  - { id: empty-key, uses: jira.comment, continue_on_error: true, with: { issue: "{{ incident.fields.jira_key }}", body: hi } }
`);
  const s = await setupFollowups([rb], { env: jiraEnv(jira) });
  try {
    const run = s.engine.startRun({ runbookId: 'bad', incidentId: declareIncident(s).id, requester: null });
    await runToEnd(s, run.id);
    const [t, i, k] = s.engine.getRun(run.id)!.steps;
    assert.equal(t!.status, 'failed');
    assert.equal(
      t!.error,
      'Jira OPS-1 is "To Do" and has no transition named "Deploy"; available: "Start Progress" (→ In Progress), "Done" (→ Done)',
    );
    assert.equal(i!.status, 'failed');
    assert.equal(
      i!.error,
      'Jira answered 404 Not Found to POST /rest/api/3/issue/OPS-404/comment: Issue does not exist or you do not have permission to see it.',
    );
    assert.equal(k!.status, 'failed');
    assert.match(k!.error!, /^with\.issue is empty: incident\.fields\.jira_key has no value/);
    assert.equal(jira.requestsTo('transition').length, 0);
  } finally {
    await s.cleanup();
  }

  const s2 = await setupFollowups([runbookFromYaml(RUNBOOK)], {
    env: jiraEnv(jira, { JIRA_API_TOKEN: 'wrong-token-123' }),
  });
  try {
    const inc = declareIncident(s2, { fields: { jira_key: 'OPS-1' } });
    const run = s2.engine.startRun({ runbookId: 'tell-jira', incidentId: inc.id, requester: null });
    await runToEnd(s2, run.id);
    const step = s2.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'failed');
    assert.equal(step.attempts, 1);
    assert.equal(
      step.error,
      'Jira answered 401 Unauthorized to POST /rest/api/3/issue/OPS-1/comment: Client must be authenticated to access this resource.',
    );
    assert.equal(s2.engine.getRun(run.id)!.steps[1]!.status, 'skipped');
  } finally {
    await s2.cleanup();
    await jira.close();
  }
});

test('jira: 429 with Retry-After is waited out, then the comment is posted once', async () => {
  const jira = await startJiraFake();
  const issue = jira.addIssue('OPS-5');
  jira.inject('comment', 1, {
    status: 429,
    body: { errorMessages: ['Rate limit exceeded.'], errors: {} },
    headers: { 'retry-after': '20' },
  });
  const s = await setupFollowups([runbookFromYaml(RUNBOOK)], { env: jiraEnv(jira) });
  try {
    const inc = declareIncident(s, { fields: { jira_key: 'OPS-5' } });
    const run = s.engine.startRun({ runbookId: 'tell-jira', incidentId: inc.id, requester: null });
    const t0 = s.clock.now();
    await s.engine.drain();
    const pending = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(pending.nextAttemptAt, t0 + 20_000);
    assert.match(
      pending.error!,
      /Jira answered 429 Too Many Requests to POST \/rest\/api\/3\/issue\/OPS-5\/comment: Rate limit exceeded\./,
    );
    await runToEnd(s, run.id);
    assert.equal(issue.comments.length, 1);
    assert.equal(s.store.runs.get(run.id)!.state, 'succeeded');
  } finally {
    await s.cleanup();
    await jira.close();
  }
});

test('jira: missing configuration names every missing variable', async () => {
  const jira = await startJiraFake();
  const s = await setupFollowups([runbookFromYaml(RUNBOOK)], { env: { JIRA_BASE_URL: jira.url } });
  try {
    const inc = declareIncident(s, { fields: { jira_key: 'OPS-1' } });
    const run = s.engine.startRun({ runbookId: 'tell-jira', incidentId: inc.id, requester: null });
    await runToEnd(s, run.id);
    const step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.errorCode, 'CONFIG_INVALID');
    assert.match(step.error!, /^Jira needs JIRA_EMAIL, JIRA_API_TOKEN in the environment/);
    assert.equal(jira.requests.length, 0);
  } finally {
    await s.cleanup();
    await jira.close();
  }
});

test('jira fake: refuses what Jira refuses (plain-string body, empty text node, unknown mark)', async () => {
  const jira = await startJiraFake();
  jira.addIssue('OPS-1');
  try {
    const auth = `Basic ${Buffer.from(`${jira.email}:${jira.token}`).toString('base64')}`;
    const post = (body: unknown) =>
      fetch(`${jira.url}/rest/api/3/issue/OPS-1/comment`, {
        method: 'POST',
        headers: { Authorization: auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({ body }),
      });
    for (const bad of [
      'plain text',
      { type: 'doc', version: 1, content: [{ type: 'paragraph', content: [{ type: 'text', text: '' }] }] },
      {
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x', marks: [{ type: 'blink' }] }] }],
      },
    ]) {
      const r = await post(bad);
      assert.equal(r.status, 400);
      assert.deepEqual(await r.json(), {
        errorMessages: [],
        errors: { comment: 'Comment body is not valid!' },
      });
    }
    const ok = await post({
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x' }] }],
    });
    assert.equal(ok.status, 201);
    const noAuth = await fetch(`${jira.url}/rest/api/3/issue/OPS-1/transitions`);
    assert.equal(noAuth.status, 401);
  } finally {
    await jira.close();
  }
});
