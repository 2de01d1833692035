/**
 * Test incidents (issue 8), the pure parts: how they are marked on every Slack surface (builders
 * only, no Slack), the channel name, `/incident declare --test` parsing, validation of the flag,
 * the timeline text, the Alertmanager label, and that they never hold a deployment gate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentGateSchema, type DeploymentGate } from '../../src/manifests/schema.ts';
import * as ids from '../../src/slack/ids.ts';
import {
  checkMessage,
  checkView,
  declareModal,
  helpText,
  homeView,
  incidentSummary,
  parseDeclareArgs,
  parseDeclareMeta,
  runLine,
  runList,
  runMessage,
  incidentLine,
  TEST_MARK,
  testBanner,
  testPrefix,
} from '../../src/slack/blocks/index.ts';
import { channelName } from '../../src/slack/incident-channel.ts';
import { validateDeclare } from '../../src/incidents/validate.ts';
import { declaredText } from '../../src/incidents/changes.ts';
import { isAppError } from '../../src/errors.ts';
import { computeHolds, holdOf, runbookBlockers, type GateOverride } from '../../src/gates/evaluate.ts';
import { alertmanagerPayload, mapAlertGroup } from '../../src/http/api/alertmanager-map.ts';
import { T0, catalog, incident, run, runbook, step } from './slack-blocks-data.ts';

const json = (v: unknown) => JSON.stringify(v);

test('the mark: a prefix and a banner for test incidents only', () => {
  assert.equal(testPrefix(true), `${TEST_MARK} · `);
  assert.equal(testPrefix(true, ' '), `${TEST_MARK} `);
  assert.equal(testPrefix(false), '');
  assert.equal(testPrefix(undefined), '');
  const [banner, ...rest] = testBanner(true);
  assert.equal(rest.length, 0);
  assert.equal(banner?.type, 'context');
  assert.equal((banner as { block_id?: string }).block_id, ids.TEST_MARK_BLOCK);
  assert.match(json(banner), /🧪 TEST/);
  assert.match(json(banner), /staging/);
  assert.match(json(banner), /no deployment gate/);
  assert.deepEqual(testBanner(false), []);
  assert.deepEqual(testBanner(undefined), []);
});

test('channel names: test- prefix, still lowercase and at most 80 characters, suffix kept', () => {
  assert.equal(channelName('INC-7', 'Checkout down', '', true), 'test-inc-7-checkout-down');
  assert.equal(channelName('INC-7', 'Checkout down'), 'inc-7-checkout-down', 'real incidents unchanged');
  const long = 'Very long summary '.repeat(10);
  for (const suffix of ['', '-2', '-5']) {
    const name = channelName('INC-123456', long, suffix, true);
    assert.ok(name.length <= 80, `${name} is ${name.length} long`);
    assert.ok(name.startsWith('test-inc-123456-very-long'), name);
    if (suffix) assert.ok(name.endsWith(suffix), name);
    assert.doesNotMatch(name, /-$/);
    assert.match(name, /^[a-z0-9_-]+$/);
    assert.doesNotMatch(name, /--/);
  }
  assert.equal(channelName('INC-9', '', '', true), 'test-inc-9');
});

test('/incident declare arguments: --test anywhere, dash variants, unknown options refused', () => {
  assert.deepEqual(parseDeclareArgs('--test Checkout down'), { summary: 'Checkout down', test: true });
  assert.deepEqual(parseDeclareArgs('Checkout down --test'), { summary: 'Checkout down', test: true });
  assert.deepEqual(parseDeclareArgs('—test smart dash'), { summary: 'smart dash', test: true });
  assert.deepEqual(parseDeclareArgs('–TEST en dash'), { summary: 'en dash', test: true });
  assert.deepEqual(parseDeclareArgs('Checkout down'), { summary: 'Checkout down', test: false });
  assert.deepEqual(parseDeclareArgs(''), { summary: '', test: false });
  assert.deepEqual(parseDeclareArgs('  --test  '), { summary: '', test: true });
  // A lone "--" or a hyphenated word is summary text, not an option.
  assert.deepEqual(parseDeclareArgs('db -- slow re-deploy'), {
    summary: 'db -- slow re-deploy',
    test: false,
  });
  const typo = parseDeclareArgs('--tset Checkout down');
  assert.ok('error' in typo);
  assert.match(typo.error, /Unknown option `--tset`/);
  assert.match(typo.error, /allowed: `--test`/);
});

test('help and usage mention --test', () => {
  assert.match(helpText('/incident').text, /\/incident declare --test/);
});

test('declare modal with --test: says so, keeps the flag in private_metadata, within limits', () => {
  const cat = catalog();
  const modal = declareModal({
    catalog: cat,
    summary: 'Rehearsal',
    channelId: 'C1',
    channelIsIncident: false,
    test: true,
  });
  assert.equal(modal.title.text, 'Declare a test incident');
  assert.equal(modal.submit?.text, 'Declare test');
  assert.equal((modal.blocks[0] as { block_id?: string }).block_id, ids.TEST_MARK_BLOCK);
  assert.match(json(modal.blocks[0]), /declaring a \*test incident\*/);
  assert.deepEqual(parseDeclareMeta(modal.private_metadata), {
    channelId: 'C1',
    channelIsIncident: false,
    test: true,
  });
  assert.deepEqual(checkView(modal), []);
  assert.ok(!json(modal).includes(ids.DECLARE_CHANNEL_BLOCK), 'no "use this channel" choice for a test');
  assert.match(json(modal), /own new `test-inc-…` channel/);
  assert.ok(
    json(declareModal({ catalog: cat, channelId: 'C1', channelIsIncident: false })).includes(
      ids.DECLARE_CHANNEL_BLOCK,
    ),
  );

  // Rebuilt for a type with its fields: still a test modal.
  const typed = declareModal({
    catalog: cat,
    typeId: 'major-incident',
    channelId: 'C1',
    channelIsIncident: true,
    test: true,
  });
  assert.equal(typed.title.text, 'Declare a test incident');
  assert.deepEqual(checkView(typed), []);

  const real = declareModal({ catalog: cat, channelId: 'C1', channelIsIncident: false });
  assert.equal(real.title.text, 'Declare an incident');
  assert.doesNotMatch(json(real), /🧪|test_mark/);
  assert.deepEqual(parseDeclareMeta(real.private_metadata), { channelId: 'C1', channelIsIncident: false });
  // Only a real boolean true counts (private_metadata is ours, but be strict anyway).
  assert.equal(parseDeclareMeta(json({ channelId: 'C1', test: 'true' }))?.test, undefined);
});

