/**
 * Test incidents (issue 8) through the real entry points of the whole app (signed Slack requests,
 * the incident API, Alertmanager), against the Slack and Harness fakes: created with the flag,
 * marked where people look (channel name, pinned summary, run message and approval prompt, App
 * Home, `/incident` answers, timeline, API), and never closing a deployment gate or creating a
 * Harness freeze window — while a real P1 in the same bot still does, so the checks can fail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBot, SIGNING_SECRET, type BotUnderTest } from '../support/bot-app.ts';
import { command, current, opens, selectInView, submit, waitForRun, USER } from '../support/slack-flow.ts';
import { eventCallback } from '../support/slack-requests.ts';
import * as ids from '../../src/slack/ids.ts';
import { freezeIdentifier } from '../../src/gates/freeze-window.ts';

const GATE_TOKEN = 'gate-only-token';
const WINDOW = freezeIdentifier('prod-freeze-on-critical');
const json = (v: unknown) => JSON.stringify(v);

async function gate(bot: BotUnderTest, query = 'service=checkout&environment=prod') {
  const res = await fetch(`${bot.url}/api/gates/deploy?${query}`, {
    headers: { authorization: `Bearer ${GATE_TOKEN}` },
  });
  return { status: res.status, json: (await res.json()) as any };
}

/** Waits until the freeze reconciler has looked at Harness `n` more times (it runs after each incident change). */
async function reconciled(bot: BotUnderTest, before: number, what: string) {
  await bot.slack.waitFor(() => bot.harness.freeze.calls.filter((c) => c.op === 'get').length > before, {
    what,
    timeoutMs: 5000,
  });
}
const freezeGets = (bot: BotUnderTest) => bot.harness.freeze.calls.filter((c) => c.op === 'get').length;

function pinnedSummary(bot: BotUnderTest, channel: string) {
  const pin = bot.slack.callsTo('pins.add').find((c) => (c.args as { channel?: string }).channel === channel);
  assert.ok(pin, `a summary was pinned in ${channel}`);
  const ts = String((pin.args as { timestamp?: string }).timestamp);
  const msg = bot.slack.messages(channel).find((m) => m.ts === ts);
  assert.ok(msg, 'the pinned message is in the channel');
  return msg;
}

