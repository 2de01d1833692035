import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStore } from '../../src/store/index.ts';
import { createEngine } from '../../src/engine/engine.ts';
import { createTriggerService } from '../../src/triggers/service.ts';
import { createLogger } from '../../src/log.ts';
import { catalogOf, runToEnd } from '../support/engine-setup.ts';
import { rollbackWith, setupTriggers, P1_INCIDENT, type TriggerSetup } from '../support/trigger-setup.ts';

const MIN = 60_000;
const onCreatedP1 = { on: 'incident.created', when: { severity: { at_least: 'P1' } } };
const onUpdatedP1 = { on: 'incident.updated', when: { severity: { at_least: 'P1' } } };

const runsOf = (s: TriggerSetup, incidentId: string) => s.store.runs.forIncident(incidentId);
const setSeverity = (s: TriggerSetup, id: string, severity: string) =>
  s.incidents.update(id, { severity }, 'U0SRE');

test('a P1 incident fires its created-trigger: one run awaiting approval, why it fired, timeline and audit', async () => {
  const s = await setupTriggers([rollbackWith({ triggers: [onCreatedP1] })]);
  try {
    const inc = s.incidents.declare({ ...P1_INCIDENT }, 'api');
    assert.equal(s.firings.length, 1);
    const f = s.firings[0]!;
    assert.deepEqual(
      { runbook: f.runbookId, index: f.triggerIndex, on: f.on, state: f.state, incident: f.incidentId },
      {
        runbook: 'emergency-rollback',
        index: 0,
        on: 'incident.created',
        state: 'awaiting_approval',
        incident: inc.id,
      },
    );
    const [run, ...more] = runsOf(s, inc.id);
    assert.equal(more.length, 0);
    assert.equal(run!.id, f.runId);
    assert.equal(run!.trigger, 'incident.created');
    assert.equal(run!.triggerIndex, 0);
    assert.equal(run!.requester, null);
    assert.match(run!.triggerDetail!, /^severity="?P1"? at_least P1 ✓$/);
    assert.equal(run!.approvalExpiresAt, s.clock.now() + 30 * MIN);
    assert.deepEqual(run!.inputs, { environment: 'prod' }, 'inputs are the defaults');
    const ev = s.store.timeline.forRun(run!.id).find((e) => e.kind === 'run.approval_requested');
    assert.ok(ev?.key, 'the request is a key event');
    assert.match(ev!.text, /Approval requested for RUN-\d+ \(P1 - Emergency Rollback\)/);
    assert.match(ev!.text, /It fired because severity/);
    assert.ok(
      s.store.audit.recent().some((a) => a.action === 'run.approval_request' && a.subject === run!.id),
    );
    await s.engine.drain();
    assert.equal(s.fake.requestsTo('execute').length, 0, 'nothing runs before someone approves');
    assert.ok(s.changes.includes(`${run!.id}:awaiting_approval`), 'the notifier heard of the request');
  } finally {
    await s.cleanup();
  }
});

test('P1 → P2 → P1 → P2 → P1 starts one run under the default once: per_incident', async () => {
  const s = await setupTriggers([rollbackWith({ triggers: [onCreatedP1, onUpdatedP1] })]);
  try {
    const inc = s.incidents.declare({ ...P1_INCIDENT }, 'api');
    for (const sev of ['P2', 'P1', 'P2', 'P1', 'P0']) {
      s.clock.advance(MIN);
      setSeverity(s, inc.id, sev);
    }
    assert.equal(runsOf(s, inc.id).length, 1);
    assert.equal(s.firings.length, 1);
    const rows = s.store.triggerState.forIncident(inc.id);
    assert.deepEqual(
      rows.map((r) => [r.triggerIndex, r.fireCount]),
      [[0, 1]],
      'only the created-trigger ever fired',
    );
    // Declared at P3 and raised to P1 later: the updated-trigger fires once.
    const low = s.incidents.declare({ ...P1_INCIDENT, severity: 'P3', summary: 'later' }, 'api');
    assert.equal(runsOf(s, low.id).length, 0);
    setSeverity(s, low.id, 'P1');
    setSeverity(s, low.id, 'P2');
    setSeverity(s, low.id, 'P1');
    const runs = runsOf(s, low.id);
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.trigger, 'incident.updated');
    assert.equal(runs[0]!.triggerIndex, 1);
  } finally {
    await s.cleanup();
  }
});

