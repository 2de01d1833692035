import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createStore, type Store } from '../../src/store/index.ts';
import { tempDir } from '../support/tmp.ts';
import type { Runbook } from '../../src/manifests/schema.ts';

const runbook = { kind: 'Runbook', id: 'rb', name: 'RB', steps: [] } as unknown as Runbook;

function twoStoresOnOneFile(): { a: Store; b: Store; cleanup: () => void } {
  const tmp = tempDir();
  const path = join(tmp.dir, 'bot.db');
  const a = createStore(path);
  const b = createStore(path);
  return {
    a,
    b,
    cleanup() {
      a.close();
      b.close();
      tmp.cleanup();
    },
  };
}

test('migration 0002 creates the Slack tables', () => {
  const { a, cleanup } = twoStoresOnOneFile();
  try {
    assert.ok(a.applied.includes('0002_slack.sql'));
    const tables = (
      a.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    ).map((t) => t.name);
    for (const t of ['idempotency_keys', 'run_messages', 'incident_messages'])
      assert.ok(tables.includes(t), t);
  } finally {
    cleanup();
  }
});

test('an idempotency key is claimed once, even across two store instances on one file', () => {
  const { a, b, cleanup } = twoStoresOnOneFile();
  try {
    assert.equal(a.idempotency.claim('view:V1:submit', 1000), true);
    assert.equal(a.idempotency.claim('view:V1:submit', 1001), false);
    assert.equal(b.idempotency.claim('view:V1:submit', 1002), false, 'the other process sees the claim');
    assert.equal(b.idempotency.claim('event:Ev2', 1003), true);
    assert.equal(a.idempotency.claim('event:Ev2', 1004), false);

    assert.deepEqual(a.idempotency.get('view:V1:submit'), {
      key: 'view:V1:submit',
      createdAt: 1000,
      result: null,
    });
    assert.equal(a.idempotency.setResult('view:V1:submit', 'RUN-7'), true);
    assert.equal(b.idempotency.get('view:V1:submit')?.result, 'RUN-7');
    assert.equal(a.idempotency.setResult('never-claimed', 'x'), false);
    assert.equal(a.idempotency.get('never-claimed'), undefined);

    assert.equal(a.idempotency.prune(1003), 1, 'only keys older than the cut-off');
    assert.equal(a.idempotency.get('view:V1:submit'), undefined);
    assert.equal(a.idempotency.get('event:Ev2')?.createdAt, 1003);
    assert.equal(a.idempotency.claim('view:V1:submit', 2000), true, 'a pruned key can be claimed again');
  } finally {
    cleanup();
  }
});

test('a run message is claimed once; ts and posting progress are recorded, event ids only move forward', () => {
  const { a, b, cleanup } = twoStoresOnOneFile();
  try {
    const run = a.tx(() =>
      a.runs.insert(
        { incidentId: null, runbook, trigger: 'manual', requester: 'U1', inputs: {}, state: 'pending' },
        [],
        1,
      ),
    );
    assert.equal(a.runMessages.get(run.id), undefined);
    assert.equal(a.runMessages.claim(run.id, 'C1', 10), true);
    assert.equal(b.runMessages.claim(run.id, 'C2', 11), false, 'the second poster loses');
    assert.deepEqual(b.runMessages.get(run.id), {
      runId: run.id,
      channel: 'C1',
      ts: null,
      lastEventId: 0,
      lastHash: null,
      updatedAt: 10,
    });
    assert.equal(a.runMessages.setTs(run.id, '1700000000.000100'), true);
    assert.equal(a.runMessages.setPosted(run.id, { lastHash: 'h1' }, 20), true);
    assert.equal(a.runMessages.setPosted(run.id, { lastEventId: 5 }, 21), true);
    assert.equal(a.runMessages.setPosted(run.id, { lastEventId: 3 }, 22), true);
    assert.deepEqual(b.runMessages.get(run.id), {
      runId: run.id,
      channel: 'C1',
      ts: '1700000000.000100',
      lastEventId: 5,
      lastHash: 'h1',
      updatedAt: 22,
    });
    assert.equal(a.runMessages.setTs('RUN-404', 'x'), false);
    assert.throws(() => a.runMessages.claim('RUN-404', 'C1', 1), /FOREIGN KEY/);
  } finally {
    cleanup();
  }
});

test('the pinned incident message is stored per incident and replaced on set', () => {
  const { a, b, cleanup } = twoStoresOnOneFile();
  try {
    const inc = a.tx(() =>
      a.incidents.insert(
        {
          summary: 's',
          severity: 'P1',
          status: 'investigating',
          service: null,
          environment: null,
          type: 'any',
          commander: null,
          channel: 'C1',
          fields: {},
        },
        1,
      ),
    );
    assert.equal(a.incidentMessages.get(inc.id), undefined);
    a.incidentMessages.set(inc.id, 'C1', '1.1');
    assert.deepEqual(b.incidentMessages.get(inc.id), { incidentId: inc.id, channel: 'C1', ts: '1.1' });
    b.incidentMessages.set(inc.id, 'C1', '2.2');
    assert.equal(a.incidentMessages.get(inc.id)?.ts, '2.2');
    assert.throws(() => a.incidentMessages.set('INC-404', 'C1', '1.1'), /FOREIGN KEY/);
  } finally {
    cleanup();
  }
});