test('pinned summary: header, banner and fallback text marked; a real incident is not', () => {
  const inc = incident({ test: true });
  const msg = incidentSummary(inc, null, T0);
  assert.match(
    json(msg.blocks[0]),
    /^{"type":"header","text":{"type":"plain_text","text":"🧪 TEST · 🚨 INC-42/,
  );
  assert.equal((msg.blocks[1] as { block_id?: string }).block_id, ids.TEST_MARK_BLOCK);
  assert.ok(msg.text.startsWith('🧪 TEST · 🚨 INC-42'), msg.text);
  assert.deepEqual(checkMessage(msg), []);
  const resolved = incidentSummary(incident({ test: true, status: 'resolved' }), null, T0);
  assert.ok(resolved.text.startsWith('🧪 TEST · ✅'), 'still marked once resolved');

  const real = incidentSummary(incident(), null, T0);
  assert.doesNotMatch(json(real), /🧪|test_mark/);
});

test('run message and approval prompt of a run in a test incident are marked', () => {
  const inc = incident({ test: true });
  const running = runMessage({ run: run(), steps: [step()], incident: inc, now: T0 + 5000 });
  assert.ok(running.text.startsWith(`${TEST_MARK} · `), running.text);
  assert.match(json(running.blocks[0]), /🧪 TEST · /);
  assert.ok(running.blocks.some((b) => (b as { block_id?: string }).block_id === ids.TEST_MARK_BLOCK));
  assert.deepEqual(checkMessage(running), []);

  const awaiting = run({
    state: 'awaiting_approval',
    trigger: 'incident.created',
    triggerDetail: 'severity is P1',
    requester: null,
    approvalExpiresAt: T0 + 3_600_000,
  });
  const prompt = runMessage({ run: awaiting, steps: [], incident: inc, now: T0 });
  const approvalSection = prompt.blocks.find((b) => json(b).includes('Approval needed'));
  assert.match(json(approvalSection), /Approval needed\* · 🧪 TEST incident/);
  assert.ok(json(prompt).includes(ids.RUN_APPROVE), 'the buttons are still there');
  assert.deepEqual(checkMessage(prompt), []);

  const real = runMessage({ run: awaiting, steps: [], incident: incident(), now: T0 });
  assert.doesNotMatch(json(real), /🧪|test_mark/);
  const noIncident = runMessage({ run: run({ incidentId: null }), steps: [], incident: null, now: T0 });
  assert.doesNotMatch(json(noIncident), /🧪/);
});

test('App Home: open incidents listed with the test mark, runs of test incidents marked', () => {
  const testInc = incident({ id: 'INC-8', test: true, summary: 'Rehearsal', channel: 'C0TEST8' });
  const realInc = incident({ id: 'INC-9', summary: 'Payments slow', service: 'payments' });
  const runs = [run({ id: 'RUN-1', incidentId: 'INC-8' }), run({ id: 'RUN-2', incidentId: 'INC-9' })];
  const home = homeView({
    runbooks: [runbook()],
    runs,
    now: T0,
    incidents: [testInc, realInc],
    testIncidents: new Set(['INC-8']),
  });
  const text = json(home);
  assert.match(text, /Open incidents/);
  assert.match(text, /🧪 TEST 🟠 \*INC-8\* Rehearsal/);
  assert.match(text, /🟠 \*INC-9\* Payments slow/);
  assert.doesNotMatch(text, /🧪 TEST 🟠 \*INC-9\*/);
  assert.match(text, /🧪 TEST [^\\]*\*RUN-1\*/);
  assert.doesNotMatch(text, /🧪 TEST [^\\]*\*RUN-2\*/);
  assert.deepEqual(checkView(home), []);

  assert.match(json(homeView({ runbooks: [], runs: [], now: T0, incidents: [] })), /No open incidents/);
  assert.doesNotMatch(
    json(homeView({ runbooks: [], runs: [], now: T0 })),
    /incidents/i,
    'no section unless asked',
  );

  // Many open incidents stay within the limits.
  const many = Array.from({ length: 60 }, (_, i) =>
    incident({ id: `INC-${i}`, test: i % 2 === 0, summary: 'x'.repeat(150) }),
  );
  assert.deepEqual(checkView(homeView({ runbooks: [runbook()], runs, now: T0, incidents: many })), []);
});

test('list lines: runLine and incidentLine carry the mark only when asked', () => {
  assert.ok(runLine(run(), { now: T0, test: true }).startsWith('🧪 TEST '));
  assert.ok(!runLine(run(), { now: T0 }).includes('🧪'));
  assert.ok(incidentLine(incident({ test: true })).startsWith('🧪 TEST '));
  assert.ok(!incidentLine(incident()).includes('🧪'));
  assert.match(incidentLine(incident()), /checkout\/prod · <#C0INC42>/);
});

test('validateDeclare: test must be a boolean; true is kept, false and absent leave no flag', () => {
  const cat = catalog([], []);
  const base = { summary: 'Rehearsal', severity: 'P1' };
  assert.equal(validateDeclare({ ...base, test: true }, cat).test, true);
  assert.equal('test' in validateDeclare({ ...base, test: false }, cat), false);
  assert.equal('test' in validateDeclare(base, cat), false);
  for (const bad of ['true', 1, 'yes', {}]) {
    try {
      validateDeclare({ ...base, test: bad } as never, cat);
      assert.fail(`accepted test=${json(bad)}`);
    } catch (e) {
      assert.ok(isAppError(e) && e.code === 'INPUT_INVALID');
      const fields = e.details.fields as Record<string, string>;
      assert.match(fields.test!, /^test must be true or false, not .*; allowed: true/);
    }
  }
});

test('timeline: the declared event says TEST for a test incident', () => {
  const inc = incident({ test: true });
  assert.match(declaredText(inc, 'U1'), /^🧪 TEST incident declared by <@U1>: P1 · checkout · prod — /);
  assert.match(declaredText(incident(), 'U1'), /^Incident declared by <@U1>/);
});

test('Alertmanager: runbook_bot_test="true" makes a test incident, anything else does not', () => {
  const payload = (labels: Record<string, string>) =>
    alertmanagerPayload.parse({
      version: '4',
      groupKey: '{}:{alertname="X"}',
      status: 'firing',
      commonLabels: labels,
      alerts: [{ status: 'firing', labels }],
    });
  assert.equal(mapAlertGroup(payload({ alertname: 'X', runbook_bot_test: 'true' })).test, true);
  assert.equal(mapAlertGroup(payload({ alertname: 'X', runbook_bot_test: 'TRUE' })).test, true);
  assert.equal(mapAlertGroup(payload({ alertname: 'X', runbook_bot_test: 'false' })).test, undefined);
  assert.equal(mapAlertGroup(payload({ alertname: 'X', runbook_bot_test: 'yes' })).test, undefined);
  assert.equal('test' in mapAlertGroup(payload({ alertname: 'X' })), false);
});

const gate = (over: Record<string, unknown> = {}): DeploymentGate =>
  deploymentGateSchema.parse({
    kind: 'DeploymentGate',
    id: 'prod-freeze',
    name: 'Prod freeze',
    when: { severity: { at_least: 'P1' } },
    scope: { environments: ['prod'], services: 'from-incident' },
    ...over,
  });

test('gates: a test incident holds nothing, not even when frozen by hand; a real one still does', () => {
  const g = gate();
  const testP0 = incident({ id: 'INC-1', severity: 'P0', test: true });
  const realP1 = incident({ id: 'INC-2', severity: 'P1' });
  const freeze: GateOverride = { mode: 'freeze', reason: 'rehearsal', actor: 'U1', at: 0 };
  assert.equal(holdOf(g, testP0), null);
  assert.equal(holdOf(g, testP0, freeze), null);
  assert.equal(
    holdOf(g, { ...testP0, test: false })?.incident,
    'INC-1',
    'the same incident, not a test, holds',
  );
  // A gate that matches everything is still not held by a test incident.
  assert.equal(
    holdOf(
      gate({ when: { severity: { at_least: 'P4' } }, scope: { environments: 'all', services: 'all' } }),
      testP0,
    ),
    null,
  );

  const onlyTest = computeHolds([g], [testP0], new Map([['INC-1', freeze]]));
  assert.deepEqual(onlyTest, []);
  const both = computeHolds([g], [testP0, realP1], new Map());
  assert.deepEqual(
    both.map((h) => h.incident),
    ['INC-2'],
  );

  // `deploys: true` runbooks are not refused because of a test incident.
  const gates = new Map([[g.id, g]]);
  const deploying = { id: 'deploy-hotfix', deploys: true };
  assert.deepEqual(
    runbookBlockers(onlyTest, gates, deploying, { service: 'checkout', environment: 'prod' }),
    [],
  );
  assert.equal(
    runbookBlockers(both, gates, deploying, { service: 'checkout', environment: 'prod' }).length,
    1,
  );
});

test('/runbook status in a test incident: every run line is marked', () => {
  const marked = runList([run(), run()], { now: T0, test: true });
  const body = JSON.stringify(marked.blocks);
  assert.equal(body.split('🧪 TEST').length - 1, 2, body);
  assert.ok(!JSON.stringify(runList([run()], { now: T0 }).blocks).includes('🧪'));
  checkMessage(marked);
});