test('once: per_change re-arms when the condition turns false; cooldown holds it back', async () => {
  const s = await setupTriggers([
    rollbackWith({ triggers: [{ ...onUpdatedP1, once: 'per_change', cooldown: '30m' }] }),
  ]);
  try {
    const inc = s.incidents.declare({ ...P1_INCIDENT, severity: 'P3' }, 'api');
    setSeverity(s, inc.id, 'P1'); // fires
    s.clock.advance(MIN);
    setSeverity(s, inc.id, 'P0'); // still true: no edge
    s.clock.advance(MIN);
    setSeverity(s, inc.id, 'P2'); // re-arms
    s.clock.advance(MIN);
    setSeverity(s, inc.id, 'P1'); // edge, but 3m after the firing: cooldown
    assert.equal(runsOf(s, inc.id).length, 1);
    setSeverity(s, inc.id, 'P3'); // false again
    s.clock.advance(30 * MIN);
    setSeverity(s, inc.id, 'P1'); // 33m later: fires
    assert.equal(runsOf(s, inc.id).length, 2);
    const [row] = s.store.triggerState.forIncident(inc.id);
    assert.deepEqual([row!.fireCount, row!.armed, row!.lastFiredAt], [2, false, s.clock.now()]);
  } finally {
    await s.cleanup();
  }
});

test('never on resolved incidents; reopening is not a new edge', async () => {
  const s = await setupTriggers([rollbackWith({ triggers: [onUpdatedP1] })]);
  try {
    const inc = s.incidents.declare({ ...P1_INCIDENT, severity: 'P3' }, 'api');
    s.incidents.resolve(inc.id, 'U0SRE');
    setSeverity(s, inc.id, 'P1');
    assert.equal(runsOf(s, inc.id).length, 0, 'raised to P1 while resolved: no run');
    s.incidents.update(inc.id, { status: 'investigating' }, 'U0SRE');
    assert.equal(runsOf(s, inc.id).length, 0);
    assert.deepEqual(s.firings, []);
  } finally {
    await s.cleanup();
  }
});

test("a typed runbook fires only for incidents of its type; the trigger's custom-field condition is honoured", async () => {
  const typed = rollbackWith({
    id: 'typed',
    aliases: [],
    context: { incidentType: 'major-incident' },
    triggers: [{ on: 'incident.created', when: { 'fields.customer_facing': { equals: true } } }],
  });
  const s = await setupTriggers([typed]);
  try {
    const plain = s.incidents.declare({ ...P1_INCIDENT }, 'api');
    assert.equal(runsOf(s, plain.id).length, 0);
    const inside = s.incidents.declare(
      { ...P1_INCIDENT, type: 'major-incident', fields: { customer_facing: false } },
      'api',
    );
    assert.equal(runsOf(s, inside.id).length, 0);
    const facing = s.incidents.declare(
      { ...P1_INCIDENT, type: 'major-incident', fields: { customer_facing: true } },
      'api',
    );
    assert.equal(runsOf(s, facing.id).length, 1);
  } finally {
    await s.cleanup();
  }
});

test('a firing whose run cannot be prepared is a key timeline event, once; the incident change stands', async () => {
  const needsInput = rollbackWith({
    triggers: [onCreatedP1, onUpdatedP1],
    inputs: [{ name: 'environment', type: 'select', options: ['dev', 'qa', 'prod'], required: true }],
  });
  const s = await setupTriggers([needsInput]);
  try {
    const inc = s.incidents.declare({ ...P1_INCIDENT }, 'api');
    assert.equal(s.store.incidents.get(inc.id)!.severity, 'P1');
    assert.equal(runsOf(s, inc.id).length, 0);
    assert.equal(s.firings.length, 1);
    assert.match(s.firings[0]!.error!, /input environment is required/);
    setSeverity(s, inc.id, 'P2');
    setSeverity(s, inc.id, 'P1');
    const failed = s.store.timeline.forIncident(inc.id).filter((e) => e.kind === 'trigger.failed');
    assert.equal(failed.length, 1, 'recorded once, not on every update');
    assert.ok(failed[0]!.key);
    assert.match(
      failed[0]!.text,
      /^P1 - Emergency Rollback was triggered \(incident\.created: severity.*\) but could not start: Cannot run/,
    );
    assert.ok(s.store.audit.recent().some((a) => a.action === 'trigger.failed'));
  } finally {
    await s.cleanup();
  }
});

