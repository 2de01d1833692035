/**
 * Issue 6: closed gates mirrored as Harness freeze windows, against the Harness fake's freeze
 * endpoints, with real SQLite, the incident service and the shipped prod-freeze-on-critical gate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { setupGates, p1 } from '../support/gates-setup.ts';
import { freezeIdentifier } from '../../src/gates/freeze-window.ts';
import { windowEnd } from '../fakes/harness-fake-freeze.ts';

const ID = freezeIdentifier('prod-freeze-on-critical');
const opsOf = (s: { fake: { freeze: { calls: { op: string; query: Record<string, string> }[] } } }) =>
  s.fake.freeze.calls.map((c) => (c.op === 'status' ? `status:${c.query['status']}` : c.op));

test('P1 → window created and enabled; second P1 → no duplicate; first resolves → still closed; last resolves → disabled', async () => {
  const s = await setupGates();
  try {
    const a = s.incidents.declare(p1(), 'U0SRE');
    let r = await s.reconciler.reconcile();
    assert.deepEqual(r, [{ gate: 'prod-freeze-on-critical', identifier: ID, action: 'created' }]);
    const w = s.fake.freeze.window(ID)!;
    assert.equal(w.status, 'Enabled');
    assert.deepEqual([w.org, w.project], ['default', 'payments']);
    assert.match(String(w.freeze['name']), new RegExp(a.id));
    assert.deepEqual(w.freeze['entityConfigs'], [
      {
        name: a.id,
        entities: [
          { type: 'Service', filterType: 'Equals', entityRefs: ['checkout'] },
          { type: 'Environment', filterType: 'Equals', entityRefs: ['prod'] },
        ],
      },
    ]);
    const win = (w.freeze['windows'] as Record<string, string>[])[0]!;
    assert.deepEqual(win, { timeZone: 'UTC', startTime: '2026-11-26 02:00 PM', duration: '1h' });
    assert.equal(
      s.fake.freeze.calls.find((c) => c.op === 'create')!.query['accountIdentifier'],
      s.fake.accountId,
    );

    // A second P1 on the same service: same window, nothing new in Harness but one more rule name.
    const b = s.incidents.declare(p1({ summary: 'Checkout latency' }), 'U0SRE');
    r = await s.reconciler.reconcile();
    assert.equal(s.fake.freeze.windows().length, 1);
    assert.equal(opsOf(s).filter((o) => o === 'create').length, 1);
    assert.deepEqual(
      (s.fake.freeze.window(ID)!.freeze['entityConfigs'] as { name: string }[]).map((c) => c.name),
      [`${a.id} ${b.id}`],
    );
    assert.equal(s.fake.freeze.window(ID)!.status, 'Enabled');
    // Renaming an enabled window: disable → update → enable (Harness refuses edits while enabled).
    assert.deepEqual(opsOf(s).slice(-4), ['get', 'status:Disabled', 'update', 'status:Enabled']);

    s.incidents.resolve(a.id, 'U0CMD');
    r = await s.reconciler.reconcile();
    assert.equal(s.fake.freeze.window(ID)!.status, 'Enabled', 'b still holds the gate');
    assert.equal(s.gates.check({ service: 'checkout', environment: 'prod' }).open, false);

    s.incidents.resolve(b.id, 'U0CMD');
    r = await s.reconciler.reconcile();
    assert.deepEqual(r, [{ gate: 'prod-freeze-on-critical', identifier: ID, action: 'disabled' }]);
    assert.equal(s.fake.freeze.window(ID)!.status, 'Disabled');
    assert.equal(s.fake.freeze.windows().length, 1);
    // Quiet when nothing is to be done.
    const before = opsOf(s).length;
    r = await s.reconciler.reconcile();
    assert.deepEqual(r, [{ gate: 'prod-freeze-on-critical', identifier: ID, action: 'open' }]);
    assert.deepEqual(opsOf(s).slice(before), ['get']);

    // Each change reached the incident's timeline and channel once.
    const kinds = (id: string) =>
      s.store.timeline
        .forIncident(id)
        .map((e) => e.kind)
        .filter((k) => k.startsWith('gate.'));
    assert.deepEqual(kinds(a.id), ['gate.closed', 'gate.released']);
    assert.deepEqual(kinds(b.id), ['gate.closed', 'gate.released']);
    const last = s.store.timeline.forIncident(b.id).find((e) => e.kind === 'gate.released')!;
    assert.match(last.text, /open again/);
    assert.equal(s.posted.filter((p) => p.channel === a.channel).length, 2);

    // A new P1 later re-enables the same window (a fresh start, since the old one was stale).
    s.clock.advance(3 * 3_600_000);
    s.incidents.declare(p1({ summary: 'Checkout down again' }), 'U0SRE');
    await s.reconciler.reconcile();
    const again = s.fake.freeze.window(ID)!;
    assert.equal(again.status, 'Enabled');
    assert.equal(s.fake.freeze.windows().length, 1);
    assert.equal(
      (again.freeze['windows'] as Record<string, string>[])[0]!['startTime'],
      '2026-11-26 05:00 PM',
    );
  } finally {
    await s.cleanup();
  }
});

test('incidents on several services: one rule each (no cross product); a P2 closes nothing; environments: [prod] is the scope whatever the incident says', async () => {
  const s = await setupGates();
  try {
    const a = s.incidents.declare(p1(), 'U0SRE');
    const b = s.incidents.declare(
      p1({ service: 'payments', severity: 'P0', summary: 'Payments down' }),
      'U0SRE',
    );
    s.incidents.declare(p1({ severity: 'P2', service: 'search', summary: 'Search slow' }), 'U0SRE');
    const c = s.incidents.declare(
      p1({ environment: 'staging', service: 'cart', summary: 'Cart broken in staging' }),
      'U0SRE',
    );
    await s.reconciler.reconcile();
    const rules = s.fake.freeze.window(ID)!.freeze['entityConfigs'] as {
      name: string;
      entities: { entityRefs?: string[] }[];
    }[];
    assert.deepEqual(
      rules.map((r) => [r.name, r.entities.map((e) => e.entityRefs?.[0])]),
      [
        [a.id, ['checkout', 'prod']],
        [b.id, ['payments', 'prod']],
        [c.id, ['cart', 'prod']],
      ],
    );
  } finally {
    await s.cleanup();
  }
});

test('a crash between "incident resolved" and "window disabled": the reconciler after restart disables it', async () => {
  const s = await setupGates({ autoSync: false });
  try {
    const a = s.incidents.declare(p1(), 'U0SRE');
    await s.reconciler.reconcile();
    assert.equal(s.fake.freeze.window(ID)!.status, 'Enabled');
    s.incidents.resolve(a.id, 'U0CMD'); // committed; the process dies before any Harness call
    const s2 = s.restart();
    const r = await s2.reconciler.reconcile();
    assert.deepEqual(r, [{ gate: 'prod-freeze-on-critical', identifier: ID, action: 'disabled' }]);
    assert.equal(s.fake.freeze.window(ID)!.status, 'Disabled');
    // The release was announced by the new process, once.
    assert.equal(s2.store.timeline.forIncident(a.id).filter((e) => e.kind === 'gate.released').length, 1);
    await s2.reconciler.reconcile();
    assert.equal(s2.store.timeline.forIncident(a.id).filter((e) => e.kind === 'gate.released').length, 1);
  } finally {
    await s.cleanup();
  }
});

test('a window created before a crash (we never heard back) is adopted, not duplicated; one disabled by hand is re-enabled', async () => {
  const s = await setupGates();
  try {
    s.incidents.declare(p1(), 'U0SRE');
    await s.reconciler.reconcile();
    // Someone disables the window in the Harness UI while the incident is open.
    const calls = s.fake.freeze.calls.length;
    await fetch(
      `${s.fake.url}/ng/api/freeze/updateFreezeStatus?accountIdentifier=${s.fake.accountId}&orgIdentifier=default&projectIdentifier=payments&status=Disabled`,
      {
        method: 'POST',
        headers: { 'x-api-key': s.fake.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify([ID]),
      },
    );
    assert.equal(s.fake.freeze.window(ID)!.status, 'Disabled');
    const r = await s.reconciler.reconcile();
    assert.deepEqual(r, [{ gate: 'prod-freeze-on-critical', identifier: ID, action: 'enabled' }]);
    assert.equal(s.fake.freeze.window(ID)!.status, 'Enabled');
    assert.ok(s.fake.freeze.calls.length > calls);
  } finally {
    await s.cleanup();
  }
});

test('the window is extended while the gate stays closed (disable → update → enable, never below 30m left)', async () => {
  const s = await setupGates();
  try {
    s.incidents.declare(p1(), 'U0SRE');
    await s.reconciler.reconcile();
    for (let minute = 1; minute <= 150; minute++) {
      s.clock.advance(60_000);
      await s.reconciler.reconcile();
      const w = s.fake.freeze.window(ID)!;
      assert.equal(w.status, 'Enabled', `minute ${minute}`);
      assert.ok(
        windowEnd(w) - s.clock.now() >= 29 * 60_000,
        `minute ${minute}: ${windowEnd(w) - s.clock.now()}ms left`,
      );
    }
    const updates = s.fake.freeze.calls.filter((c) => c.op === 'update');
    assert.ok(updates.length >= 4 && updates.length <= 6, `${updates.length} extensions in 150 minutes`);
    for (const u of updates) {
      const f = (parse(u.body) as { freeze: Record<string, unknown> }).freeze;
      assert.equal(f['status'], 'Disabled', 'updated while disabled');
    }
  } finally {
    await s.cleanup();
  }
});

test('Harness errors: retried by the client; a lasting failure is reported once in the channel and timeline, and so is the recovery', async () => {
  const s = await setupGates({ maxRetries: 2 });
  try {
    s.fake.freeze.failNext(2, 500);
    const a = s.incidents.declare(p1(), 'U0SRE');
    let r = await s.reconciler.reconcile();
    assert.deepEqual(r, [{ gate: 'prod-freeze-on-critical', identifier: ID, action: 'created' }]);
    assert.equal(s.fake.freeze.window(ID)!.status, 'Enabled');

    s.incidents.resolve(a.id, 'U0CMD');
    const b = s.incidents.declare(p1({ summary: 'Checkout again' }), 'U0SRE');
    s.fake.freeze.failNext(30, 500, 'get');
    r = await s.reconciler.reconcile();
    assert.match((r[0] as { error: string }).error, /freeze window "runbook_bot_prod_freeze_on_critical"/);
    await s.reconciler.reconcile();
    await s.reconciler.reconcile();
    const failed = s.store.timeline.forIncident(b.id).filter((e) => e.kind === 'gate.freeze_failed');
    assert.equal(failed.length, 1, 'reported once, not every minute');
    assert.match(failed[0]!.text, /Could not update the Harness freeze window.*Retrying every minute/);
    assert.equal(s.posted.filter((p) => /Could not update/.test(p.text)).length, 1);
    // The gate API does not depend on Harness.
    assert.equal(s.gates.check({ service: 'checkout', environment: 'prod' }).open, false);

    s.fake.freeze.calls.splice(0);
    while (s.fake.freeze.calls.length < 100 && (await s.reconciler.reconcile()).some((x) => 'error' in x));
    assert.ok(s.fake.freeze.window(ID)!.freeze['name']!.toString().includes(b.id));
    assert.equal(
      s.store.timeline.forIncident(b.id).filter((e) => e.kind === 'gate.freeze_recovered').length,
      1,
    );
  } finally {
    await s.cleanup();
  }
});
