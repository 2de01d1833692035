/**
 * Observability and hardening parts on their own: the replay guard, request counters, the step
 * observer, the DB writability probe, the live manifest catalog and the shutdown budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { createReplayGuard, guardReplays, REPLAY_WINDOW_MS } from '../../src/observability/replay-guard.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { countHarnessRequest, harnessOperation } from '../../src/observability/harness-requests.ts';
import { slackOutcome } from '../../src/observability/slack-requests.ts';
import { observingNotifier } from '../../src/observability/step-observer.ts';
import { checkDbWritable, readiness, trackSocket } from '../../src/observability/readiness.ts';
import { gracefulShutdown } from '../../src/observability/shutdown.ts';
import { liveCatalog } from '../../src/manifests/watch.ts';
import { createLogger } from '../../src/log.ts';
import { tempDir } from '../support/tmp.ts';
import type { RunRecord, StepRecord } from '../../src/store/index.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';

function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { log: createLogger('debug', dest), lines };
}

test('replay guard: a signature+timestamp passes once inside the window, again after it, and the set stays bounded', () => {
  const g = createReplayGuard(3);
  const t0 = 1_000_000;
  assert.equal(g.admit('v0=aa', 100, t0), true);
  assert.equal(g.admit('v0=aa', 100, t0 + 1000), false, 'replay inside the window');
  assert.equal(g.admit('v0=aa', 101, t0 + 1000), true, 'another timestamp is another request');
  assert.equal(g.admit('v0=bb', 100, t0 + 1000), true);
  assert.equal(g.admit('v0=aa', 100, t0 + REPLAY_WINDOW_MS + 2000), true, 'forgotten after the window');
  for (let i = 0; i < 50; i++) g.admit(`v0=${i}`, 1, t0 + REPLAY_WINDOW_MS + 3000);
  assert.ok(g.size() <= 3, `size ${g.size()}`);
});

test('replay guard: real Slack signatures (v0= + 64 hex) are held for at least the whole window, by a compact key', () => {
  const g = createReplayGuard();
  const sig = (n: number) => `v0=${n.toString(16).padStart(4, '0').repeat(16)}`;
  const t0 = 1_700_000_000_123;
  assert.equal(g.admit(sig(1), 1_700_000_000, t0), true);
  assert.equal(g.admit(sig(2), 1_700_000_000, t0), true, 'another signature is another request');
  assert.equal(g.admit(sig(1), 1_700_000_000, t0 + 1), false, 'replay');
  assert.equal(
    g.admit(sig(1), 1_700_000_000, t0 + REPLAY_WINDOW_MS),
    false,
    'still held at the end of the window',
  );
  assert.equal(g.admit(sig(1), 1_700_000_000, t0 + REPLAY_WINDOW_MS + 1001), true, 'forgotten after it');
  // Slack's clock ahead of ours: Bolt accepts the request until its timestamp is 5 minutes old by
  // our clock, so the entry is held that long; a forged far-future timestamp pins nothing past 60 s.
  const skew = createReplayGuard();
  const ahead = 1_700_000_030; // 30 s ahead of t0
  assert.equal(skew.admit(sig(4), ahead, t0), true);
  assert.equal(skew.admit(sig(5), 1_800_000_000, t0), true);
  assert.equal(skew.admit(sig(4), ahead, (ahead + 300) * 1000), false, 'held until Bolt stops accepting it');
  assert.equal(skew.admit(sig(4), ahead, (ahead + 302) * 1000), true);
  assert.equal(
    skew.admit(sig(5), 1_800_000_000, t0 + REPLAY_WINDOW_MS + 62_000),
    true,
    'capped at 60 s ahead',
  );
  // Upper-case hex is not what Slack sends (Bolt refuses it); it is still guarded, by its exact text.
  const upper = sig(3).toUpperCase().replace('V0=', 'v0=');
  assert.equal(g.admit(upper, 1, t0), true);
  assert.equal(g.admit(upper, 1, t0 + 1), false);
});

test('guardReplays answers 401 to the second identical signed request and lets retries and unsigned ones through', () => {
  let handled = 0;
  let replays = 0;
  const handler = guardReplays(() => void handled++, { now: () => 5000, onReplay: () => void replays++ });
  const call = (headers: Record<string, string>) => {
    const req = Object.assign(new EventEmitter(), { headers, url: '/slack/events', resume() {} });
    let status = 0;
    let body = '';
    const res = { writeHead: (s: number) => ((status = s), res), end: (b: string) => void (body = b) };
    handler(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    return { status, body };
  };
  const signed = { 'x-slack-signature': 'v0=abc', 'x-slack-request-timestamp': '1700000000' };
  assert.equal(call(signed).status, 0);
  const again = call(signed);
  assert.equal(again.status, 401);
  assert.match(again.body, /replayed/);
  assert.equal(call({ ...signed, 'x-slack-retry-num': '1' }).status, 0, 'Events API retries pass');
  assert.equal(call({}).status, 0, 'unsigned requests go to Bolt, which refuses them');
  assert.equal(handled, 3);
  assert.equal(replays, 1);
});

test('Harness and Slack request counters: bounded labels and Slack outcomes', async () => {
  assert.equal(harnessOperation('/pipeline/api/pipeline/execute/rollback'), 'execute');
  assert.equal(harnessOperation('/pipeline/api/pipeline/execute/interrupt/abc123'), 'abort');
  assert.equal(harnessOperation('/pipeline/api/pipelines/execution/v2/abc123'), 'status');
  assert.equal(harnessOperation('/pipeline/api/pipelines/execution/summary'), 'list');
  const m = createMetrics({ defaults: false });
  const count = countHarnessRequest(m);
  count({ method: 'GET', path: '/pipeline/api/pipelines/execution/v2/x1', status: 502, ms: 3 });
  count({ method: 'GET', path: '/pipeline/api/pipelines/execution/v2/x2', status: 502, ms: 3 });
  count({ method: 'POST', path: '/pipeline/api/pipeline/execute/p', ms: 3 });
  const text = (await m.render()).body;
  assert.match(text, /runbook_bot_harness_requests_total\{method="GET",operation="status",status="502"\} 2/);
  assert.match(
    text,
    /runbook_bot_harness_requests_total\{method="POST",operation="execute",status="transport_error"\} 1/,
  );
  assert.doesNotMatch(text, /x1|x2/, 'execution ids are not labels');
  assert.equal(slackOutcome({ code: 'slack_webapi_rate_limited_error' }), 'ratelimited');
  assert.equal(
    slackOutcome({ code: 'slack_webapi_platform_error', data: { error: 'channel_not_found' } }),
    'channel_not_found',
  );
  assert.equal(slackOutcome(new Error('x')), 'error');
});

test('step observer: each finished step counted once, failures by action, steps finished before start ignored', async () => {
  const m = createMetrics({ defaults: false });
  const forwarded: string[] = [];
  const n = observingNotifier({ runChanged: (r) => void forwarded.push(r.id) }, m, 10_000);
  const step = (idx: number, uses: string, status: string, startedAt: number, finishedAt: number | null) =>
    ({ runId: 'RUN-1', idx, uses, status, startedAt, finishedAt }) as unknown as StepRecord;
  const run = { id: 'RUN-1' } as RunRecord;
  const steps = [
    step(0, 'harness.pipeline', 'succeeded', 10_000, 40_000),
    step(1, 'jira.comment', 'failed', 40_000, 41_000),
    step(2, 'webhook', 'failed', 1_000, 2_000), // finished before this process started
    step(3, 'timeline.event', 'running', 41_000, null),
  ];
  n.runChanged(run, steps);
  n.runChanged(run, steps);
  assert.deepEqual(forwarded, ['RUN-1', 'RUN-1']);
  const text = (await m.render()).body;
  assert.match(
    text,
    /runbook_bot_step_duration_seconds_count\{uses="harness.pipeline",status="succeeded"\} 1/,
  );
  assert.match(
    text,
    /runbook_bot_step_duration_seconds_sum\{uses="harness.pipeline",status="succeeded"\} 30/,
  );
  assert.match(text, /runbook_bot_action_failures_total\{uses="jira.comment",status="failed"\} 1/);
  assert.doesNotMatch(text, /uses="webhook"/);
});

test('DB writability probe: ok, read-only, and a write lock held elsewhere', () => {
  const tmp = tempDir();
  try {
    const path = join(tmp.dir, 'x.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec('CREATE TABLE t (x)');
    assert.equal(checkDbWritable(db), 'ok');
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    assert.match(checkDbWritable(db, 100), /not writable: database is locked/);
    assert.ok(Date.now() - started < 1000, 'the probe does not wait out the 5 s busy timeout');
    assert.equal(db.pragma('busy_timeout', { simple: true }), 5000, 'busy timeout restored');
    other.exec('ROLLBACK');
    other.close();
    const ro = new Database(path, { readonly: true });
    assert.equal(checkDbWritable(ro), 'read-only');
    ro.close();
    db.close();
    assert.equal(checkDbWritable(db), 'closed');
  } finally {
    tmp.cleanup();
  }
});

test('readiness: Socket Mode is ready only while the socket is connected', () => {
  const tmp = tempDir();
  try {
    const db = new Database(join(tmp.dir, 'r.db'));
    const socket = new EventEmitter();
    const ready = readiness({
      db: () => db,
      manifests: () => ({ runbooks: 2 }),
      slackMode: 'socket',
      socket: trackSocket(socket),
    });
    assert.deepEqual(ready(), {
      ok: false,
      checks: { database: 'ok', manifests: '2 runbooks', slack: 'socket', socket: 'not connected' },
    });
    socket.emit('connected');
    assert.equal(ready().ok, true);
    socket.emit('reconnecting');
    assert.equal(ready().checks.socket, 'not connected');
    db.close();
  } finally {
    tmp.cleanup();
  }
});

const RUNBOOK = (id: string) => `kind: Runbook
id: ${id}
name: ${id}
steps:
  - id: note
    uses: timeline.event
    with: { text: hello }
`;

test('live catalog: a valid change replaces the set, a broken one keeps the last good set and logs file:line', async () => {
  const tmp = tempDir();
  try {
    const dir = join(tmp.dir, 'manifests');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.yaml'), RUNBOOK('first'));
    const { log, lines } = captureLog();
    const { loadManifests } = await import('../../src/manifests/load.ts');
    const results: boolean[] = [];
    const live = liveCatalog(dir, loadManifests(dir).catalog, log, (r) => results.push(r.ok));
    assert.deepEqual([...live.get().runbooks.keys()], ['first']);

    writeFileSync(join(dir, 'b.yaml'), RUNBOOK('second'));
    assert.equal(live.reload('SIGHUP').ok, true);
    assert.deepEqual([...live.get().runbooks.keys()].sort(), ['first', 'second']);

    writeFileSync(join(dir, 'b.yaml'), 'kind: Runbook\nid: second\nname: x\nsteps: [}\n');
    const bad = live.reload('SIGHUP');
    assert.equal(bad.ok, false);
    assert.match(bad.errors.join('\n'), /b\.yaml:\d+/);
    assert.deepEqual([...live.get().runbooks.keys()].sort(), ['first', 'second'], 'last good set kept');
    const refused = lines.find((l) => String(l.msg).startsWith('manifest reload refused'));
    assert.ok(refused, 'the refusal is logged');
    assert.match(JSON.stringify(refused.errors), /b\.yaml/);
    assert.deepEqual(results, [true, false]);

    // File changes are picked up by the watcher.
    const stop = live.watch(50);
    try {
      writeFileSync(join(dir, 'b.yaml'), RUNBOOK('third'));
      const until = Date.now() + 5000;
      while (!live.get().runbooks.has('third') && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual([...live.get().runbooks.keys()].sort(), ['first', 'third']);
      assert.deepEqual(live.lastErrors(), []);
    } finally {
      stop();
    }
  } finally {
    tmp.cleanup();
  }
});

test('live catalog: an unreadable folder is a refused reload, not a crash', () => {
  const tmp = tempDir();
  try {
    const dir = join(tmp.dir, 'gone');
    const { log } = captureLog();
    const live = liveCatalog(dir, { runbooks: new Map() } as never, log);
    const r = live.reload('SIGHUP');
    assert.equal(r.ok, false);
    assert.ok(r.errors.length > 0);
  } finally {
    tmp.cleanup();
  }
});

test('graceful shutdown: exits 0 after stop; a hung stop is cut at the budget with the database closed', async () => {
  const { log } = captureLog();
  const codes: number[] = [];
  let closed = 0;
  await gracefulShutdown(
    { stop: async () => {}, store: { close: () => void closed++ } },
    log,
    'SIGTERM',
    (c) => codes.push(c),
  );
  assert.deepEqual(codes, [0]);
  assert.equal(closed, 0, 'stop() closes the database itself');

  const started = Date.now();
  const hung = gracefulShutdown(
    { stop: () => new Promise<void>(() => {}), store: { close: () => void closed++ } },
    log,
    'SIGTERM',
    (c) => codes.push(c),
    200,
  );
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(codes, [0, 0]);
  assert.equal(closed, 1);
  assert.ok(Date.now() - started < 1000);
  void hung;
});
