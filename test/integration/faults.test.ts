/**
 * Fault tolerance of the running app: Harness answering nginx HTML 502s for a while (no run fails,
 * the thread says once that Harness is unreachable), and SQLite busy because another process holds
 * the write lock for about a second (writes wait and succeed, nothing is lost).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { startBot } from '../support/bot-app.ts';
import { probeRunbook, openIncident, startProbe, until } from '../support/ops-setup.ts';

test('Harness answers HTML 502 for a while, then recovers: the run succeeds, the thread says "unreachable, retrying" once', async () => {
  const bot = await startBot({ extraManifests: { 'probe.yaml': probeRunbook() } });
  try {
    bot.harness.program('ops_probe', { statuses: ['Running', 'Running', 'Success'] });
    const incident = await openIncident(bot);
    const runId = startProbe(bot, incident);
    await until('the execute', () => bot.harness.requestsTo('execute').length === 1);
    // Every status read (batched list or detail) fails with nginx's HTML page for a while.
    bot.harness.failNext('list', 6, 'html502');
    bot.harness.failNext('status', 6, 'html502');
    const seen = new Set<string>();
    await until(
      'the run to finish',
      () => {
        const step = bot.app.store.runs.steps(runId)[0];
        if (step?.error) seen.add(step.error);
        return bot.app.store.runs.get(runId)?.state !== 'running';
      },
      28_000,
    );
    assert.equal(bot.app.store.runs.get(runId)!.state, 'succeeded');
    assert.ok(
      [...seen].some((e) => /^status check failed, retrying: .*502/.test(e)),
      `the step showed the retry: ${[...seen].join(' | ')}`,
    );
    const retrying = bot.app.store.timeline.forRun(runId).filter((e) => e.kind === 'step.check_retrying');
    assert.equal(retrying.length, 1, 'one notice per outage, not one per poll');
    assert.match(retrying[0]!.text, /^Harness unreachable, retrying/);
    assert.equal(bot.harness.requestsTo('execute').length, 1);

    await bot.app.publisher.idle();
    const channel = bot.app.store.incidents.get(incident)!.channel!;
    const root = bot.slack.messages(channel).find((m) => m.ts === bot.app.store.runMessages.get(runId)!.ts)!;
    const notices = root.replies.filter((r) => r.text.includes('Harness unreachable, retrying'));
    assert.equal(notices.length, 1, root.replies.map((r) => r.text).join('\n'));
  } finally {
    await bot.stop();
  }
});

/** Another thread (its own SQLite connection, like another process) holds the write lock for `ms`. */
function holdWriteLock(dbPath: string, ms: number): Promise<void> {
  const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require(workerData.sqlite);
     const db = new Database(workerData.dbPath);
     db.exec('BEGIN IMMEDIATE');
     parentPort.postMessage('locked');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.ms);
     db.exec('COMMIT');
     db.close();`,
    { eval: true, workerData: { sqlite, dbPath, ms } },
  );
  return new Promise((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
}

test('SQLite busy: another connection holds the write lock for ~1 s; API writes and run steps wait and succeed', async () => {
  const bot = await startBot({ extraManifests: { 'probe.yaml': probeRunbook() } });
  try {
    bot.harness.program('ops_probe', { statuses: ['Running', 'Success'] });
    const incident = await openIncident(bot);
    const runs = [startProbe(bot, incident), startProbe(bot, incident)];
    await until('both executes', () => bot.harness.requestsTo('execute').length === 2);

    await holdWriteLock(join(bot.dir, 'bot.db'), 1000);
    const started = Date.now();
    const created = await bot.api('POST', '/api/incidents', { summary: 'During the lock', severity: 'P4' });
    const waited = Date.now() - started;
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.ok(waited >= 300, `the write waited for the lock (${waited} ms)`);

    await until('both runs to finish', () =>
      runs.every((id) => bot.app.store.runs.get(id)?.state !== 'running'),
    );
    for (const id of runs) {
      assert.equal(bot.app.store.runs.get(id)!.state, 'succeeded');
      const kinds = bot.app.store.timeline.forRun(id).map((e) => e.kind);
      assert.deepEqual(kinds, ['run.requested', 'pipeline.started', 'pipeline.finished', 'run.finished']);
    }
    assert.equal(bot.harness.requestsTo('execute').length, 2);
    assert.ok(
      bot.app.store.incidents.get((created.json as { id: string }).id),
      'the incident written under contention is there',
    );
  } finally {
    await bot.stop();
  }
});