test('/incident declare --test: a marked modal, a test-… channel, a marked summary and run, no gate, no freeze window', async () => {
  const bot = await startBot({ env: { GATE_TOKEN } });
  try {
    // Usage: a typo in the flag is refused and the help names --test.
    const typo = await command(bot, '/incident', 'declare --tset Checkout rehearsal', 'C111');
    assert.equal(typo.status, 200);
    assert.match(typo.body, /Unknown option `--tset`/);
    assert.match(typo.body, /\/incident declare --test/);
    const help = await command(bot, '/incident', 'help', 'C111');
    assert.match(help.body, /\/incident declare --test/);

    const opened = await opens(bot, () =>
      command(bot, '/incident', 'declare --test Checkout rehearsal', 'C111'),
    );
    assert.equal(opened.view.callback_id, ids.DECLARE_MODAL);
    assert.equal((opened.view.title as { text: string }).text, 'Declare a test incident');
    assert.match(json(opened.view.blocks), /declaring a \*test incident\*/);
    assert.equal(JSON.parse(String(opened.view.private_metadata)).test, true);
    assert.match(
      json(opened.view.blocks),
      /"initial_value":"Checkout rehearsal"/,
      'the flag is not part of the summary',
    );
    assert.ok(
      !json(opened.view.blocks).includes(ids.DECLARE_CHANNEL_BLOCK),
      'a test never takes over this channel',
    );

    // Choosing a type rebuilds the modal: it stays a test modal.
    const updates = bot.slack.callsTo('views.update').length;
    await selectInView(bot, opened, ids.DECLARE_TYPE, ids.DECLARE_TYPE_BLOCK, 'major-incident');
    await bot.slack.waitFor(() => bot.slack.callsTo('views.update').length > updates, {
      what: 'the rebuilt modal',
    });
    const rebuilt = current(bot, opened.id);
    assert.equal((rebuilt.view.title as { text: string }).text, 'Declare a test incident');

    const gets = freezeGets(bot);
    const ack = await submit(bot, rebuilt, {
      [ids.DECLARE_TYPE_BLOCK]: 'major-incident',
      [ids.fieldBlock('customer_facing')]: 'true',
      [ids.DECLARE_SEVERITY_BLOCK]: 'P1',
      [ids.DECLARE_SERVICE_BLOCK]: 'checkout',
      [ids.DECLARE_ENVIRONMENT_BLOCK]: 'prod',
    });
    assert.equal(ack.body, '', `the declare modal was refused: ${ack.body}`);
    await bot.slack.waitFor(() => bot.slack.callsTo('pins.add').length > 0, {
      what: 'the summary to be pinned',
    });

    const incident = bot.app.store.incidents.list(1)[0]!;
    assert.equal(incident.test, true, 'stored as a test incident');
    assert.equal(incident.commander, USER);
    const channel = bot.slack.channel(incident.channel!)!;
    assert.match(channel.name, new RegExp(`^test-${incident.id.toLowerCase()}-checkout-rehearsal$`));
    assert.ok(channel.name.length <= 80);

    const summary = pinnedSummary(bot, channel.id);
    assert.match(String(summary.text), /^🧪 TEST · 🚨 /);
    assert.match(json(summary.blocks), /This is a \*test incident\*/);
    const declared = bot.app.store.timeline
      .forIncident(incident.id)
      .find((e) => e.kind === 'incident.created')!;
    assert.match(declared.text, /^🧪 TEST incident declared by <@W111>: P1 · checkout · prod/);

    // Triggers fire for test incidents (that is how automatic runbooks are rehearsed): the run's
    // message and its approval prompt say TEST.
    const run = await waitForRun(bot, 'awaiting_approval');
    assert.equal(run.incidentId, incident.id);
    await bot.slack.waitFor(
      () =>
        bot.slack
          .messages(channel.id)
          .some((m) => /Approval needed\* · 🧪 TEST incident/.test(json(m.blocks))),
      { what: 'the marked approval prompt' },
    );
    const runMsg = bot.slack.messages(channel.id).find((m) => /Approval needed/.test(json(m.blocks)))!;
    assert.match(String(runMsg.text), /^🧪 TEST · /);

    // `/incident` answers in the channel are marked; freeze is refused with the reason.
    const status = await command(bot, '/incident', '', channel.id);
    assert.match(status.body, /🧪 TEST · 🚨/);
    const sev = await command(bot, '/incident', 'severity P0', channel.id);
    assert.match(sev.body, new RegExp(`🧪 TEST ${incident.id}: \\*severity\\* P1 → P0`));
    const freeze = await command(bot, '/incident', 'freeze rehearse the freeze', channel.id);
    assert.match(freeze.body, /test incidents never hold deployment gates/);

    // No gate closes and Harness gets no freeze window, however severe the test incident is.
    await reconciled(bot, gets, 'the freeze reconciler to look at Harness');
    assert.deepEqual(await gate(bot), { status: 200, json: { open: true } });
    assert.equal(bot.harness.freeze.window(WINDOW), undefined, 'no freeze window');
    assert.deepEqual(
      bot.harness.freeze.calls.filter((c) => c.op !== 'get').map((c) => c.op),
      [],
    );

    // App Home lists the open test incident and its run with the mark.
    await eventCallback(bot.url, SIGNING_SECRET, { type: 'app_home_opened', user: USER, tab: 'home' });
    await bot.slack.waitFor(() => bot.slack.homeView(USER) !== undefined, { what: 'the home tab' });
    const home = json(bot.slack.homeView(USER));
    assert.match(home, new RegExp(`🧪 TEST 🔴 \\*${incident.id}\\* Checkout rehearsal`));
    assert.match(home, new RegExp(`🧪 TEST [^"]*\\*${run.id}\\*`));
    assert.match(home, /All deployment gates are open/);

    // Control: a real P1 on the same service closes the gate and creates the window.
    const real = await bot.api('POST', '/api/incidents', {
      summary: 'Checkout really down',
      severity: 'P1',
      service: 'checkout',
      environment: 'prod',
    });
    assert.equal(real.status, 201, json(real.json));
    assert.equal(real.json.test, false);
    const closed = await gate(bot);
    assert.equal(closed.status, 423);
    assert.deepEqual(
      closed.json.reasons.map((r: { incident: string }) => r.incident),
      [real.json.id],
    );
    await bot.slack.waitFor(() => bot.harness.freeze.window(WINDOW)?.status === 'Enabled', {
      what: 'the window',
      timeoutMs: 5000,
    });
    assert.doesNotMatch(
      bot.harness.freeze.window(WINDOW)!.yaml,
      new RegExp(`${incident.id}\\b`),
      'the window names the real incident only',
    );
    assert.doesNotMatch(bot.slack.channel(real.json.channel)!.name, /^test-/);
  } finally {
    await bot.stop();
  }
});

