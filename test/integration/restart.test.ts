/**
 * Durability: the real bot process is killed with SIGKILL mid-run and started again on the same
 * SQLite file. The run must finish exactly once, with exactly one execute call to Harness and every
 * timeline event written exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { startHarnessFake } from '../fakes/harness-fake.ts';
import { startSlackFake } from '../fakes/slack-fake.ts';
import { spawnBot, waitFor } from '../support/bot-process.ts';
import { botEnv, prepareRollbackRuns } from '../support/bot-on-disk.ts';

function readRun(dbPath: string, runId: string) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const run = db.prepare('SELECT state FROM runs WHERE id = ?').get(runId) as { state: string };
    const steps = db
      .prepare('SELECT step_id, status, error FROM run_steps WHERE run_id = ? ORDER BY idx')
      .all(runId) as { step_id: string; status: string; error: string | null }[];
    const events = db.prepare('SELECT kind FROM timeline_events WHERE run_id = ? ORDER BY id').all(runId) as {
      kind: string;
    }[];
    return { state: run.state, steps, kinds: events.map((e) => e.kind) };
  } finally {
    db.close();
  }
}

test('kill -9 while waiting on Harness: the restarted bot finishes the run once, with one execute', async () => {
  const fake = await startHarnessFake();
  const slack = await startSlackFake();
  fake.program('rollback_service', { statuses: ['Running'] });
  const { tmp, runIds } = await prepareRollbackRuns(fake, 1);
  const runId = runIds[0]!;
  try {
    const env = botEnv(tmp.dir, fake, slack, 'restart-test-secret');
    const first = spawnBot(env);
    await waitFor(
      'the pipeline to be executed and polled',
      // Polls are detail reads or the batched execution-list reads (engine/watch-batcher.ts).
      () => fake.requestsTo('status').length + fake.requestsTo('list').length >= 2,
      20_000,
      first,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    assert.equal(readRun(env.DATABASE_PATH, runId).state, 'running');

    fake.setStatus(fake.executions()[0]!.id, 'Success');
    const second = spawnBot(env);
    await waitFor(
      'the run to finish',
      () => readRun(env.DATABASE_PATH, runId).state !== 'running',
      20_000,
      second,
    );
    second.child.kill('SIGTERM');
    await second.exited;

    const r = readRun(env.DATABASE_PATH, runId);
    assert.equal(r.state, 'succeeded');
    assert.equal(
      fake.requestsTo('execute').length,
      1,
      'never re-executes a pipeline that has an execution id',
    );
    assert.deepEqual(r.kinds, [
      'run.requested',
      'pipeline.started',
      'pipeline.finished',
      'custom',
      'step.skipped',
      'run.finished',
    ]);
  } finally {
    await fake.close();
    await slack.close();
    tmp.cleanup();
  }
});

test('kill -9 while the execute call is in flight: the step becomes unknown and is never re-sent', async () => {
  const fake = await startHarnessFake();
  // Harness accepts the execution at once but answers late: the bot dies before it hears back.
  fake.program('rollback_service', { statuses: ['Running', 'Success'], executeDelayMs: 60_000 });
  const slack = await startSlackFake();
  const { tmp, runIds } = await prepareRollbackRuns(fake, 1);
  const runId = runIds[0]!;
  try {
    const env = botEnv(tmp.dir, fake, slack, 'restart-test-secret');
    const first = spawnBot(env);
    await waitFor(
      'the execute call to reach Harness',
      () => fake.requestsTo('execute').length === 1,
      20_000,
      first,
    );
    first.child.kill('SIGKILL');
    await first.exited;

    const second = spawnBot(env);
    await waitFor(
      'the run to finish',
      () => readRun(env.DATABASE_PATH, runId).state !== 'running',
      20_000,
      second,
    );
    second.child.kill('SIGTERM');
    await second.exited;

    const r = readRun(env.DATABASE_PATH, runId);
    assert.equal(fake.requestsTo('execute').length, 1);
    assert.equal(r.steps[0]!.status, 'unknown');
    assert.match(r.steps[0]!.error!, /stopped while starting this step; it may or may not have started/);
    assert.equal(r.state, 'failed');
    assert.deepEqual(
      r.steps.map((s) => s.status),
      ['unknown', 'skipped', 'succeeded'],
    );
  } finally {
    await fake.close();
    await slack.close();
    tmp.cleanup();
  }
});
