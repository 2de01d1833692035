import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dryRun, formatDryRun } from '../../src/engine/dry-run.ts';
import { runbookSchema } from '../../src/manifests/schema.ts';
import type { Incident } from '../../src/domain/types.ts';

const runbook = (over: Record<string, unknown>) =>
  runbookSchema.parse({
    kind: 'Runbook',
    id: 'rb',
    name: 'RB',
    steps: [{ id: 'note', uses: 'timeline.event', with: { text: 'x' } }],
    ...over,
  });
const incident = (over: Partial<Incident> = {}): Incident => ({
  id: 'INC-1',
  summary: 's',
  severity: 'P1',
  status: 'investigating',
  service: 'checkout',
  environment: 'prod',
  type: 'any',
  commander: null,
  channel: null,
  createdAt: '2026-11-26T13:00:00.000Z',
  fields: {},
  ...over,
});

test('dry-run triggers follow the service: edge on updates, incidentType fit, once/cooldown shown', () => {
  const rb = runbook({
    triggers: [
      { on: 'incident.created', when: { severity: { at_least: 'P1' } } },
      { on: 'incident.updated', when: { severity: { at_least: 'P1' } }, once: 'per_change', cooldown: '15m' },
    ],
  });
  const created = dryRun(rb, incident());
  assert.deepEqual(
    created.triggers.map((t) => t.fires),
    [true, false],
  );
  const text = formatDryRun(created);
  assert.match(text, /\[0\] on incident\.created: WOULD FIRE — condition holds: severity/);
  assert.match(text, /\(fires once per incident; the first firing for an incident is shown\)/);
  assert.match(text, /\(fires again each time the condition turns true · cooldown 15m;/);

  const stillP1 = dryRun(rb, incident({ severity: 'P0' }), { previous: incident({ severity: 'P1' }) });
  assert.equal(stillP1.triggers[1]!.fires, false);
  assert.match(stillP1.triggers[1]!.reason, /already true before this change/);
  const raised = dryRun(rb, incident(), { previous: incident({ severity: 'P3' }) });
  assert.equal(raised.triggers[1]!.fires, true);

  const typed = runbook({
    context: { incidentType: 'major-incident' },
    triggers: [{ on: 'incident.created' }],
  });
  const t = dryRun(typed, incident()).triggers[0]!;
  assert.deepEqual(
    [t.fires, t.reason],
    [false, 'the runbook is for incidents of type major-incident; this one is any'],
  );
  assert.equal(dryRun(rb, incident({ status: 'resolved' })).triggers[0]!.reason, 'the incident is resolved');
});

test('approval_timeout: a duration between 1m and 7d', () => {
  const ok = runbook({ approval_timeout: '45m' });
  assert.equal(ok.approval_timeout, '45m');
  for (const bad of ['0m', '30s', '8d', 'soon']) {
    const r = runbookSchema.safeParse({
      kind: 'Runbook',
      id: 'rb',
      name: 'RB',
      approval_timeout: bad,
      steps: [{ id: 'note', uses: 'timeline.event', with: { text: 'x' } }],
    });
    assert.equal(r.success, false, bad);
    assert.match(
      r.error!.issues[0]!.message,
      /approval_timeout is between 1m and 7d|a duration is a number and a unit/,
    );
  }
});
