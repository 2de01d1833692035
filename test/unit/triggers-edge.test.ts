import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  evaluateTrigger,
  historyBlock,
  levelCondition,
  runbookFits,
  triggerStillHolds,
  FRESH_HISTORY,
  type IncidentEvent,
  type TriggerHistory,
} from '../../src/domain/triggers.ts';
import { triggerSchema, type Trigger } from '../../src/manifests/schema.ts';
import type { Incident } from '../../src/domain/types.ts';

const T0 = Date.parse('2026-11-26T14:00:00Z');
const MIN = 60_000;

const trig = (t: Record<string, unknown>): Trigger => triggerSchema.parse(t);
const inc = (over: Partial<Incident> = {}): Incident => ({
  id: 'INC-1',
  summary: 'Checkout 500s',
  severity: 'P2',
  status: 'investigating',
  service: 'checkout',
  environment: 'prod',
  type: 'any',
  commander: null,
  channel: 'C1',
  createdAt: '2026-11-26T13:00:00.000Z',
  fields: {},
  ...over,
});
const created = (i: Incident): IncidentEvent => ({ type: 'incident.created', incident: i });
const updated = (from: Incident, to: Incident): IncidentEvent => ({
  type: 'incident.updated',
  incident: to,
  previous: from,
});

const P1_UPDATED = trig({ on: 'incident.updated', when: { severity: { in: ['P0', 'P1'] } } });

/**
 * A tiny history keeper with the store's rules, so sequences read like the real thing; the store's
 * own SQL is exercised by the integration tests (trigger-service.test.ts).
 */
function replay(trigger: Trigger, events: IncidentEvent[], times: number[] = []) {
  let h: TriggerHistory = { ...FRESH_HISTORY };
  return events.map((ev, i) => {
    const now = times[i] ?? T0 + i * MIN;
    const d = evaluateTrigger(trigger, ev, { history: h, now });
    if (d.rearm) h = { ...h, armed: true };
    if (d.fires) h = { armed: false, runbookFireCount: h.runbookFireCount + 1, runbookLastFiredAt: now };
    return d;
  });
}

test('an update fires when the condition becomes true, with old and new values in the trace', () => {
  const d = evaluateTrigger(P1_UPDATED, updated(inc({ severity: 'P2' }), inc({ severity: 'P1' })));
  assert.equal(d.fires, true);
  assert.match(d.reason, /^condition holds: severity="?P1"? in \[P0, P1\] ✓/);
  const stays = evaluateTrigger(P1_UPDATED, updated(inc({ severity: 'P1' }), inc({ severity: 'P0' })));
  assert.equal(stays.fires, false);
  assert.match(stays.reason, /already true before this change/);
  const changedTo = trig({ on: 'incident.updated', when: { severity: { changed_to: 'P1' } } });
  const withOld = evaluateTrigger(changedTo, updated(inc({ severity: 'P3' }), inc({ severity: 'P1' })));
  assert.equal(withOld.fires, true);
  assert.match(withOld.traceLines.join('\n'), /severity="?P1"? \(was "?P3"?\) changed_to P1/);
});

test('P1 → P2 → P1 does not fire a second time under the default once: per_incident', () => {
  const a = inc({ severity: 'P2' });
  const b = inc({ severity: 'P1' });
  const out = replay(P1_UPDATED, [updated(a, b), updated(b, a), updated(a, b), updated(b, a), updated(a, b)]);
  assert.deepEqual(
    out.map((d) => d.fires),
    [true, false, false, false, false],
  );
  assert.match(out[2]!.reason, /already fired for this incident \(once: per_incident\)/);
  assert.equal(out[1]!.rearm, true, 'turning false is noted (it matters for per_change)');
});

test('once: per_change re-arms when the condition turns false, and only then', () => {
  const t = trig({ ...P1_UPDATED, once: 'per_change' });
  const p2 = inc({ severity: 'P2' });
  const p1 = inc({ severity: 'P1' });
  const p0 = inc({ severity: 'P0' });
  const out = replay(t, [updated(p2, p1), updated(p1, p0), updated(p0, p2), updated(p2, p1)]);
  assert.deepEqual(
    out.map((d) => d.fires),
    [true, false, false, true],
  );
  // Armed but the condition did not *become* true (it was true before): no fire.
  assert.equal(evaluateTrigger(t, updated(p1, p0), { history: FRESH_HISTORY }).fires, false);
  // Became true but not re-armed since the last firing: no fire.
  const notArmed = { armed: false, runbookFireCount: 1, runbookLastFiredAt: T0 };
  const d = evaluateTrigger(t, updated(p2, p1), { history: notArmed, now: T0 + MIN });
  assert.equal(d.fires, false);
  assert.match(d.reason, /fires again after the condition turns false \(once: per_change\)/);
});

test('cooldown: a re-armed trigger waits until the cooldown has passed since the last firing', () => {
  const t = trig({ ...P1_UPDATED, once: 'per_change', cooldown: '30m' });
  const p2 = inc({ severity: 'P2' });
  const p1 = inc({ severity: 'P1' });
  const evs = [updated(p2, p1), updated(p1, p2), updated(p2, p1), updated(p1, p2), updated(p2, p1)];
  const out = replay(t, evs, [T0, T0 + 5 * MIN, T0 + 10 * MIN, T0 + 40 * MIN, T0 + 45 * MIN]);
  assert.deepEqual(
    out.map((d) => d.fires),
    [true, false, false, false, true],
  );
  assert.match(out[2]!.reason, /^cooldown 30m: this runbook fired 10m 00s ago/);
  assert.equal(
    historyBlock(t, { armed: true, runbookFireCount: 1, runbookLastFiredAt: T0 }, T0 + 30 * MIN),
    null,
    'exactly the cooldown later it may fire',
  );
});

