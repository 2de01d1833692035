import { test } from 'node:test';
import assert from 'node:assert/strict';
import { approvalRequired, canDecide, type DecidableRun } from '../../src/domain/approval.ts';
import { createAccess } from '../../src/access/access.ts';
import { accessPolicySchema, runbookSchema, type Catalog, type Runbook } from '../../src/manifests/schema.ts';
import type { Incident } from '../../src/domain/types.ts';
import { ManualClock } from '../support/engine-setup.ts';

const policy = accessPolicySchema.parse({
  kind: 'AccessPolicy',
  roles: {
    commanders: { users: ['U0CMD'] },
    'sre-leads': { usergroups: ['S0LEADS'] },
    responders: { everyone: true },
  },
});

function access(withPolicy: boolean, groups: Record<string, string[]> = { S0LEADS: ['U0LEAD'] }) {
  const catalog: Catalog = {
    runbooks: new Map(),
    incidentTypes: new Map(),
    access: withPolicy ? policy : null,
    aliases: new Map(),
    sources: new Map(),
  };
  return createAccess({
    catalog: () => catalog,
    clock: new ManualClock(),
    usergroupMembers: async (g) => groups[g] ?? [],
  });
}

function runbook(access: Record<string, unknown> = {}): Runbook {
  return runbookSchema.parse({
    kind: 'Runbook',
    id: 'rollback',
    name: 'Rollback',
    inputs: [{ name: 'environment', type: 'select', options: ['dev', 'prod'] }],
    access,
    steps: [{ id: 'note', uses: 'timeline.event', with: { text: 'x' } }],
  });
}

const run = (over: Partial<DecidableRun> & { approve?: string[] } = {}): DecidableRun => ({
  id: 'RUN-3',
  requester: over.requester === undefined ? 'U0REQ' : over.requester,
  runbook: runbook(over.approve ? { approve: over.approve } : {}),
});

const incident = (commander: string | null): Incident => ({
  id: 'INC-4',
  summary: 's',
  severity: 'P1',
  status: 'investigating',
  service: 'checkout',
  environment: 'prod',
  type: 'any',
  commander,
  channel: 'C1',
  createdAt: '2026-11-26T13:00:00.000Z',
  fields: {},
});

test('approvalRequired: none, required, and {when} over inputs, incident and run', () => {
  assert.equal(approvalRequired(runbook(), {}).required, false);
  const req = approvalRequired(runbook({ approval: 'required' }), {});
  assert.deepEqual(req, {
    required: true,
    reason: 'the runbook requires approval for every run (approval: required)',
  });
  const when = runbook({
    approval: { when: { 'inputs.environment': { equals: 'prod' }, 'incident.severity': { at_least: 'P1' } } },
  });
  const prod = approvalRequired(when, { inputs: { environment: 'prod' }, incident: { severity: 'P0' } });
  assert.equal(prod.required, true);
  assert.match(prod.reason, /^approval is required when inputs\.environment="prod" equals prod ✓/);
  const dev = approvalRequired(when, { inputs: { environment: 'dev' }, incident: { severity: 'P0' } });
  assert.equal(dev.required, false);
  assert.match(dev.reason, /^no approval needed: inputs\.environment="dev" equals prod ✗/);
  const byRun = runbook({ approval: { when: { 'run.trigger': { not_equals: 'manual' } } } });
  assert.equal(approvalRequired(byRun, { run: { trigger: 'manual' } }).required, false);
});

test('the requester can never approve their own run, even as a commander', async () => {
  const r = await canDecide(access(true), 'U0CMD', run({ requester: 'U0CMD' }), incident('U0CMD'));
  assert.equal(r.ok, false);
  assert.match(r.reason, /^You requested this run; someone else must approve it: commanders \(/);
  assert.match(r.reason, /<@U0CMD>/, 'says who can');
});

test('roles from access.approve: listed users and user-group members may decide; others are told who can', async () => {
  const a = access(true);
  const rb = run({ approve: ['commanders', 'sre-leads'] });
  assert.equal((await canDecide(a, 'U0CMD', rb, incident(null))).ok, true);
  const lead = await canDecide(a, 'U0LEAD', rb, incident(null));
  assert.deepEqual(lead, { ok: true, reason: '<@U0LEAD> may decide as sre-leads' });
  const other = await canDecide(a, 'U0RANDOM', rb, incident(null));
  assert.equal(other.ok, false);
  assert.match(
    other.reason,
    /^Only commanders \(.*<@U0CMD>.*\) or sre-leads \(<!subteam\^S0LEADS>\) can approve/,
  );
  assert.match(other.reason, /runs of Rollback\.$/);
  // A role that is everyone lets anyone but the requester decide.
  const open = run({ approve: ['responders'] });
  assert.equal((await canDecide(a, 'U0RANDOM', open, null)).ok, true);
  assert.equal((await canDecide(a, 'U0REQ', open, null)).ok, false);
});

test("the incident's commander counts as commanders; a different incident's commander does not", async () => {
  const a = access(true);
  const ok = await canDecide(a, 'U0IC', run(), incident('U0IC'));
  assert.deepEqual(ok, { ok: true, reason: '<@U0IC> may decide as commanders' });
  assert.equal((await canDecide(a, 'U0IC', run(), incident('U0OTHER'))).ok, false);
  // Only when the runbook names commanders among its approvers.
  assert.equal((await canDecide(a, 'U0IC', run({ approve: ['sre-leads'] }), incident('U0IC'))).ok, false);
});

test('no AccessPolicy: only the incident commander may approve; automatic runs have no requester', async () => {
  const a = access(false);
  const auto = run({ requester: null });
  assert.equal((await canDecide(a, 'U0IC', auto, incident('U0IC'))).ok, true);
  const other = await canDecide(a, 'U0ANY', auto, incident('U0IC'));
  assert.equal(other.ok, false);
  assert.match(other.reason, /the incident commander <@U0IC>/);
  const none = await canDecide(a, 'U0ANY', auto, incident(null));
  assert.match(none.reason, /INC-4 has none yet/);
  const blank = await canDecide(a, '', auto, incident('U0IC'));
  assert.equal(blank.ok, false);
});
