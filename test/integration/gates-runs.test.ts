/**
 * Issue 6: the deploy gate API over real HTTP, and runbooks with `deploys: true` in the engine:
 * exempt runbooks run, others are refused naming the incident, an override waits for a commander.
 * Manual /incident freeze|unfreeze overrides through the gate service.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../../src/http/server.ts';
import { createGateApiHandler } from '../../src/gates/api.ts';
import { AppError } from '../../src/errors.ts';
import { setupGates, p1, type GatesSetup } from '../support/gates-setup.ts';

async function gateServer(s: GatesSetup) {
  const server = createHttpServer({
    health: { ready: () => ({ ok: true, checks: {} }) },
    gates: createGateApiHandler({ check: (t) => s.gates.check(t), tokens: ['api-token', 'gate-token'] }),
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = async (query: string, token = 'gate-token', method = 'GET') => {
    const res = await fetch(`${url}/api/gates/deploy${query}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: res.status, json: (await res.json()) as any };
  };
  return { get, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('GET /api/gates/deploy: 423 with reasons for a covered scope, 200 elsewhere and after resolve; tokens and bad queries', async () => {
  const s = await setupGates();
  const http = await gateServer(s);
  try {
    assert.deepEqual((await http.get('?service=checkout&environment=prod')).json, { open: true });
    const a = s.incidents.declare(p1(), 'U0SRE');
    const closed = await http.get('?service=checkout&environment=prod');
    assert.equal(closed.status, 423);
    assert.deepEqual(closed.json, {
      open: false,
      reasons: [
        {
          incident: a.id,
          severity: 'P1',
          summary: 'Checkout 500s',
          since: new Date(s.clock.now()).toISOString(),
          gate: 'prod-freeze-on-critical',
        },
      ],
    });
    assert.equal(
      (await http.get('?service=CHECKOUT&environment=Prod')).status,
      423,
      'names compare case-insensitively',
    );
    assert.equal((await http.get('?service=checkout&environment=staging')).status, 200);
    assert.equal((await http.get('?service=payments&environment=prod')).status, 200);
    assert.equal(
      (await http.get('?environment=prod')).status,
      423,
      'no service given: any service may be meant',
    );
    assert.equal((await http.get('?service=checkout&environment=prod', 'api-token')).status, 423);

    const bad = await http.get('?service=checkout&environment=prod', 'nope');
    assert.equal(bad.status, 401);
    assert.match(bad.json.error, /not valid/);
    assert.equal((await http.get('')).status, 400);
    assert.match((await http.get('')).json.error, /service and environment/);
    assert.match(
      (await http.get('?service=a&env=prod')).json.errors[0].message,
      /unknown parameter "env"; allowed: service, environment/,
    );
    assert.equal((await http.get('?service=a', 'gate-token', 'POST')).status, 405);

    s.incidents.update(a.id, { severity: 'P3' }, 'U0CMD');
    assert.equal(
      (await http.get('?service=checkout&environment=prod')).status,
      200,
      'stops matching: open again',
    );
    s.incidents.update(a.id, { severity: 'P0' }, 'U0CMD');
    assert.equal((await http.get('?service=checkout&environment=prod')).status, 423);
    s.incidents.resolve(a.id, 'U0CMD');
    assert.equal((await http.get('?service=checkout&environment=prod')).status, 200);
  } finally {
    await http.close();
    await s.cleanup();
  }
});

test('deploys: true — exempt runbook runs, non-exempt refused naming the incident, other scopes fine, override needs a commander', async () => {
  const s = await setupGates();
  try {
    const inc = s.incidents.declare(
      p1({ type: 'major-incident', fields: { customer_facing: false } }),
      'U0SRE',
    );
    // The rollback is exempt: it starts while the gate is closed.
    const rollback = s.engine.startRun({
      runbookId: 'rollback',
      incidentId: inc.id,
      requester: 'U0SRE',
      inputs: { environment: 'prod' },
      approval: 'none',
    });
    assert.equal(rollback.state, 'running');

    assert.throws(
      () => s.engine.startRun({ runbookId: 'deploy-service', incidentId: inc.id, requester: 'U0SRE' }),
      (e: unknown) =>
        e instanceof AppError &&
        e.code === 'GATE_CLOSED' &&
        e.message.includes(`${inc.id} (P1 "Checkout 500s", gate prod-freeze-on-critical)`) &&
        /ask for a gate override/.test(e.message),
    );
    assert.equal(s.store.runs.forIncident(inc.id).length, 1, 'nothing recorded for the refusal');
    // Another environment or service is not covered.
    assert.equal(
      s.engine.startRun({
        runbookId: 'deploy-service',
        incidentId: inc.id,
        requester: 'U0SRE',
        inputs: { environment: 'staging' },
      }).state,
      'running',
    );
    assert.equal(
      s.engine.startRun({
        runbookId: 'deploy-service',
        requester: 'U0SRE',
        inputs: { service: 'payments', environment: 'prod' },
      }).state,
      'running',
    );

    const over = s.engine.startRun({
      runbookId: 'deploy-service',
      incidentId: inc.id,
      requester: 'U0SRE',
      gateOverride: true,
    });
    assert.equal(over.state, 'awaiting_approval');
    const asked = s.store.timeline.forRun(over.id).find((e) => e.kind === 'run.approval_requested')!;
    assert.match(asked.text, /gate override: deployments are halted while INC-\d+ \(P1/);
    const r = await s.engine.decide(over.id, { decision: 'approve', actor: 'U0CMD' });
    assert.equal(r.applied, true);
    assert.equal(s.store.runs.get(over.id)!.state, 'running');

    // An override of an open gate asks nobody.
    s.incidents.resolve(inc.id, 'U0CMD');
    assert.equal(
      s.engine.startRun({
        runbookId: 'deploy-service',
        requester: 'U0SRE',
        inputs: { service: 'checkout', environment: 'prod' },
        gateOverride: true,
      }).state,
      'running',
    );
  } finally {
    await s.cleanup();
  }
});

test('/incident freeze and unfreeze: a manual override held and released, audited and on the timeline', async () => {
  const s = await setupGates();
  try {
    const p3 = s.incidents.declare(p1({ severity: 'P3', summary: 'Bad deploy suspected' }), 'U0SRE');
    const target = { service: 'checkout', environment: 'prod' };
    assert.equal(s.gates.check(target).open, true);
    assert.throws(() => s.gates.setOverride(p3.id, 'freeze', 'U0CMD', '  '), /needs a reason/);
    s.gates.setOverride(p3.id, 'freeze', 'U0CMD', 'bad deploy suspected');
    assert.equal(s.gates.check(target).open, false);
    assert.deepEqual(s.gates.describeFor(p3.id), [
      ':no_entry: Freeze production during P0/P1: environments prod · services checkout (frozen by hand)',
    ]);
    const p1inc = s.incidents.declare(p1({ service: 'payments' }), 'U0SRE');
    assert.equal(s.gates.check({ service: 'payments', environment: 'prod' }).open, false);
    s.gates.setOverride(p1inc.id, 'unfreeze', 'U0CMD', 'not deploy related');
    assert.equal(s.gates.check({ service: 'payments', environment: 'prod' }).open, true);
    assert.deepEqual(
      s.store.audit
        .recent()
        .filter((a) => a.action.startsWith('gate.'))
        .map((a) => [a.action, a.actor, a.subject])
        .reverse(),
      [
        ['gate.freeze', 'U0CMD', p3.id],
        ['gate.unfreeze', 'U0CMD', p1inc.id],
      ],
    );
    const kinds = s.store.timeline
      .forIncident(p3.id)
      .map((e) => e.kind)
      .filter((k) => k.startsWith('gate.'));
    assert.deepEqual(kinds, ['gate.freeze', 'gate.closed']);
    s.incidents.resolve(p3.id, 'U0CMD');
    assert.equal(s.gates.check(target).open, true);
    assert.throws(() => s.gates.setOverride(p3.id, 'freeze', 'U0CMD', 'again'), /resolved/);
    assert.throws(() => s.gates.setOverride('INC-999', 'freeze', 'U0CMD', 'x'), /No incident INC-999/);
  } finally {
    await s.cleanup();
  }
});

test('deploys: true in a TEST incident: not refused by a real P1 holding the gate (its pipelines run staging or are skipped)', async () => {
  const s = await setupGates();
  try {
    const real = s.incidents.declare(p1(), 'U0SRE');
    assert.throws(
      () => s.engine.startRun({ runbookId: 'deploy-service', incidentId: real.id, requester: 'U0SRE' }),
      (e: unknown) => e instanceof AppError && e.code === 'GATE_CLOSED',
      'control: the real incident refuses it',
    );
    const rehearsal = s.incidents.declare(
      { ...p1({ summary: 'Rehearsal: checkout 500s' }), test: true },
      'U0SRE',
    );
    const run = s.engine.startRun({
      runbookId: 'deploy-service',
      incidentId: rehearsal.id,
      requester: 'U0SRE',
    });
    assert.equal(run.state, 'running');
  } finally {
    await s.cleanup();
  }
});
