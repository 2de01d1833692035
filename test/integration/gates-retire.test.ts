/**
 * A DeploymentGate deleted from the manifests (or no longer mirrored, or moved to another project)
 * must not leave its Harness freeze window enabled: the reconciler knows from SQLite which windows
 * it managed and where they live, disables them once, logs it once and forgets them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { setupGates, p1, type GatesSetup } from '../support/gates-setup.ts';
import { freezeIdentifier } from '../../src/gates/freeze-window.ts';
import { createFreezeReconciler } from '../../src/gates/reconciler.ts';
import { createFreezeClient } from '../../src/harness/freeze.ts';
import { createGateStore } from '../../src/gates/store.ts';
import { createLogger } from '../../src/log.ts';
import type { DeploymentGate } from '../../src/manifests/schema.ts';

const GATE = 'prod-freeze-on-critical';
const ID = freezeIdentifier(GATE);

/** A reconciler on the setup's gates and Harness fake whose log lines we can read. */
function reconcilerWithLog(s: GatesSetup) {
  const lines: { level: number; msg: string; gate?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  const freeze = createFreezeClient({
    baseUrl: s.fake.url,
    uiUrl: 'https://app.harness.io',
    apiKey: s.fake.apiKey,
    accountId: s.fake.accountId,
    timeoutMs: 2000,
    maxRetries: 0,
    sleep: async () => {},
  });
  const reconciler = createFreezeReconciler({
    gates: s.gates,
    freeze,
    clock: s.clock,
    log: createLogger('info', sink),
  });
  const said = (re: RegExp) => lines.filter((l) => re.test(l.msg));
  return { reconciler, lines, said };
}

const windowIn = (s: GatesSetup, project: string) =>
  s.fake.freeze.windows().find((w) => w.identifier === ID && w.project === project);
const freezeCalls = (s: GatesSetup) => s.fake.freeze.calls.length;

test('a gate deleted from the manifests: its enabled window is disabled once, logged once, then forgotten', async () => {
  const s = await setupGates();
  const { reconciler, said } = reconcilerWithLog(s);
  try {
    s.incidents.declare(p1(), 'U0SRE');
    await reconciler.reconcile();
    assert.equal(windowIn(s, 'payments')?.status, 'Enabled');

    const gate = s.catalog.gates!.get(GATE)!;
    s.catalog.gates!.delete(GATE); // what a manifest reload without the gate leaves
    const r = await reconciler.reconcile();
    assert.deepEqual(r, [{ gate: GATE, identifier: ID, action: 'retired' }]);
    assert.equal(
      windowIn(s, 'payments')?.status,
      'Disabled',
      'the incident is still open, but no gate holds the window',
    );
    assert.equal(said(/gone from the manifests: its Harness freeze window is disabled/).length, 1);

    // Forgotten: later passes ask Harness nothing about it and log nothing more.
    const calls = freezeCalls(s);
    assert.deepEqual(await reconciler.reconcile(), []);
    assert.deepEqual(await reconciler.reconcile(), []);
    assert.equal(freezeCalls(s), calls);
    assert.equal(said(/gone from the manifests/).length, 1);

    // The gate comes back: managed again from scratch.
    s.catalog.gates!.set(GATE, gate);
    assert.deepEqual(await reconciler.reconcile(), [{ gate: GATE, identifier: ID, action: 'enabled' }]);
  } finally {
    await s.cleanup();
  }
});

test('deleted while the bot was down: the next process disables it from what SQLite recorded', async () => {
  const s = await setupGates();
  try {
    s.incidents.declare(p1(), 'U0SRE');
    await s.reconciler.reconcile();
    assert.equal(windowIn(s, 'payments')?.status, 'Enabled');

    s.catalog.gates!.delete(GATE);
    const next = s.restart();
    const { reconciler, said } = reconcilerWithLog(next);
    assert.deepEqual(await reconciler.reconcile(), [{ gate: GATE, identifier: ID, action: 'retired' }]);
    assert.equal(windowIn(s, 'payments')?.status, 'Disabled');
    assert.equal(said(/its Harness freeze window is disabled/).length, 1);
    assert.deepEqual(createGateStore(next.store.db).syncs(), []);
  } finally {
    await s.cleanup();
  }
});

test('a gate that stops mirroring (harness.freeze: false) releases its window the same way', async () => {
  const s = await setupGates();
  const { reconciler } = reconcilerWithLog(s);
  try {
    s.incidents.declare(p1(), 'U0SRE');
    await reconciler.reconcile();
    const gate = s.catalog.gates!.get(GATE)!;
    s.catalog.gates!.set(GATE, { ...gate, harness: { ...gate.harness!, freeze: false } });
    assert.deepEqual(await reconciler.reconcile(), [{ gate: GATE, identifier: ID, action: 'retired' }]);
    assert.equal(windowIn(s, 'payments')?.status, 'Disabled');
    assert.equal(
      s.gates.check({ service: 'checkout', environment: 'prod' }).open,
      false,
      'the gate itself still holds',
    );
  } finally {
    await s.cleanup();
  }
});

test('a gate moved to another project: the old window is disabled, the new one enabled', async () => {
  const s = await setupGates();
  const { reconciler, said } = reconcilerWithLog(s);
  try {
    s.incidents.declare(p1(), 'U0SRE');
    await reconciler.reconcile();
    const gate = s.catalog.gates!.get(GATE)!;
    const moved: DeploymentGate = { ...gate, harness: { ...gate.harness!, project: 'checkout_team' } };
    s.catalog.gates!.set(GATE, moved);
    assert.deepEqual(await reconciler.reconcile(), [{ gate: GATE, identifier: ID, action: 'created' }]);
    assert.equal(windowIn(s, 'payments')?.status, 'Disabled');
    assert.equal(windowIn(s, 'checkout_team')?.status, 'Enabled');
    assert.equal(said(/moved to another org\/project/).length, 1);
    await reconciler.reconcile();
    assert.equal(said(/moved to another org\/project/).length, 1, 'once');

    // Deleted afterwards: the window in the new project is the one disabled.
    s.catalog.gates!.delete(GATE);
    await reconciler.reconcile();
    assert.equal(windowIn(s, 'checkout_team')?.status, 'Disabled');
  } finally {
    await s.cleanup();
  }
});

test('Harness failing while retiring: warned once, retried every pass until it works', async () => {
  const s = await setupGates();
  const { reconciler, said } = reconcilerWithLog(s);
  try {
    s.incidents.declare(p1(), 'U0SRE');
    await reconciler.reconcile();
    s.catalog.gates!.delete(GATE);
    s.fake.freeze.failNext(2, 500);
    let r = await reconciler.reconcile();
    assert.equal(r.length, 1);
    assert.ok('error' in r[0]!, JSON.stringify(r));
    r = await reconciler.reconcile();
    assert.ok('error' in r[0]!, JSON.stringify(r));
    assert.equal(windowIn(s, 'payments')?.status, 'Enabled');
    assert.equal(said(/could not disable the freeze window of a removed deployment gate/).length, 1);

    assert.deepEqual(await reconciler.reconcile(), [{ gate: GATE, identifier: ID, action: 'retired' }]);
    assert.equal(windowIn(s, 'payments')?.status, 'Disabled');
    assert.deepEqual(await reconciler.reconcile(), []);
  } finally {
    await s.cleanup();
  }
});

test('a window recorded before its scope was (migration 0007): named in one warning, then forgotten', async () => {
  const s = await setupGates();
  const { reconciler, said } = reconcilerWithLog(s);
  try {
    s.store.db
      .prepare(
        'INSERT INTO gate_freeze_sync (gate_id, error, failing_since, synced_at) VALUES (?, NULL, NULL, ?)',
      )
      .run('old-gate', s.clock.now());
    const r = await reconciler.reconcile();
    assert.deepEqual(r, [
      { gate: GATE, identifier: ID, action: 'open' },
      { gate: 'old-gate', identifier: freezeIdentifier('old-gate'), action: 'forgotten' },
    ]);
    const warned = said(/org\/project unknown/);
    assert.equal(warned.length, 1);
    assert.equal(warned[0]!.gate, 'old-gate');
    await reconciler.reconcile();
    assert.equal(said(/org\/project unknown/).length, 1);
  } finally {
    await s.cleanup();
  }
});
