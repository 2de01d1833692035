import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { deploymentGateSchema, type DeploymentGate } from '../../src/manifests/schema.ts';
import type { Incident } from '../../src/domain/types.ts';
import {
  axisFor,
  blockingHolds,
  computeHolds,
  covers,
  holdOf,
  runTarget,
  runbookBlockers,
  type GateOverride,
} from '../../src/gates/evaluate.ts';

const gate = (over: Record<string, unknown> = {}): DeploymentGate =>
  deploymentGateSchema.parse({
    kind: 'DeploymentGate',
    id: 'prod-freeze',
    name: 'Prod freeze',
    when: { severity: { at_least: 'P1' } },
    scope: { environments: ['prod'], services: 'from-incident' },
    exempt: { runbooks: ['emergency-rollback'] },
    ...over,
  });

const inc = (over: Partial<Incident> = {}): Incident => ({
  id: 'INC-1',
  summary: 'Checkout down',
  severity: 'P1',
  status: 'investigating',
  service: 'checkout',
  environment: 'prod',
  type: 'any',
  commander: null,
  channel: null,
  createdAt: '2026-11-26T10:00:00.000Z',
  fields: {},
  ...over,
});

test('a gate is held by open incidents that match its when:, never by resolved ones', () => {
  const g = gate();
  assert.equal(holdOf(g, inc({ severity: 'P0' }))?.incident, 'INC-1');
  assert.match(holdOf(g, inc({ severity: 'P1' }))!.why, /severity.*P1/, 'the why names the condition');
  assert.equal(holdOf(g, inc({ severity: 'P2' })), null);
  assert.equal(holdOf(g, inc({ status: 'resolved' })), null);
  assert.equal(holdOf(g, inc({ status: 'mitigated' }))?.incident, 'INC-1', 'mitigated is still open');
  // when: may read custom fields and use incident. paths, like a trigger.
  const custom = gate({ when: { 'incident.fields.customer_facing': { equals: true } } });
  assert.equal(holdOf(custom, inc({ fields: { customer_facing: true } }))?.incident, 'INC-1');
  assert.equal(holdOf(custom, inc({ fields: { customer_facing: false } })), null);
});

test('manual overrides: freeze holds whatever the severity, unfreeze releases whatever it matches', () => {
  const g = gate();
  const freeze: GateOverride = { mode: 'freeze', reason: 'bad deploy', actor: 'U1', at: 0 };
  const unfreeze: GateOverride = { mode: 'unfreeze', reason: 'unrelated', actor: 'U1', at: 0 };
  const held = holdOf(g, inc({ severity: 'P4' }), freeze)!;
  assert.equal(held.manual, true);
  assert.match(held.why, /frozen by <@U1>: bad deploy/);
  assert.equal(holdOf(g, inc({ severity: 'P0' }), unfreeze), null);
  assert.equal(holdOf(g, inc({ status: 'resolved' }), freeze), null, 'resolved incidents hold nothing');
});

test('scope: lists, all, from-incident in both spellings; an incident without the value covers everything', () => {
  assert.deepEqual(axisFor(['prod'], 'staging'), ['prod']);
  assert.equal(axisFor('all', 'prod'), 'all');
  assert.deepEqual(axisFor('from-incident', 'prod'), ['prod']);
  assert.deepEqual(axisFor({ from: 'incident.environment' }, 'qa'), ['qa']);
  assert.equal(axisFor('from-incident', null), 'all');
  const h = holdOf(gate(), inc())!;
  assert.deepEqual([h.environments, h.services], [['prod'], ['checkout']]);
  assert.ok(covers(h, { service: 'Checkout', environment: 'PROD' }));
  assert.ok(!covers(h, { service: 'payments', environment: 'prod' }));
  assert.ok(!covers(h, { service: 'checkout', environment: 'staging' }));
  assert.ok(covers(h, { environment: 'prod' }), 'unknown service: covered');
  assert.ok(covers({ environments: 'all', services: 'all' }, { service: 'x', environment: 'y' }));
});

test('computeHolds: every gate × open incident, ordered by gate then incident number', () => {
  const gates = [gate({ id: 'z-gate' }), gate({ id: 'a-gate', when: { severity: { equals: 'P0' } } })];
  const incidents = [
    inc({ id: 'INC-10' }),
    inc({ id: 'INC-9', severity: 'P0' }),
    inc({ id: 'INC-2', severity: 'P3' }),
  ];
  const holds = computeHolds(gates, incidents, new Map());
  assert.deepEqual(
    holds.map((h) => `${h.gate}/${h.incident}`),
    ['a-gate/INC-9', 'z-gate/INC-9', 'z-gate/INC-10'],
  );
  assert.deepEqual(blockingHolds(holds, { service: 'payments', environment: 'prod' }), []);
});

test('runbookBlockers: only deploys: true runbooks, minus the gates that exempt them', () => {
  const g = gate();
  const holds = computeHolds([g], [inc()], new Map());
  const gates = new Map([[g.id, g]]);
  const target = { service: 'checkout', environment: 'prod' };
  assert.equal(runbookBlockers(holds, gates, { id: 'deploy', deploys: true }, target).length, 1);
  assert.equal(runbookBlockers(holds, gates, { id: 'deploy' }, target).length, 0, 'not a deploying runbook');
  assert.equal(runbookBlockers(holds, gates, { id: 'emergency-rollback', deploys: true }, target).length, 0);
  assert.equal(
    runbookBlockers(holds, gates, { id: 'deploy', deploys: true }, { service: 'cart', environment: 'prod' })
      .length,
    0,
  );
});

test('runTarget: the run inputs first, then the incident', () => {
  assert.deepEqual(runTarget({ environment: 'staging' }, inc()), {
    service: 'checkout',
    environment: 'staging',
  });
  assert.deepEqual(runTarget({ service: ' payments ', environment: '' }, inc()), {
    service: 'payments',
    environment: 'prod',
  });
  assert.deepEqual(runTarget({ service: 3 }, null), { service: null, environment: null });
});

test('property: a hold covers exactly the targets whose values are in its lists (or unspecified)', () => {
  const name = fc.constantFrom('prod', 'staging', 'qa', 'checkout', 'payments');
  fc.assert(
    fc.property(
      fc.array(name, { minLength: 1 }),
      fc.array(name, { minLength: 1 }),
      name,
      name,
      (envs, svcs, e, s) => {
        const expected = envs.includes(e) && svcs.includes(s);
        assert.equal(
          covers({ environments: envs, services: svcs }, { environment: e, service: s }),
          expected,
        );
      },
    ),
  );
});