test('approval: none on the trigger starts the run at once and it executes once', async () => {
  const s = await setupTriggers([rollbackWith({ triggers: [{ ...onCreatedP1, approval: 'none' }] })]);
  try {
    s.fake.program('rollback_service', { statuses: ['Success'] });
    const inc = s.incidents.declare({ ...P1_INCIDENT }, 'api');
    const [run] = runsOf(s, inc.id);
    assert.equal(run!.state, 'running');
    assert.equal(run!.approvalExpiresAt, null);
    await runToEnd(s, run!.id);
    assert.equal(s.store.runs.get(run!.id)!.state, 'succeeded');
    assert.equal(s.fake.requestsTo('execute').length, 1);
  } finally {
    await s.cleanup();
  }
});

test('two processes handling the same edge start one run; the history survives a restart', async () => {
  const rb = rollbackWith({ triggers: [onCreatedP1, onUpdatedP1] });
  const s = await setupTriggers([rb]);
  const other = createStore(s.dbPath);
  try {
    const log = createLogger('silent');
    const engine2 = createEngine({ store: other, catalog: () => catalogOf(rb), clock: s.clock, log });
    const triggers2 = createTriggerService({
      store: other,
      engine: engine2,
      catalog: () => catalogOf(rb),
      clock: s.clock,
      log,
    });
    const inc = s.incidents.declare({ ...P1_INCIDENT, severity: 'P3' }, 'api');
    const { incident: raised } = setSeverity(s, inc.id, 'P1');
    // The same event delivered again, to this process and to a second one on the same file.
    const previous = { ...raised, severity: 'P3' as const };
    const ev = {
      type: 'incident.updated' as const,
      incident: raised,
      previous,
      changes: [],
      actor: null,
      at: 0,
    };
    assert.deepEqual(triggers2.handle(ev), []);
    assert.deepEqual(s.triggers.handle(ev), []);
    assert.equal(runsOf(s, inc.id).length, 1);

    // A new process on the same file remembers that the runbook fired for this incident.
    s.clock.advance(MIN);
    const back = { ...raised, severity: 'P2' as const };
    triggers2.handle({ ...ev, incident: back, previous: raised });
    assert.equal(triggers2.handle({ ...ev, incident: raised, previous: back }).length, 0);
    assert.equal(runsOf(s, inc.id).length, 1);
  } finally {
    other.close();
    await s.cleanup();
  }
});

test('the claim is one conditional update: from two connections only the first wins; per_change, cooldown', async () => {
  const s = await setupTriggers([rollbackWith({})]);
  const other = createStore(s.dbPath);
  try {
    const inc = s.incidents.declare({ ...P1_INCIDENT }, 'api');
    const key = { incidentId: inc.id, runbookId: 'emergency-rollback', triggerIndex: 0 };
    const key1 = { ...key, triggerIndex: 1 };
    const once = { once: 'per_incident' as const, cooldownMs: null };
    const t = s.clock.now();
    assert.equal(s.store.triggerState.claim(key, once, t), true);
    assert.equal(other.triggerState.claim(key, once, t), false, 'second connection, same edge');
    assert.equal(
      other.triggerState.claim(key1, once, t),
      false,
      'per_incident covers every trigger of the runbook',
    );

    const change = { once: 'per_change' as const, cooldownMs: 10 * MIN };
    assert.equal(other.triggerState.claim(key1, change, t), false, 'cooldown since the firing of trigger 0');
    assert.equal(other.triggerState.claim(key1, change, t + 10 * MIN), true, 'cooldown over');
    assert.equal(s.store.triggerState.claim(key1, change, t + 60 * MIN), false, 'not re-armed');
    s.store.triggerState.rearm(key1, t + 61 * MIN);
    assert.equal(s.store.triggerState.history(key1).armed, true);
    assert.equal(other.triggerState.claim(key1, change, t + 62 * MIN), true);
    assert.deepEqual(s.store.triggerState.history(key), {
      armed: false,
      runbookFireCount: 3,
      runbookLastFiredAt: t + 62 * MIN,
    });
  } finally {
    other.close();
    await s.cleanup();
  }
});
