/**
 * Harness budgets requests per API key, so the freeze client (deployment gates) must spend the same
 * rate limiter as the pipeline client: every freeze attempt waits for it, a 429 on a freeze call
 * pauses pipeline calls too, and in the running app one limiter sees every Harness request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHarnessClient } from '../../src/harness/client.ts';
import { createFreezeClient } from '../../src/harness/freeze.ts';
import { createRateLimiter } from '../../src/harness/rate-limit.ts';
import { startHarnessFake } from '../fakes/harness-fake.ts';
import { startBot, SIGNING_SECRET } from '../support/bot-app.ts';
import { slashCommand } from '../support/slack-requests.ts';

const SCOPE = { org: 'default', project: 'payments' };

test('freeze and pipeline clients on one limiter: each attempt is granted by it; a freeze 429 pauses pipeline calls', async () => {
  const fake = await startHarnessFake();
  try {
    let t = 0;
    const paused: number[] = [];
    const limiter = createRateLimiter({
      perMinute: 600,
      now: () => t,
      sleep: async (ms) => {
        paused.push(ms);
        t += ms;
      },
    });
    const opts = {
      baseUrl: fake.url,
      uiUrl: 'https://app.harness.io',
      apiKey: fake.apiKey,
      accountId: fake.accountId,
      timeoutMs: 2000,
      sleep: async () => {},
      limiter,
    };
    const freeze = createFreezeClient({ ...opts, maxRetries: 0 });
    const pipelines = createHarnessClient(opts);

    assert.equal(await freeze.get('runbook_bot_x', SCOPE), null);
    assert.equal(limiter.stats().granted, 1, 'the freeze GET went through the limiter');

    fake.freeze.failNext(1, 429, 'get');
    await assert.rejects(freeze.get('runbook_bot_x', SCOPE), /429|throttl/i);
    assert.equal(limiter.stats().throttled, 1, 'a freeze 429 is reported to the shared limiter');
    assert.deepEqual(paused, []);

    // The pipeline client now waits out the pause the freeze call's 429 started.
    await assert.rejects(pipelines.getExecution({ ...SCOPE, executionId: 'nope' }), {
      code: 'HARNESS_NOT_FOUND',
    });
    assert.equal(paused.length, 1);
    assert.ok(paused[0]! >= 1000, `paused ${paused[0]} ms`);
    assert.equal(limiter.stats().granted, 3);
    assert.equal(fake.requests.length, 3);
  } finally {
    await fake.close();
  }
});

test('the running app: one limiter grants every Harness request, freeze windows and pipelines alike', async () => {
  const bot = await startBot();
  try {
    // The freeze reconciler asks Harness about the shipped gate at start and again when a P1 in
    // prod closes it (window created); a diagnostics run asks the pipeline API.
    const r = await bot.api('POST', '/api/incidents', {
      summary: 'Checkout 500s',
      severity: 'P1',
      service: 'checkout',
      environment: 'prod',
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    bot.app.engine.startRun({ runbookId: 'diagnostic-pipeline', incidentId: r.json.id, requester: 'U0SRE' });
    bot.app.scheduler.kick();
    const until = Date.now() + 15_000;
    const freezeCalls = () => bot.harness.requests.filter((q) => q.path.startsWith('/ng/api/freeze')).length;
    const pipelineCalls = () => bot.harness.requests.filter((q) => q.path.startsWith('/pipeline/')).length;
    while ((freezeCalls() === 0 || bot.harness.requestsTo('execute').length === 0) && Date.now() < until)
      await new Promise((res) => setTimeout(res, 50));
    assert.ok(freezeCalls() > 0, 'the reconciler called the freeze API');
    assert.ok(pipelineCalls() > 0, 'a pipeline was started');
    // `/runbook validate` reads the pipeline's runtime-input template: the same budget.
    const channel = bot.app.store.incidents.get(r.json.id)!.channel!;
    await slashCommand(bot.url, SIGNING_SECRET, {
      command: '/runbook',
      text: 'validate diagnostic-pipeline',
      channel_id: channel,
      user_id: 'U111',
      response_url: bot.slack.responseUrl('limiter-validate'),
    });
    await bot.slack.waitFor(() => (bot.slack.responsesTo('limiter-validate').length ? true : null), {
      what: 'the checklist',
      timeoutMs: 10_000,
    });
    assert.ok(
      bot.harness.requests.some((q) => q.path.includes('/inputSets/template')),
      'the checklist asked Harness for the template',
    );

    // Granted before sending, recorded on arrival: equal once nothing is in flight.
    let granted = -1;
    for (let i = 0; i < 60; i++) {
      granted = bot.app.harnessLimiter.stats().granted;
      if (granted === bot.harness.requests.length) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(
      granted,
      bot.harness.requests.length,
      'every Harness request of the process went through one limiter',
    );
  } finally {
    await bot.stop();
  }
});