test('never on resolved incidents, whatever the condition and history', () => {
  const any = trig({ on: 'incident.updated' });
  const res = inc({ status: 'resolved', severity: 'P1' });
  for (const t of [any, P1_UPDATED, trig({ on: 'incident.created' })]) {
    const ev =
      t.on === 'incident.created' ? created(res) : updated(inc({ status: 'mitigated', severity: 'P2' }), res);
    const d = evaluateTrigger(t, ev, { history: FRESH_HISTORY, now: T0 });
    assert.equal(d.fires, false);
    assert.equal(d.reason, 'the incident is resolved');
    assert.equal(d.rearm, undefined, 'resolving does not re-arm');
  }
});

test('created vs updated: a trigger listens to its own event only', () => {
  const onCreate = trig({ on: 'incident.created', when: { severity: { at_least: 'P1' } } });
  assert.equal(evaluateTrigger(onCreate, created(inc({ severity: 'P1' }))).fires, true);
  const upd = evaluateTrigger(onCreate, updated(inc(), inc({ severity: 'P1' })));
  assert.equal(upd.fires, false);
  assert.equal(upd.reason, 'listens to incident.created, this is incident.updated');
  const onUpdate = evaluateTrigger(P1_UPDATED, created(inc({ severity: 'P1' })));
  assert.equal(onUpdate.fires, false);
  assert.match(onUpdate.reason, /listens to incident.updated/);
  // A created-trigger whose condition is false says why, clause by clause.
  const no = evaluateTrigger(onCreate, created(inc({ severity: 'P3' })));
  assert.equal(no.fires, false);
  assert.match(no.reason, /^condition is false: severity="?P3"? at_least P1 ✗/);
  // Without a condition, an update trigger fires on an update (once limits how often).
  const bare = trig({ on: 'incident.updated' });
  assert.equal(evaluateTrigger(bare, updated(inc(), inc({ summary: 'y' }))).fires, true);
  const again = evaluateTrigger(bare, updated(inc(), inc({ summary: 'z' })), {
    history: { armed: false, runbookFireCount: 1, runbookLastFiredAt: T0 },
    now: T0 + MIN,
  });
  assert.equal(again.fires, false);
});

test('incidentType: typed runbooks fire only for incidents of their type; any fits all', () => {
  const t = trig({ on: 'incident.created' });
  const typed = { context: { incidentType: 'major-incident' } };
  const d = evaluateTrigger(t, created(inc({ type: 'any' })), { runbook: typed });
  assert.equal(d.fires, false);
  assert.equal(d.reason, 'the runbook is for incidents of type major-incident; this one is any');
  assert.equal(evaluateTrigger(t, created(inc({ type: 'major-incident' })), { runbook: typed }).fires, true);
  assert.equal(runbookFits({ context: { incidentType: 'any' } }, { type: 'major-incident' }), true);
  assert.equal(runbookFits(typed, { type: 'security' }), false);
});

test('custom fields and any: branches, clause by clause', () => {
  const t = trig({
    on: 'incident.updated',
    when: {
      'fields.customer_facing': { equals: true },
      any: [{ service: { in: ['checkout', 'payments'] } }, { environment: { equals: 'prod' } }],
    },
  });
  const before = inc({ type: 'major-incident', fields: { customer_facing: false } });
  const after = inc({ type: 'major-incident', fields: { customer_facing: true } });
  const d = evaluateTrigger(t, updated(before, after));
  assert.equal(d.fires, true);
  assert.match(d.traceLines.join('\n'), /✓ fields\.customer_facing=true equals true/);
  assert.equal(evaluateTrigger(t, updated(after, { ...after, summary: 'x' })).fires, false);
});

test('the policy text says how often a trigger fires', () => {
  assert.equal(evaluateTrigger(P1_UPDATED, created(inc())).policy, 'once per incident');
  const t = trig({ ...P1_UPDATED, once: 'per_change', cooldown: '1h' });
  assert.equal(
    evaluateTrigger(t, created(inc())).policy,
    'again each time the condition turns true · cooldown 1h',
  );
});

test('at approval time: still holds, resolved, or lowered severity; change operators become levels', () => {
  const t = trig({ on: 'incident.created', when: { severity: { at_least: 'P1' } } });
  assert.equal(triggerStillHolds(t, inc({ severity: 'P1' })).holds, true);
  const lowered = triggerStillHolds(t, inc({ severity: 'P3' }));
  assert.equal(lowered.holds, false);
  assert.match(lowered.reason, /^the condition no longer holds: severity="?P3"? at_least P1 ✗/);
  const resolved = triggerStillHolds(t, inc({ severity: 'P1', status: 'resolved' }));
  assert.deepEqual([resolved.holds, resolved.reason], [false, 'INC-1 is now resolved']);
  const change = trig({
    on: 'incident.updated',
    when: { severity: { changed_to: 'P1' }, service: { changed: true, equals: 'checkout' } },
  });
  assert.equal(triggerStillHolds(change, inc({ severity: 'P1' })).holds, true);
  assert.equal(triggerStillHolds(change, inc({ severity: 'P2' })).holds, false);
  assert.deepEqual(
    levelCondition({
      severity: { changed_to: 'P1' },
      service: { changed: true },
      any: [{ x: { changed: true } }],
    }),
    { severity: { equals: 'P1' } },
  );
  assert.equal(levelCondition({ severity: { changed_from: 'P2' } }), null);
  assert.equal(triggerStillHolds(trig({ on: 'incident.created' }), inc()).holds, true);
});
