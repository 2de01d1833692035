import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createStore } from '../../src/store/index.ts';
import { migrate, openDatabase, readMigrations } from '../../src/store/db.ts';
import { tempDir } from '../support/tmp.ts';
import type { Runbook } from '../../src/manifests/schema.ts';

const runbook = { kind: 'Runbook', id: 'rb', name: 'RB', steps: [] } as unknown as Runbook;

test('migrations apply once, in order, recorded; WAL and foreign keys on', () => {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'nested', 'db.sqlite');
    const s1 = createStore(path);
    assert.deepEqual(
      s1.applied,
      readMigrations().map((m) => m.name),
    );
    assert.equal(s1.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(s1.db.pragma('foreign_keys', { simple: true }), 1);
    s1.close();
    const s2 = createStore(path);
    assert.deepEqual(s2.applied, []);
    s2.close();
  } finally {
    cleanup();
  }
});

test('a failing migration rolls back entirely and is not recorded', () => {
  const db = openDatabase(':memory:');
  const bad = [
    { version: 1, name: '0001_bad.sql', sql: 'CREATE TABLE a (x INTEGER); CREATE TABLE a (y INTEGER);' },
  ];
  assert.throws(() => migrate(db, bad));
  assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE name = 'a'").all(), []);
  assert.deepEqual(db.prepare('SELECT * FROM schema_migrations').all(), []);
});

test('incidents get short ids; optimistic update refuses a stale version', () => {
  const { dir, cleanup } = tempDir();
  const store = createStore(join(dir, 'db.sqlite'));
  try {
    const a = store.tx(() =>
      store.incidents.insert(
        {
          summary: 'Checkout 500s',
          severity: 'P1',
          status: 'investigating',
          service: 'checkout',
          environment: 'prod',
          type: 'any',
          commander: null,
          channel: 'C1',
          fields: { customer_facing: true },
        },
        1000,
      ),
    );
    assert.equal(a.id, 'INC-1');
    assert.equal(a.fields.customer_facing, true);
    const b = store.incidents.update({ ...a, severity: 'P0' }, 2000)!;
    assert.equal(b.severity, 'P0');
    assert.equal(
      store.incidents.update({ ...a, severity: 'P2' }, 3000),
      undefined,
      'stale version must not apply',
    );
    assert.equal(store.incidents.byChannel('C1')?.id, 'INC-1');
  } finally {
    store.close();
    cleanup();
  }
});

test('run transitions are conditional; timeline dedupe keys make events idempotent', () => {
  const { dir, cleanup } = tempDir();
  const store = createStore(join(dir, 'db.sqlite'));
  try {
    const run = store.tx(() =>
      store.runs.insert(
        { incidentId: null, runbook, trigger: 'manual', requester: 'U1', inputs: { a: 1 }, state: 'pending' },
        [{ stepId: 's1', uses: 'timeline.event', nextAttemptAt: 5 }],
        1,
      ),
    );
    assert.equal(run.id, 'RUN-1');
    assert.equal(store.runs.updateRun(run.id, { state: 'running' }, 2, ['pending']), true);
    assert.equal(
      store.runs.updateRun(run.id, { state: 'running' }, 3, ['pending']),
      false,
      'second transition from pending must not apply',
    );
    assert.equal(store.runs.dueSteps(4).length, 0);
    assert.equal(store.runs.dueSteps(5).length, 1);
    assert.ok(
      store.runs.updateStep(run.id, 0, { status: 'running', dispatching: true, output: { x: 1 } }, [
        'pending',
      ]),
    );
    assert.deepEqual(
      store.runs.dispatchingSteps().map((s) => s.stepId),
      ['s1'],
    );
    assert.deepEqual(store.runs.step(run.id, 0)?.output, { x: 1 });
    assert.equal(store.timeline.add({ runId: run.id, at: 1, kind: 'x', text: 'once', dedupeKey: 'k' }), true);
    assert.equal(
      store.timeline.add({ runId: run.id, at: 2, kind: 'x', text: 'twice', dedupeKey: 'k' }),
      false,
    );
    assert.deepEqual(
      store.timeline.forRun(run.id).map((e) => e.text),
      ['once'],
    );
  } finally {
    store.close();
    cleanup();
  }
});

test('foreign keys are enforced', () => {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  assert.throws(
    () =>
      db
        .prepare("INSERT INTO timeline_events (incident_id, at, kind, text) VALUES ('INC-404', 1, 'x', 'y')")
        .run(),
    /FOREIGN KEY/,
  );
});

test('a Harness push finds its step through an index, not a scan of every running step', () => {
  const { dir, cleanup } = tempDir();
  try {
    const s = createStore(join(dir, 'db.sqlite'));
    const plan = s.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT run_id, idx FROM run_steps WHERE status = 'running' AND external_id = ?`,
      )
      .all('exec-1') as { detail: string }[];
    assert.ok(
      plan.some((p) => /USING INDEX run_steps_by_external_id/.test(p.detail)),
      JSON.stringify(plan),
    );
    s.close();
  } finally {
    cleanup();
  }
});
