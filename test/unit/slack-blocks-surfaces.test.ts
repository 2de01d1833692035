import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  incidentSummary,
  homeView,
  helpText,
  runbookChoices,
  runList,
  explainText,
  harnessUrlOf,
} from '../../src/slack/blocks/index.ts';
import { evaluateTrigger } from '../../src/domain/triggers.ts';
import * as ids from '../../src/slack/ids.ts';
import {
  EXEC_URL,
  NASTY,
  T0,
  allText,
  assertMessageOk,
  mrkdwnText,
  assertViewOk,
  incident,
  incidentType,
  noteStep,
  run,
  runbook,
  step,
} from './slack-blocks-data.ts';

type AnyBlock = { type: string; accessory?: { action_id?: string; value?: string } };

test('incident summary: header, severity, status, commander, type, base and custom fields, times', () => {
  const inc = incident({
    fields: {
      customer_facing: true,
      region: 'eu-west-1',
      owner: 'U0OWNER',
      teams: ['payments'],
      legacy: 'kept',
    },
  });
  const msg = incidentSummary(inc, incidentType(), T0);
  assertMessageOk(msg);
  const text = allText(msg.blocks);
  assert.match(text, /🚨 INC-42 · Checkout 500s in eu-west-1/);
  assert.match(text, /\*Severity\*\n🟠 P1/);
  assert.match(text, /\*Status\*\n🔍 investigating/);
  assert.match(text, /\*Commander\*\n<@U0COMMAND>/);
  assert.match(text, /\*Type\*\nMajor Incident/);
  assert.match(text, /\*Service\*\ncheckout/);
  assert.match(text, /\*Customer facing\*\nYes/);
  assert.match(text, /\*Region\*\neu-west-1/);
  assert.match(text, /\*Jira issue\*\n—/);
  assert.match(text, /\*owner\*\n<@U0OWNER>/);
  assert.match(text, /\*legacy\*\nkept/, 'values of fields no longer in the type still show');
  assert.match(text, /Declared 10m ago · updated 1m ago/);
  assert.equal(msg.text, '🚨 INC-42 (P1, investigating): Checkout 500s in eu-west-1');
});

