/**
 * Restart between "attempted" and "done": the real bot process is killed with SIGKILL while a Jira
 * comment and then a status-page webhook are in flight (the target has done the work, its answer
 * has not arrived), and started again on the same SQLite file. The comment is not posted twice
 * (marker found); the webhook is redelivered with the same Idempotency-Key and the receiver applies
 * it once; the transition in between happens once; the run finishes exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { spawnBot, waitFor, type BotProcess } from '../support/bot-process.ts';
import { runbookFromYaml } from '../support/engine-setup.ts';
import { declareIncident, setupFollowups } from '../support/followups-setup.ts';
import { tempDir } from '../support/tmp.ts';
import { startJiraFake } from '../fakes/jira-fake.ts';
import { startWebhookFake } from '../fakes/webhook-fake.ts';
import { startSlackFake } from '../fakes/slack-fake.ts';

const TYPE = `kind: IncidentType\nid: ops\nname: Ops\nfields: [{ name: jira_key }]\n`;
const RUNBOOK = `kind: Runbook
id: close-out
name: Close out
context: { incidentType: ops }
steps:
  - id: comment
    uses: jira.comment
    with: { issue: "{{ incident.fields.jira_key }}", body: "Rolled back {{ incident.service }}." }
  - id: resolve
    uses: jira.transition
    with: { issue: "{{ incident.fields.jira_key }}", transition: Done }
  - id: status-page
    uses: webhook
    with: { url_env: STATUSPAGE_WEBHOOK_URL, secret_env: STATUSPAGE_WEBHOOK_SECRET, body: { status: resolved, incident: "{{ incident.id }}" } }
`;

function readRun(dbPath: string, runId: string) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const run = db.prepare('SELECT state FROM runs WHERE id = ?').get(runId) as { state: string };
    const steps = db
      .prepare('SELECT step_id, status, attempts, output_json FROM run_steps WHERE run_id = ? ORDER BY idx')
      .all(runId) as { step_id: string; status: string; attempts: number; output_json: string | null }[];
    const kinds = (
      db.prepare('SELECT kind FROM timeline_events WHERE run_id = ? ORDER BY id').all(runId) as {
        kind: string;
      }[]
    ).map((e) => e.kind);
    return { state: run.state, steps, kinds };
  } finally {
    db.close();
  }
}

async function kill(bot: BotProcess): Promise<void> {
  bot.child.kill('SIGKILL');
  await bot.exited;
}

test('kill -9 mid-call, twice: Jira comment once, transition once, webhook applied once with one key', async () => {
  const jira = await startJiraFake();
  const issue = jira.addIssue('OPS-77', 'In Progress');
  const hook = await startWebhookFake({ secret: 'whsec-restart-1234' });
  const slack = await startSlackFake();
  const tmp = tempDir();
  try {
    mkdirSync(join(tmp.dir, 'manifests'));
    writeFileSync(join(tmp.dir, 'manifests', 'close-out.yaml'), `${TYPE}---\n${RUNBOOK}`);
    // Record the run the way a request would; the bot processes it.
    const s = await setupFollowups([runbookFromYaml(RUNBOOK)], {}, { dir: tmp.dir });
    s.clock.t = Date.now();
    const inc = declareIncident(s, { fields: { jira_key: 'OPS-77' } });
    const runId = s.engine.startRun({ runbookId: 'close-out', incidentId: inc.id, requester: 'U1' }).id;
    await s.fake.close();
    s.store.close();

    const env = {
      DATABASE_PATH: join(tmp.dir, 'bot.db'),
      MANIFESTS_DIR: join(tmp.dir, 'manifests'),
      POLL_INTERVAL_MS: '100',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: 'restart-test-signing-secret',
      SLACK_API_URL: slack.url,
      JIRA_BASE_URL: jira.url,
      JIRA_EMAIL: jira.email,
      JIRA_API_TOKEN: jira.token,
      STATUSPAGE_WEBHOOK_URL: `${hook.url}/statuspage`,
      STATUSPAGE_WEBHOOK_SECRET: 'whsec-restart-1234',
    };

    // 1. Jira saves the comment but its answer never arrives before the crash.
    jira.inject('comment', 1, { lateMs: 60_000 });
    const first = spawnBot(env);
    await waitFor('the comment to reach Jira', () => issue.comments.length === 1, 20_000, first);
    await kill(first);
    assert.equal(readRun(env.DATABASE_PATH, runId).steps[0]!.status, 'running');

    // 2. Restart: the comment is found by its marker, the transition runs, then the webhook is cut off.
    hook.inject('deliver', 1, { lateMs: 60_000 });
    const second = spawnBot(env);
    await waitFor('the status page to receive the update', () => hook.requests.length === 1, 20_000, second);
    await kill(second);
    assert.equal(readRun(env.DATABASE_PATH, runId).steps[2]!.status, 'running');

    // 3. Restart: the webhook is redelivered with the same key; the receiver applies it once.
    const third = spawnBot(env);
    await waitFor(
      'the run to finish',
      () => readRun(env.DATABASE_PATH, runId).state !== 'running',
      20_000,
      third,
    );
    third.child.kill('SIGTERM');
    await third.exited;

    const r = readRun(env.DATABASE_PATH, runId);
    assert.equal(r.state, 'succeeded', JSON.stringify(r.steps));
    assert.equal(issue.comments.length, 1, 'the comment was posted once');
    assert.equal(jira.requestsTo('comment').length, 1, 'and POSTed once');
    assert.deepEqual(JSON.parse(r.steps[0]!.output_json!).already_posted, true);
    assert.equal(r.steps[0]!.attempts, 2);
    assert.equal(issue.status, 'Done');
    assert.equal(jira.requestsTo('transition').length, 1);
    assert.equal(hook.requests.length, 2);
    assert.deepEqual(
      hook.requests.map((q) => q.headers['idempotency-key']),
      [`${runId}:status-page`, `${runId}:status-page`],
    );
    assert.equal(hook.applied.length, 1);
    assert.equal(hook.duplicates.length, 1);
    assert.deepEqual(r.kinds, [
      'run.requested',
      'followup.done',
      'followup.done',
      'followup.done',
      'run.finished',
    ]);
  } finally {
    await Promise.all([jira.close(), hook.close(), slack.close()]);
    tmp.cleanup();
  }
});