test('API "test": true creates a marked test incident; bad values and changes are refused with the reason; Alertmanager label', async () => {
  const bot = await startBot({ env: { GATE_TOKEN } });
  try {
    const gets = freezeGets(bot);
    const created = await bot.api('POST', '/api/incidents', {
      summary: 'Payments rehearsal',
      severity: 'P0',
      service: 'checkout',
      environment: 'prod',
      externalId: 'drill-1',
      test: true,
    });
    assert.equal(created.status, 201, json(created.json));
    assert.equal(created.json.test, true);
    assert.equal(created.json.incident.test, true);
    const id = created.json.id as string;
    assert.equal(bot.app.store.incidents.get(id)!.test, true);
    assert.match(
      bot.slack.channel(created.json.channel)!.name,
      new RegExp(`^test-${id.toLowerCase()}-payments-rehearsal$`),
    );
    await bot.slack.waitFor(() => bot.slack.callsTo('pins.add').length > 0, { what: 'the pinned summary' });
    assert.match(String(pinnedSummary(bot, created.json.channel).text), /^🧪 TEST · /);

    const read = await bot.api('GET', `/api/incidents/${id}`);
    assert.equal(read.json.incident.test, true);
    assert.match(read.json.timeline[0].text, /^🧪 TEST incident declared by api/);

    // A test P0 holds no gate and makes no freeze window.
    await reconciled(bot, gets, 'the freeze reconciler to look at Harness');
    assert.equal((await gate(bot)).status, 200);
    assert.equal(bot.harness.freeze.windows().length, 0);

    // Only a JSON boolean.
    for (const bad of ['true', 'yes', 1, null]) {
      const r = await bot.api('POST', '/api/incidents', { summary: 'x', severity: 'P3', test: bad });
      assert.equal(r.status, 400, json(bad));
      assert.deepEqual(
        r.json.errors.map((e: { field: string }) => e.field),
        ['test'],
      );
      assert.match(r.json.error, /^test must be true or false, not /);
    }

    // Fixed at creation: PATCH says so (either way), and so does a repeated create.
    const flip = await bot.api('PATCH', `/api/incidents/${id}`, { test: false });
    assert.equal(flip.status, 400);
    assert.equal(flip.json.errors[0].field, 'test');
    assert.match(
      flip.json.error,
      new RegExp(`^test cannot change: ${id} is a test incident.*allowed: true or leave test out`),
    );
    const realOne = await bot.api('POST', '/api/incidents', { summary: 'Real one', severity: 'P3' });
    assert.equal(realOne.json.test, false);
    const promote = await bot.api('PATCH', `/api/incidents/${realOne.json.id}`, {
      test: true,
      severity: 'P2',
    });
    assert.equal(promote.status, 400);
    assert.match(promote.json.error, /is not a test incident/);
    assert.equal(
      bot.app.store.incidents.get(realOne.json.id)!.severity,
      'P3',
      'nothing else was applied either',
    );
    assert.equal((await bot.api('PATCH', '/api/incidents/INC-999', { test: true })).status, 404);

    const again = await bot.api('POST', '/api/incidents', {
      summary: 'Payments rehearsal',
      severity: 'P0',
      externalId: 'drill-1',
      test: false,
    });
    assert.equal(again.status, 400);
    assert.match(again.json.error, /test cannot change/);
    const same = await bot.api('POST', '/api/incidents', {
      summary: 'Payments rehearsal',
      severity: 'P0',
      externalId: 'drill-1',
      test: true,
    });
    assert.equal(same.status, 200, json(same.json));
    assert.equal(same.json.id, id);

    // Alertmanager: a synthetic alert labelled runbook_bot_test="true" opens a test incident.
    const am = await bot.api('POST', '/api/alertmanager', {
      version: '4',
      groupKey: '{}:{alertname="CheckoutDrill"}',
      status: 'firing',
      groupLabels: { alertname: 'CheckoutDrill' },
      commonLabels: {
        alertname: 'CheckoutDrill',
        severity: 'critical',
        service: 'checkout',
        env: 'prod',
        runbook_bot_test: 'true',
      },
      commonAnnotations: { summary: 'Checkout drill' },
      alerts: [{ status: 'firing', labels: { alertname: 'CheckoutDrill' } }],
    });
    assert.equal(am.status, 201, json(am.json));
    assert.equal(am.json.test, true);
    assert.equal(bot.app.store.incidents.get(am.json.id)!.test, true);
    assert.match(bot.slack.channel(am.json.channel)!.name, /^test-inc-\d+-checkout-drill$/);
    assert.equal((await gate(bot)).status, 200, 'a critical test alert holds no gate either');
  } finally {
    await bot.stop();
  }
});
