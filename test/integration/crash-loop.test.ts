/**
 * Crash loop and graceful shutdown of the real bot process (`src/cli/main.ts start`, as `npm start`).
 * Crash loop: a batch of runs, the process killed with SIGKILL at random moments several times and
 * started again each time on the same SQLite file; at the end every run finished exactly once, each
 * pipeline was executed at most once (exactly once for every run that succeeded) and every timeline
 * event is there exactly once. SIGTERM: the bot exits 0 within 10 s and the next start resumes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startHarnessFake } from '../fakes/harness-fake.ts';
import { startSlackFake } from '../fakes/slack-fake.ts';
import { spawnBot, waitFor, type BotProcess } from '../support/bot-process.ts';
import { botEnv, prepareRollbackRuns } from '../support/bot-on-disk.ts';

function readRuns(dbPath: string) {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const runs = db.prepare('SELECT id, state FROM runs ORDER BY seq').all() as {
      id: string;
      state: string;
    }[];
    return runs.map((r) => ({
      ...r,
      steps: db.prepare('SELECT status FROM run_steps WHERE run_id = ? ORDER BY idx').all(r.id) as {
        status: string;
      }[],
      kinds: (
        db.prepare('SELECT kind FROM timeline_events WHERE run_id = ? ORDER BY id').all(r.id) as {
          kind: string;
        }[]
      ).map((e) => e.kind),
    }));
  } finally {
    db.close();
  }
}

const unfinished = (dbPath: string) =>
  readRuns(dbPath).filter((r) => ['pending', 'running', 'awaiting_approval'].includes(r.state)).length;

async function started(bot: BotProcess): Promise<void> {
  await waitFor('the bot to listen', () => bot.output().includes('runbook-bot listening'), 15_000, bot);
}

const SUCCEEDED_KINDS = [
  'run.requested',
  'pipeline.started',
  'pipeline.finished',
  'custom',
  'step.skipped',
  'run.finished',
];

test('crash loop: kill -9 at random points 4 times; every run finishes once, each pipeline runs once, no event lost or doubled', async () => {
  const fake = await startHarnessFake();
  const slack = await startSlackFake();
  // Executions finish by time (not per poll), so kills land before, during and after them.
  fake.program('rollback_service', {
    statuses: ['Running', 'Running', 'Running', 'Success'],
    advanceEveryMs: 600,
  });
  const { tmp, runIds } = await prepareRollbackRuns(fake, 6);
  const env = botEnv(tmp.dir, fake, slack, 'crash-loop-secret');
  try {
    const kills: number[] = [];
    for (let i = 0; i < 4 && unfinished(env.DATABASE_PATH) > 0; i++) {
      const bot = spawnBot(env);
      await started(bot);
      const after = 100 + Math.floor(Math.random() * 1200);
      kills.push(after);
      await new Promise((r) => setTimeout(r, after));
      bot.child.kill('SIGKILL');
      await bot.exited;
    }
    const last = spawnBot(env);
    await started(last);
    await waitFor('every run to finish', () => unfinished(env.DATABASE_PATH) === 0, 20_000, last);
    last.child.kill('SIGTERM');
    assert.equal(await last.exited, 0);

    const runs = readRuns(env.DATABASE_PATH);
    assert.deepEqual(
      runs.map((r) => r.id),
      runIds,
    );
    const executes = fake.requestsTo('execute');
    assert.equal(fake.executions().length, executes.length, 'no execute went unrecorded');
    for (const r of runs) {
      const mine = executes.filter((e) => (e.query.notesForPipelineExecution ?? '').includes(`${r.id} (`));
      const why = `${r.id} after kills at ${kills.join(', ')} ms: ${r.state} ${r.kinds.join(',')}`;
      assert.ok(mine.length <= 1, `at most one execute: ${why}`);
      assert.equal(new Set(r.kinds).size, r.kinds.length, `no doubled event: ${why}`);
      assert.equal(r.kinds[0], 'run.requested', why);
      assert.equal(r.kinds.at(-1), 'run.finished', why);
      if (r.state === 'succeeded') {
        assert.equal(mine.length, 1, `a succeeded run executed once: ${why}`);
        assert.deepEqual(r.kinds, SUCCEEDED_KINDS, why);
      } else {
        // Killed while its execute was in flight: reported unknown, never re-sent.
        assert.equal(r.state, 'failed', why);
        assert.equal(r.steps[0]!.status, 'unknown', why);
      }
    }
    assert.ok(
      runs.some((r) => r.state === 'succeeded'),
      'at least some runs got through',
    );
  } finally {
    await fake.close();
    await slack.close();
    tmp.cleanup();
  }
});

test('SIGTERM: the bot stops taking requests, exits 0 within 10 s, and the next start resumes the run', async () => {
  const fake = await startHarnessFake();
  const slack = await startSlackFake();
  fake.program('rollback_service', { statuses: ['Running'] });
  const { tmp, runIds } = await prepareRollbackRuns(fake, 1);
  const env = botEnv(tmp.dir, fake, slack, 'crash-loop-secret');
  try {
    const first = spawnBot(env);
    await started(first);
    await waitFor(
      'the pipeline to be polled',
      () => fake.requests.filter((r) => r.route === 'status' || r.route === 'list').length >= 2,
      15_000,
      first,
    );
    const sentAt = Date.now();
    first.child.kill('SIGTERM');
    const code = await first.exited;
    const took = Date.now() - sentAt;
    assert.equal(code, 0, first.output());
    assert.ok(took < 10_000, `exited after ${took} ms`);
    assert.match(first.output(), /"msg":"shutting down"/);
    assert.match(first.output(), /"msg":"stopped"/);
    assert.equal(readRuns(env.DATABASE_PATH)[0]!.state, 'running');

    fake.setStatus(fake.executions()[0]!.id, 'Success');
    const second = spawnBot(env);
    await waitFor('the run to finish', () => unfinished(env.DATABASE_PATH) === 0, 15_000, second);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
    const run = readRuns(env.DATABASE_PATH)[0]!;
    assert.equal(run.id, runIds[0]);
    assert.equal(run.state, 'succeeded');
    assert.deepEqual(run.kinds, SUCCEEDED_KINDS);
    assert.equal(fake.requestsTo('execute').length, 1);
  } finally {
    await fake.close();
    await slack.close();
    tmp.cleanup();
  }
});
