/**
 * Issue 6 "done when", in-process through the whole app (Slack and Harness fakes): a P1 on checkout
 * in prod makes GET /api/gates/deploy answer 423 within a second and creates an enabled Harness
 * freeze window; resolving it reopens both; the rollback runbook (exempt) runs throughout. Plus the
 * /incident freeze|unfreeze commands (commanders only) and gate state in the pinned summary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBot, SIGNING_SECRET, API_TOKEN, type BotUnderTest } from '../support/bot-app.ts';
import { slashCommand } from '../support/slack-requests.ts';
import { waitForRun } from '../support/slack-flow.ts';
import { freezeIdentifier } from '../../src/gates/freeze-window.ts';

const COMMANDER = 'U111';
const ID = freezeIdentifier('prod-freeze-on-critical');

async function gate(bot: BotUnderTest, query: string, token = 'gate-only-token') {
  const res = await fetch(`${bot.url}/api/gates/deploy?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, json: (await res.json()) as any };
}

test('P1 on checkout/prod → 423 within a second and an enabled freeze window; resolve → 200 and disabled; rollback runs', async () => {
  const bot = await startBot({ env: { GATE_TOKEN: 'gate-only-token' } });
  try {
    bot.url = `http://127.0.0.1:${bot.app.port}`;
    assert.equal((await gate(bot, 'service=checkout&environment=prod')).status, 200);
    const started = Date.now();
    const created = await bot.api('POST', '/api/incidents', {
      summary: 'Checkout error rate above 5%',
      severity: 'P1',
      service: 'checkout',
      environment: 'prod',
      type: 'major-incident',
      commander: COMMANDER,
      fields: { customer_facing: true },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const inc = created.json as { id: string; channel: string };
    const closed = await gate(bot, 'service=checkout&environment=prod');
    assert.ok(Date.now() - started < 1000, `answered after ${Date.now() - started}ms`);
    assert.equal(closed.status, 423);
    assert.equal(closed.json.reasons[0].incident, inc.id);
    assert.equal(
      (await gate(bot, 'service=checkout&environment=prod', API_TOKEN)).status,
      423,
      'API_TOKEN works too',
    );
    assert.equal((await gate(bot, 'service=payments&environment=prod')).status, 200);
    // The read-only token opens nothing else.
    const other = await fetch(`${bot.url}/api/incidents/${inc.id}`, {
      headers: { authorization: 'Bearer gate-only-token' },
    });
    assert.equal(other.status, 401);

    await bot.slack.waitFor(() => bot.harness.freeze.window(ID)?.status === 'Enabled', {
      what: 'an enabled freeze window',
      timeoutMs: 5000,
    });
    const w = bot.harness.freeze.window(ID)!;
    assert.deepEqual([w.org, w.project], ['default', 'payments']);
    assert.match(
      JSON.stringify(w.freeze['entityConfigs']),
      /"entityRefs":\["checkout"\].*"entityRefs":\["prod"\]/,
    );

    // The channel hears it, and the pinned summary shows the gate.
    await bot.slack.waitFor(
      () =>
        bot.slack
          .messages(inc.channel)
          .some((m) => /Deployment gate \*Freeze production during P0\/P1\* is closed/.test(String(m.text))),
      { what: 'the gate message' },
    );
    await bot.slack.waitFor(
      () =>
        bot.slack
          .messages(inc.channel)
          .some((m) => JSON.stringify(m.blocks ?? []).includes('Deployment gates')),
      { what: 'gate state in the summary' },
    );

    // The rollback (deploys: true, exempt) still runs: the trigger's run is approved and succeeds.
    const auto = await waitForRun(bot, 'awaiting_approval');
    assert.equal(auto.runbookId, 'emergency-rollback');
    const decided = await bot.app.engine.decide(auto.id, { decision: 'approve', actor: COMMANDER });
    assert.equal(decided.applied, true);
    await waitForRun(bot, 'succeeded');

    // Only commanders may override; a commander's unfreeze opens the gate although the P1 is open.
    const refused = await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/incident',
      text: 'unfreeze false alarm',
      channel_id: inc.channel,
      user_id: 'U999',
    });
    assert.match(refused.body, /Only .* can unfreeze deployments/);
    assert.equal((await gate(bot, 'service=checkout&environment=prod')).status, 423);
    const unfrozen = await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/incident',
      text: 'unfreeze false alarm',
      channel_id: inc.channel,
      user_id: COMMANDER,
    });
    assert.match(unfrozen.body, /lifted the deployment freeze/);
    assert.equal((await gate(bot, 'service=checkout&environment=prod')).status, 200);
    const frozen = await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/incident',
      text: 'freeze hold everything',
      channel_id: inc.channel,
      user_id: COMMANDER,
    });
    assert.match(frozen.body, /froze deployments for .*hold everything/);
    assert.equal((await gate(bot, 'service=checkout&environment=prod')).status, 423);

    // Resolve: the gate opens at once and the window is disabled.
    const resolved = await bot.api('PATCH', `/api/incidents/${inc.id}`, { status: 'resolved' });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.json));
    assert.deepEqual((await gate(bot, 'service=checkout&environment=prod')).json, { open: true });
    await bot.slack.waitFor(() => bot.harness.freeze.window(ID)?.status === 'Disabled', {
      what: 'the window disabled',
      timeoutMs: 5000,
    });
    assert.equal(bot.harness.freeze.windows().length, 1);
  } finally {
    await bot.stop();
  }
});
