/**
 * After a restart with many waiting pipelines, the watcher knows them all before their first
 * read (expectWaitingSteps), so they are read again in a few full list calls — not one small call
 * per engine worker batch, and never one detail call per run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBot } from '../support/bot-app.ts';

const RUNBOOK = `kind: Runbook
id: restart-watch
name: Restart watch
steps:
  - id: deploy
    uses: harness.pipeline
    with:
      org: default
      project: restartproj
      pipeline: restart_pipe
      mode: wait
      timeout: 30m
      inputs: |
        pipeline:
          identifier: restart_pipe
`;

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

test('120 waiting runs after a restart are read again in 2 list calls naming them', async () => {
  const bot = await startBot({
    extraManifests: { 'restart.yaml': RUNBOOK },
    env: { POLL_INTERVAL_MS: '60000' },
  });
  try {
    bot.harness.program('restart_pipe', { statuses: ['Running'] });
    const runs = bot.app.store.tx(() =>
      Array.from({ length: 120 }, () =>
        bot.app.engine.startRun({ runbookId: 'restart-watch', requester: 'U0R' }),
      ),
    );
    bot.app.scheduler.kick();
    const db = () => bot.app.store.db;
    const waiting = () =>
      (
        db()
          .prepare(`SELECT COUNT(*) AS n FROM run_steps WHERE status = 'running' AND external_id IS NOT NULL`)
          .get() as { n: number }
      ).n;
    assert.ok(await until(() => waiting() === runs.length, 15_000), 'all pipelines executed');
    // Everything comes due together just after the restart (the old process stops before that).
    const dueAt = Date.now() + 1500;
    db().prepare(`UPDATE run_steps SET next_attempt_at = ? WHERE status = 'running'`).run(dueAt);
    const lists = bot.harness.requestsTo('list').length;
    const details = bot.harness.requestsTo('status').length;
    await bot.restart();
    assert.ok(Date.now() < dueAt, 'restarted before the steps came due');
    const reread = () =>
      (
        db()
          .prepare(`SELECT COUNT(*) AS n FROM run_steps WHERE status = 'running' AND next_attempt_at > ?`)
          .get(dueAt) as { n: number }
      ).n;
    assert.ok(await until(() => reread() === runs.length, 15_000), 'every run read again');
    const calls = bot.harness.requestsTo('list').slice(lists);
    assert.equal(calls.length, 2, '120 ids at 100 per call');
    const named = calls.flatMap(
      (c) => (JSON.parse(c.body) as { planExecutionIds: string[] }).planExecutionIds,
    );
    const ids = runs.map((r) => bot.app.store.runs.steps(r.id)[0]!.externalId!);
    assert.deepEqual(new Set(named), new Set(ids));
    assert.equal(bot.harness.requestsTo('status').length, details, 'no detail call');
  } finally {
    await bot.stop();
  }
});
