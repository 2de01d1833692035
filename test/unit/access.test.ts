import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccess, type UsergroupMembers } from '../../src/access/access.ts';
import { accessPolicySchema, type Catalog } from '../../src/manifests/schema.ts';
import type { Incident } from '../../src/domain/types.ts';
import { ManualClock } from '../support/engine-setup.ts';

const policy = accessPolicySchema.parse({
  kind: 'AccessPolicy',
  roles: {
    commanders: { users: ['U2'] },
    'sre-leads': { usergroups: ['S1'] },
    responders: { everyone: true },
    auditors: { users: ['U7'], usergroups: ['S2'] },
  },
});

function catalogWith(access: Catalog['access']): Catalog {
  return { runbooks: new Map(), incidentTypes: new Map(), access, aliases: new Map(), sources: new Map() };
}

const incident = (commander: string | null): Incident => ({
  id: 'INC-7',
  summary: 'x',
  severity: 'P1',
  status: 'investigating',
  service: null,
  environment: null,
  type: 'any',
  commander,
  channel: 'C1',
  createdAt: '2026-01-01T00:00:00.000Z',
  fields: {},
});

/** Slack's usergroups.users.list as a table the test controls, counting calls per group. */
function groups(table: Record<string, string[] | Error>) {
  const calls: string[] = [];
  const lookup: UsergroupMembers = async (id) => {
    calls.push(id);
    const v = table[id];
    if (v instanceof Error) throw v;
    if (!v) throw new Error('no_such_subteam');
    return v;
  };
  return { calls, lookup, table };
}

function setup(access: Catalog['access'], table: Record<string, string[] | Error> = {}) {
  const clock = new ManualClock();
  const g = groups(table);
  const a = createAccess({ catalog: () => catalogWith(access), usergroupMembers: g.lookup, clock });
  return { a, clock, g };
}

test('listed users hold their role; others are refused with who may', async () => {
  const { a } = setup(policy, { S1: ['U5'], S2: [] });
  assert.deepEqual(await a.check('U2', ['commanders'], incident(null)), {
    ok: true,
    matched: 'commanders',
    needed: ['commanders'],
    who: 'commanders (the incident commander (INC-7 has none yet), <@U2>)',
    errors: [],
  });
  const refused = await a.check('U9', ['commanders', 'sre-leads'], incident('U1'));
  assert.equal(refused.ok, false);
  assert.equal(refused.matched, undefined);
  assert.equal(refused.who, 'commanders (the incident commander <@U1>, <@U2>) or sre-leads (<!subteam^S1>)');
});

test('user groups grant their role; members are cached for 60 s, then refreshed', async () => {
  const { a, clock, g } = setup(policy, { S1: ['U5'] });
  assert.equal((await a.check('U5', ['sre-leads'], null)).matched, 'sre-leads');
  assert.equal((await a.check('U6', ['sre-leads'], null)).ok, false);
  clock.advance(59_999);
  assert.equal((await a.check('U5', ['sre-leads'], null)).ok, true);
  assert.deepEqual(g.calls, ['S1'], 'one Slack call within the TTL');

  g.table.S1 = ['U6']; // membership changes in Slack
  assert.equal((await a.check('U6', ['sre-leads'], null)).ok, false, 'still cached');
  clock.advance(1);
  assert.equal((await a.check('U6', ['sre-leads'], null)).ok, true, 'refreshed after 60 s');
  assert.equal((await a.check('U5', ['sre-leads'], null)).ok, false);
  assert.deepEqual(g.calls, ['S1', 'S1']);
});

test('concurrent checks share one lookup; a custom ttl is honoured', async () => {
  const clock = new ManualClock();
  const g = groups({ S1: ['U5'] });
  const a = createAccess({
    catalog: () => catalogWith(policy),
    usergroupMembers: g.lookup,
    clock,
    ttlMs: 1000,
  });
  const results = await Promise.all([1, 2, 3].map(() => a.check('U5', ['sre-leads'], null)));
  assert.ok(results.every((r) => r.ok));
  assert.equal(g.calls.length, 1);
  clock.advance(1000);
  await a.check('U5', ['sre-leads'], null);
  assert.equal(g.calls.length, 2);
});

test('users, everyone and the commander are checked before any Slack call', async () => {
  const { a, g } = setup(policy, { S1: ['U5'], S2: ['U5'] });
  assert.equal((await a.check('U1', ['sre-leads', 'commanders'], incident('U1'))).matched, 'commanders');
  assert.equal((await a.check('U7', ['sre-leads', 'auditors'], null)).matched, 'auditors');
  assert.equal((await a.check('U123', ['sre-leads', 'responders'], null)).matched, 'responders');
  assert.deepEqual(g.calls, []);
});

