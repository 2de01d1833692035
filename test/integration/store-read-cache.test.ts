/**
 * The incident read cache (src/store/read-cache.ts) on real SQLite files: a cached incident must
 * never hide a write — ours, another process's, or one a rollback undid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createStore } from '../../src/store/index.ts';
import { tempDir } from '../support/tmp.ts';

const NEW = {
  summary: 'Checkout down',
  severity: 'P1' as const,
  status: 'investigating' as const,
  service: 'checkout',
  environment: 'prod',
  type: 'default',
  commander: null,
  channel: 'C100',
  fields: { customer_facing: true },
};

function twoConnections() {
  const tmp = tempDir('runbook-bot-read-cache-');
  const path = join(tmp.dir, 'bot.db');
  const a = createStore(path);
  const b = createStore(path); // another process on the same file, as far as SQLite is concerned
  return {
    a,
    b,
    done: () => {
      a.close();
      b.close();
      tmp.cleanup();
    },
  };
}

test('read cache: a write by another connection is seen on the next read (data_version)', () => {
  const { a, b, done } = twoConnections();
  try {
    const inc = a.incidents.insert(NEW, 1000);
    assert.equal(a.incidents.byChannel('C100')?.severity, 'P1'); // cached now
    assert.equal(a.incidents.get(inc.id)?.severity, 'P1');
    const other = b.incidents.get(inc.id)!;
    assert.ok(b.incidents.update({ ...other, severity: 'P3' }, 2000));
    assert.equal(a.incidents.byChannel('C100')?.severity, 'P3');
    assert.equal(a.incidents.get(inc.id)?.severity, 'P3');
    // A miss is cached too, and a new incident from elsewhere still shows up.
    assert.equal(a.incidents.byChannel('C200'), undefined);
    b.incidents.insert({ ...NEW, channel: 'C200' }, 3000);
    assert.equal(a.incidents.byChannel('C200')?.channel, 'C200');
  } finally {
    done();
  }
});

test('read cache: our own writes are seen at once, including a channel set later', () => {
  const { a, done } = twoConnections();
  try {
    const inc = a.incidents.insert({ ...NEW, channel: null }, 1000);
    assert.equal(a.incidents.byChannel('C300'), undefined);
    const cur = a.incidents.get(inc.id)!;
    a.incidents.update({ ...cur, channel: 'C300', fields: { ...cur.fields, region: 'eu' } }, 2000);
    assert.equal(a.incidents.byChannel('C300')?.id, inc.id);
    assert.deepEqual(a.incidents.get(inc.id)?.fields, { customer_facing: true, region: 'eu' });
  } finally {
    done();
  }
});

test('read cache: a rolled-back write leaves nothing cached; reads inside the transaction see it', () => {
  const { a, done } = twoConnections();
  try {
    const inc = a.incidents.insert(NEW, 1000);
    assert.equal(a.incidents.get(inc.id)?.severity, 'P1');
    assert.throws(() =>
      a.tx(() => {
        a.incidents.update({ ...a.incidents.get(inc.id)!, severity: 'P4' }, 2000);
        assert.equal(a.incidents.get(inc.id)?.severity, 'P4');
        assert.equal(a.incidents.byChannel('C100')?.severity, 'P4');
        throw new Error('roll back');
      }),
    );
    assert.equal(a.incidents.get(inc.id)?.severity, 'P1');
    assert.equal(a.incidents.byChannel('C100')?.severity, 'P1');
  } finally {
    done();
  }
});

test('read cache: a cached incident cannot be changed by a caller', () => {
  const { a, done } = twoConnections();
  try {
    const inc = a.incidents.insert(NEW, 1000);
    const cached = a.incidents.byChannel('C100')!;
    assert.throws(() => {
      (cached as { severity: string }).severity = 'P4';
    }, TypeError);
    assert.throws(() => {
      (cached.fields as Record<string, unknown>).customer_facing = false;
    }, TypeError);
    assert.equal(a.incidents.get(inc.id)?.fields.customer_facing, true);
  } finally {
    done();
  }
});
