/**
 * The running app's operator surface: /metrics after real runs, /readyz (database writability),
 * Slack replay refusal in front of Bolt, and manifest reloads on file change that keep running
 * runs on their snapshot and refuse a broken change.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startBot, SIGNING_SECRET } from '../support/bot-app.ts';
import { signedPost, slashCommandBody, eventsUrl } from '../support/slack-requests.ts';
import { probeRunbook, openIncident, startProbe, until } from '../support/ops-setup.ts';

const metricValue = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('GET /metrics counts runs by runbook and state, steps, Harness and Slack requests; /readyz checks writes', async () => {
  const bot = await startBot({ extraManifests: { 'probe.yaml': probeRunbook() } });
  try {
    bot.harness.program('ops_probe', { statuses: ['Running', 'Success'] });
    const incident = await openIncident(bot);
    const runId = startProbe(bot, incident);
    await until('the run to succeed', () => bot.app.store.runs.get(runId)?.state === 'succeeded');
    await bot.app.publisher.idle();

    const res = await fetch(`${bot.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.equal(metricValue(text, 'runbook_bot_runs{runbook="ops-probe",state="succeeded"}'), 1);
    assert.equal(metricValue(text, 'runbook_bot_pending_approvals'), 0);
    assert.equal(
      metricValue(text, 'runbook_bot_harness_requests_total{method="POST",operation="execute",status="200"}'),
      1,
    );
    // Status reads: one detail call per run, or batched execution-list calls per project.
    const reads = text
      .split('\n')
      .filter((l) =>
        /^runbook_bot_harness_requests_total\{.*operation="(status|list)",status="200"\}/.test(l),
      );
    assert.ok(reads.length >= 1, text);
    assert.equal(
      metricValue(
        text,
        'runbook_bot_step_duration_seconds_count{uses="harness.pipeline",status="succeeded"}',
      ),
      1,
    );
    assert.ok(
      (metricValue(text, 'runbook_bot_slack_requests_total{method="chat.postMessage",status="ok"}') ?? 0) >=
        1,
    );
    assert.ok(metricValue(text, 'runbook_bot_poll_lag_seconds') !== undefined);
    assert.match(text, /^runbook_bot_process_resident_memory_bytes \d+/m);

    const ready = await fetch(`${bot.url}/readyz`);
    assert.equal(ready.status, 200);
    const body = (await ready.json()) as { ok: boolean; checks: Record<string, string> };
    assert.equal(body.checks.database, 'ok');
    assert.match(body.checks.manifests!, /\d+ runbooks/);

    // Another connection holds the write lock: not ready, saying why; ready again once released.
    const other = new Database(join(bot.dir, 'bot.db'));
    other.exec('BEGIN IMMEDIATE');
    const locked = await fetch(`${bot.url}/readyz`);
    assert.equal(locked.status, 503);
    assert.match(((await locked.json()) as { checks: { database: string } }).checks.database, /locked/);
    other.exec('ROLLBACK');
    other.close();
    assert.equal((await fetch(`${bot.url}/readyz`)).status, 200);
  } finally {
    await bot.stop();
  }
});

test('a replayed signed slash command is refused before Bolt; a fresh signature for the same text passes', async () => {
  const bot = await startBot();
  try {
    const body = slashCommandBody({ command: '/runbook', text: 'help', channel_id: 'C111', user_id: 'W111' });
    const ts = Math.floor(Date.now() / 1000);
    const form = 'application/x-www-form-urlencoded';
    const first = await signedPost(eventsUrl(bot.url), SIGNING_SECRET, body, form, { timestamp: ts });
    assert.equal(first.status, 200);
    assert.match(first.body, /runbook/i);
    const replay = await signedPost(eventsUrl(bot.url), SIGNING_SECRET, body, form, { timestamp: ts });
    assert.equal(replay.status, 401);
    assert.match(replay.body, /replayed/);
    // A new delivery (new timestamp, so a new signature) is a new request.
    const again = await signedPost(eventsUrl(bot.url), SIGNING_SECRET, body, form, { timestamp: ts - 1 });
    assert.equal(again.status, 200);
    // A forged signature is still Bolt's to refuse.
    const forged = await signedPost(eventsUrl(bot.url), SIGNING_SECRET, body, form, { badSignature: true });
    assert.equal(forged.status, 401);
  } finally {
    await bot.stop();
  }
});

test('manifests reload on change: new runs use the new set, a running run keeps its snapshot, a broken change is refused', async () => {
  const bot = await startBot({ extraManifests: { 'probe.yaml': probeRunbook() } });
  try {
    bot.harness.program('ops_probe', { statuses: ['Running'] });
    bot.harness.program('ops_probe_v2', { statuses: ['Running', 'Success'] });
    const incident = await openIncident(bot);
    const oldRun = startProbe(bot, incident);
    await until('the first execute', () => bot.harness.requestsTo('execute').length === 1);

    // Edit the runbook on disk: the watcher validates and swaps in the new set.
    writeFileSync(join(bot.dir, 'manifests', 'probe.yaml'), probeRunbook('ops-probe', 'ops_probe_v2'));
    await until('the reload', () => {
      const rb = bot.app.manifests.get().runbooks.get('ops-probe');
      return rb?.steps[0]?.uses === 'harness.pipeline' && rb.steps[0].with.pipeline === 'ops_probe_v2';
    });
    const newRun = startProbe(bot, incident);
    await until('the new run to succeed', () => bot.app.store.runs.get(newRun)?.state === 'succeeded');
    const executes = bot.harness.requestsTo('execute').map((r) => r.path);
    assert.match(executes[0]!, /ops_probe$/);
    assert.match(executes[1]!, /ops_probe_v2$/);
    const old = bot.app.store.runs.get(oldRun)!;
    assert.equal(old.state, 'running');
    assert.equal(
      old.runbook.steps[0]!.uses === 'harness.pipeline' && old.runbook.steps[0]!.with.pipeline,
      'ops_probe',
    );
    bot.harness.setStatus(bot.harness.executions()[0]!.id, 'Success');
    await until(
      'the old run to succeed on its snapshot',
      () => bot.app.store.runs.get(oldRun)?.state === 'succeeded',
    );

    // A broken edit: the last good set stays, /readyz and /metrics say a reload was refused.
    writeFileSync(join(bot.dir, 'manifests', 'probe.yaml'), 'kind: Runbook\nid: ops-probe\nsteps: nope\n');
    await until('the refused reload', () => bot.app.manifests.lastErrors().length > 0);
    assert.ok(bot.app.manifests.get().runbooks.has('ops-probe'));
    assert.match(bot.app.manifests.lastErrors().join('\n'), /probe\.yaml/);
    const ready = (await (await fetch(`${bot.url}/readyz`)).json()) as { checks: { manifests: string } };
    assert.match(ready.checks.manifests, /last reload refused/);
    const text = await (await fetch(`${bot.url}/metrics`)).text();
    assert.ok((metricValue(text, 'runbook_bot_manifest_reloads_total{result="invalid"}') ?? 0) >= 1);
    assert.ok((metricValue(text, 'runbook_bot_manifest_reloads_total{result="ok"}') ?? 0) >= 1);
  } finally {
    await bot.stop();
  }
});