test('everyone: true matches anyone', async () => {
  const { a } = setup(policy);
  const r = await a.check('UANYONE', ['responders'], null);
  assert.equal(r.ok, true);
  assert.equal(r.who, 'responders (everyone)');
});

test('the incident commander always counts as commanders, whatever the policy lists', async () => {
  const { a } = setup(policy);
  assert.equal((await a.check('U1', ['commanders'], incident('U1'))).ok, true);
  assert.equal((await a.check('U1', ['commanders'], incident('U3'))).ok, false);
  assert.equal((await a.check('U1', ['commanders'], null)).ok, false, 'no incident, no commander');
  const noCommandersRole = setup(
    accessPolicySchema.parse({ kind: 'AccessPolicy', roles: { responders: { everyone: true } } }),
  );
  assert.equal((await noCommandersRole.a.check('U1', ['commanders'], incident('U1'))).ok, true);
  assert.deepEqual(await noCommandersRole.a.rolesOf('U1', incident('U1')), ['commanders', 'responders']);
});

test('without an AccessPolicy everyone may run and only the incident commander may approve', async () => {
  const { a } = setup(null);
  const run = await a.check('U9', ['responders'], incident('U1'));
  assert.equal(run.ok, true);
  assert.equal(run.who, 'responders (everyone: there is no AccessPolicy)');
  const approveOther = await a.check('U9', ['commanders'], incident('U1'));
  assert.equal(approveOther.ok, false);
  assert.equal(approveOther.who, 'commanders (the incident commander <@U1>)');
  assert.equal((await a.check('U1', ['commanders'], incident('U1'))).ok, true);
  assert.deepEqual(await a.rolesOf('U9', incident('U1')), ['responders']);
  assert.deepEqual(await a.rolesOf('U1', incident('U1')), ['commanders', 'responders']);
});

test('a failing user group lookup denies that route with the reason, never throws, and is retried', async () => {
  const { a, g } = setup(policy, { S1: new Error('ratelimited'), S2: ['U8'] });
  const r = await a.check('U5', ['sre-leads'], null);
  assert.equal(r.ok, false);
  assert.deepEqual(r.errors, ['could not check members of <!subteam^S1>: ratelimited']);
  assert.equal(r.who, 'sre-leads (<!subteam^S1> (could not check its members: ratelimited))');
  // Another route to a needed role still works.
  assert.equal((await a.check('U8', ['sre-leads', 'auditors'], null)).matched, 'auditors');
  g.table.S1 = ['U5'];
  assert.equal((await a.check('U5', ['sre-leads'], null)).ok, true, 'failures are not cached');
  const throwsSync = createAccess({
    catalog: () => catalogWith(policy),
    usergroupMembers: () => {
      throw new Error('not_authed');
    },
    clock: new ManualClock(),
  });
  assert.deepEqual((await throwsSync.check('U5', ['sre-leads'], null)).errors, [
    'could not check members of <!subteam^S1>: not_authed',
  ]);
});

test('roles missing from the policy let nobody in and say so; no roles at all refuses', async () => {
  const { a } = setup(policy);
  const r = await a.check('U2', ['release-managers'], null);
  assert.equal(r.ok, false);
  assert.equal(r.who, 'release-managers (not defined in the AccessPolicy, so nobody)');
  const none = await a.check('U2', [], null);
  assert.equal(none.ok, false);
  assert.equal(none.who, 'nobody (no roles are allowed)');
});

test('rolesOf lists every role held, through users, groups, everyone and being commander', async () => {
  const { a } = setup(policy, { S1: ['U5'], S2: ['U5'] });
  assert.deepEqual(await a.rolesOf('U5', incident('U5')), [
    'commanders',
    'sre-leads',
    'responders',
    'auditors',
  ]);
  assert.deepEqual(await a.rolesOf('U2', null), ['commanders', 'responders']);
  assert.deepEqual(await a.rolesOf('U9', null), ['responders']);
});

test('long member lists are capped in the refusal text', async () => {
  const users = Array.from({ length: 14 }, (_, i) => `U${100 + i}`);
  const { a } = setup(accessPolicySchema.parse({ kind: 'AccessPolicy', roles: { ops: { users } } }));
  const r = await a.check('U9', ['ops'], null);
  assert.match(r.who, /^ops \(<@U100>, .*<@U109>, \+4 more\)$/);
});