test('incident summary: resolved, no commander, no type, hostile and huge values', () => {
  const fields = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f_${i}`, NASTY.repeat(100)]));
  const msg = incidentSummary(
    incident({
      status: 'resolved',
      commander: null,
      type: 'any',
      summary: NASTY.repeat(100),
      service: NASTY,
      fields,
    }),
    null,
    T0,
  );
  assertMessageOk(msg);
  const text = allText(msg.blocks);
  assert.match(msg.text, /^✅ INC-42/);
  assert.doesNotMatch(mrkdwnText(msg), /<!channel>|<@U0EVIL>/);
  assert.match(text, /_unassigned_/);
  assert.match(text, /\*Type\*\nGeneral/);
  assert.match(text, /_\+\d+ more_/);
});

test('home: every runbook with a Run button and its triggers, then the recent runs', () => {
  const rbs = [
    runbook(),
    runbook({
      id: 'scale',
      name: 'Scale service',
      triggers: [],
      context: { incidentType: 'any' },
      aliases: [],
    }),
  ];
  const runs = [
    run(),
    run({
      id: 'RUN-6',
      state: 'succeeded',
      finishedAt: T0 - 60_000,
      startedAt: T0 - 180_000,
      createdAt: T0 - 180_000,
    }),
    run({
      id: 'RUN-5',
      state: 'failed',
      requester: null,
      trigger: 'incident.created',
      finishedAt: T0 - 3_600_000,
    }),
  ];
  const view = homeView({ runbooks: rbs, runs, now: T0 + 30_000 });
  assertViewOk(view);
  assert.equal(view.type, 'home');
  const buttons = (view.blocks as AnyBlock[]).filter((b) => b.accessory?.action_id === ids.RUNBOOK_RUN);
  assert.deepEqual(
    buttons.map((b) => ids.decodeRunButton(b.accessory?.value)),
    [
      { runbookId: 'emergency-rollback', incidentId: null },
      { runbookId: 'scale', incidentId: null },
    ],
  );
  const text = allText(view.blocks);
  assert.match(
    text,
    /⚡ runs automatically on incident\.created · needs a major-incident incident · aliases: rollback/,
  );
  assert.match(text, /\*Scale service\*  `scale`\n.*\n_manual only_/);
  assert.match(text, /🔄 \*RUN-7\* P1 - Emergency Rollback · INC-42 · Running · for 30s · by <@U0ALICE>/);
  assert.match(text, /✅ \*RUN-6\* .* · Succeeded · 1m ago/);
  assert.match(text, /❌ \*RUN-5\* .* by incident\.created/);
});

test('home with 80 runbooks of hostile text and 50 runs, and with 200 runbooks, stays within limits', () => {
  const make = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      runbook({
        id: `rb-${i}`,
        name: `<!channel> & ${'n'.repeat(50)} ${i}`,
        description: NASTY.repeat(15),
        aliases: [`a-${i}`],
      }),
    );
  const runs = Array.from({ length: 50 }, (_, i) => run({ id: `RUN-${i}` }));
  const view = homeView({ runbooks: make(80), runs, now: T0 });
  assertViewOk(view);
  assert.equal((view.blocks as AnyBlock[]).filter((b) => b.accessory).length, 80);
  assert.doesNotMatch(mrkdwnText(view), /<!channel>/);
  const big = homeView({ runbooks: make(200), runs, now: T0 });
  assertViewOk(big);
  assert.match(allText(big.blocks), /\+\d+ more runbooks/);
  assertViewOk(homeView({ runbooks: [], runs: [], now: T0 }));
});

test('help texts list the subcommands', () => {
  const r = helpText('/runbook');
  assertMessageOk(r);
  for (const sub of ['list', 'status', 'cancel <run>', 'explain', 'help'])
    assert.ok(r.text.includes(`/runbook ${sub}`), sub);
  const i = helpText('/incident');
  assertMessageOk(i);
  for (const sub of [
    'declare',
    'severity P1',
    'status mitigated',
    'commander',
    'set <field> <value>',
    'resolve',
  ])
    assert.ok(i.text.includes(`/incident ${sub}`), sub);
});

test('runbook choices: a Run button per runbook carrying the incident; capped at the message limit', () => {
  const msg = runbookChoices([runbook(), runbook({ id: 'other', name: 'Other' })], 'INC-42');
  assertMessageOk(msg);
  const values = (msg.blocks as AnyBlock[])
    .filter((b) => b.accessory)
    .map((b) => ids.decodeRunButton(b.accessory?.value));
  assert.deepEqual(values, [
    { runbookId: 'emergency-rollback', incidentId: 'INC-42' },
    { runbookId: 'other', incidentId: 'INC-42' },
  ]);
  const many = runbookChoices(
    Array.from({ length: 80 }, (_, i) => runbook({ id: `r-${i}`, name: `<!channel> ${i}` })),
    null,
    NASTY,
  );
  assertMessageOk(many);
  assert.match(allText(many.blocks), /\+32 more/);
  assert.doesNotMatch(mrkdwnText(many), /<!channel>/);
  assertMessageOk(runbookChoices([], null));
});

test('run list: one line per run with state, links when known, and a count of the rest', () => {
  const msg = runList([run(), run({ id: 'RUN-8', state: 'cancelled', finishedAt: T0 + 1000 })], {
    now: T0 + 5000,
    links: { 'RUN-7': EXEC_URL },
    title: 'Runs of INC-42',
  });
  assertMessageOk(msg);
  const text = allText(msg.blocks);
  assert.match(text, /\*Runs of INC-42\*/);
  assert.match(text, /🔄 \*RUN-7\* .* · <https:\/\/app\.harness\.io\/[^|]+\|Harness>/);
  assert.match(text, /🛑 \*RUN-8\* .* · Cancelled · 4s ago/);
  const long = runList(Array.from({ length: 300 }, (_, i) => run({ id: `RUN-${i}` })));
  assertMessageOk(long);
  assert.match(allText(long.blocks), /more runs_/);
  assertMessageOk(runList([]));
});

test('explain: which triggers would start and why, with the condition trace; manual runbooks listed', () => {
  const rbs = [
    runbook(),
    runbook({
      id: 'low',
      name: 'Low sev',
      triggers: [{ on: 'incident.created', when: { severity: { in: ['P3', 'P4'] } } }],
    }),
    runbook({ id: 'manual', name: 'Manual one', triggers: [] }),
  ];
  const inc = incident();
  const rows = rbs.flatMap((rb) =>
    rb.triggers.map((t, index) => ({
      runbook: rb,
      index,
      decision: evaluateTrigger(t, { type: 'incident.created', incident: inc }),
    })),
  );
  const msg = explainText({ incident: inc, rows, runbooks: rbs });
  assertMessageOk(msg);
  const text = allText(msg.blocks);
  assert.match(text, /\*P1 - Emergency Rollback\*\n✅ would start on `incident\.created`/);
  assert.match(text, /\*Low sev\*\n➖ would not start on `incident\.created`: condition is false/);
  assert.match(text, /```[\s\S]*severity[\s\S]*```/);
  assert.match(text, /Manual only: Manual one/);
  assert.equal(msg.text, '1 runbook trigger would start for INC-42');
});

test('explain with 60 triggering runbooks and hostile incident values stays within limits', () => {
  const rbs = Array.from({ length: 60 }, (_, i) =>
    runbook({ id: `r-${i}`, triggers: [{ on: 'incident.created', when: { summary: { matches: 'x' } } }] }),
  );
  const inc = incident({ summary: `x ${NASTY.repeat(80)}` });
  const rows = rbs.map((rb) => ({
    runbook: rb,
    index: 0,
    decision: evaluateTrigger(rb.triggers[0]!, { type: 'incident.created', incident: inc }),
  }));
  const msg = explainText({ incident: inc, rows });
  assertMessageOk(msg);
  assert.match(allText(msg.blocks), /&lt;!channel&gt;/);
  assert.doesNotMatch(mrkdwnText(msg), /<!channel>/);
});

test('harnessUrlOf prefers the running harness step and ignores unsafe urls', () => {
  const a = step({ idx: 0, status: 'succeeded', url: 'https://h/a' });
  const b = step({ idx: 1, status: 'running', url: 'https://h/b' });
  assert.equal(harnessUrlOf([a, b, noteStep()]), 'https://h/b');
  assert.equal(harnessUrlOf([a, step({ idx: 1, status: 'pending', url: null })]), 'https://h/a');
  assert.equal(harnessUrlOf([step({ url: 'javascript:x' })]), null);
});

test('App Home shows gate state and a refused manifest reload, within limits', () => {
  const open = homeView({ runbooks: [], runs: [], now: T0, gateHolds: [] });
  assertViewOk(open);
  assert.match(JSON.stringify(open.blocks), /All deployment gates are open/);
  const held = homeView({
    runbooks: [],
    runs: [],
    now: T0,
    gateHolds: ['gate prod-freeze held by INC-3 (P1 "Checkout <!channel> down")'],
    manifestErrors: Array.from(
      { length: 300 },
      (_, i) => `manifests/x.yaml:${i + 1}:3 steps[0].uses: unknown action "\`x\`"`,
    ),
  });
  assertViewOk(held);
  const text = JSON.stringify(held.blocks);
  assert.match(text, /Deployments halted/);
  assert.match(text, /INC-3/);
  assert.doesNotMatch(text, /<!channel>/);
  assert.match(text, /last manifest change was refused/);
});
