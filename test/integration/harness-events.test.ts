/**
 * POST /api/harness/events on the real app (Slack and Harness fakes): a Harness notification is a
 * hint that has the execution read at once (in its project's next list call); the status still
 * comes from Harness. Polling is
 * set to a minute here, so only the push can finish the run within the test's few seconds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBot, type BotUnderTest } from '../support/bot-app.ts';
import { parseHarnessEvent, HARNESS_SECRET_HEADER } from '../../src/http/harness-events.ts';

const SECRET = 'whsec-test-harness-events-1';
const RUNBOOK = `kind: Runbook
id: push-watch
name: Push watch
steps:
  - id: deploy
    uses: harness.pipeline
    with:
      org: default
      project: pushproj
      pipeline: push_pipe
      mode: wait
      timeout: 30m
      inputs: |
        pipeline:
          identifier: push_pipe
`;

async function post(bot: BotUnderTest, body: unknown, secret: string | null = SECRET) {
  const res = await fetch(`${bot.url}/api/harness/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret === null ? {} : { [HARNESS_SECRET_HEADER]: secret }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}

async function watchedRun(bot: BotUnderTest) {
  bot.harness.program('push_pipe', { statuses: ['Running'] });
  const run = bot.app.engine.startRun({ runbookId: 'push-watch', requester: 'U0PUSH' });
  bot.app.scheduler.kick();
  assert.ok(
    await until(() => bot.app.store.runs.steps(run.id)[0]?.externalId != null, 3000),
    'the pipeline was executed',
  );
  return { run, executionId: bot.app.store.runs.steps(run.id)[0]!.externalId! };
}

test('a notification makes the finished pipeline show at once (wrapped and unwrapped events)', async () => {
  const bot = await startBot({
    extraManifests: { 'push.yaml': RUNBOOK },
    env: { HARNESS_WEBHOOK_SECRET: SECRET, POLL_INTERVAL_MS: '60000' },
  });
  try {
    const a = await watchedRun(bot);
    const b = await watchedRun(bot);
    bot.harness.setStatus(a.executionId, 'Success');
    bot.harness.setStatus(b.executionId, 'Failed');
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(bot.app.store.runs.get(a.run.id)!.state, 'running', 'without a push nothing is read yet');

    const detailsBefore = bot.harness.requestsTo('status').length;
    const listsBefore = bot.harness.requestsTo('list').length;
    const wrapped = await post(bot, {
      eventData: { planExecutionId: a.executionId, eventType: 'PipelineSuccess', nodeStatus: 'completed' },
    });
    assert.deepEqual(wrapped, { status: 202, json: { ok: true, matched: 1 } });
    assert.ok(await until(() => bot.app.store.runs.get(a.run.id)!.state === 'succeeded', 1500));
    // Confirmed by one list call naming the execution; its row is complete, so no detail call.
    assert.equal(bot.harness.requestsTo('list').length, listsBefore + 1, 'status confirmed once');
    assert.equal(bot.harness.requestsTo('status').length, detailsBefore, 'no detail call');
    const body = JSON.parse(bot.harness.requestsTo('list').at(-1)!.body) as { planExecutionIds: string[] };
    assert.ok(body.planExecutionIds.includes(a.executionId));

    const bare = await post(bot, { planExecutionId: b.executionId, eventType: 'PipelineFailed' });
    assert.equal(bare.status, 202);
    assert.ok(await until(() => bot.app.store.runs.get(b.run.id)!.state === 'failed', 1500));

    // A stale event for a finished run, or for an execution we do not watch: accepted, nothing done.
    assert.deepEqual(await post(bot, { planExecutionId: a.executionId }), {
      status: 202,
      json: { ok: true, matched: 0 },
    });
    assert.equal((await post(bot, { planExecutionId: 'someone-elses-run' })).json.matched, 0);
  } finally {
    await bot.stop();
  }
});

test('a notification is only a hint: a lying event does not finish a running pipeline', async () => {
  const bot = await startBot({
    extraManifests: { 'push.yaml': RUNBOOK },
    env: { HARNESS_WEBHOOK_SECRET: SECRET, POLL_INTERVAL_MS: '60000' },
  });
  try {
    const a = await watchedRun(bot);
    const listsBefore = bot.harness.requestsTo('list').length;
    const r = await post(bot, { eventData: { planExecutionId: a.executionId, nodeStatus: 'Success' } });
    assert.equal(r.json.matched, 1);
    assert.ok(await until(() => bot.harness.requestsTo('list').length > listsBefore, 1500));
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(bot.app.store.runs.get(a.run.id)!.state, 'running');
  } finally {
    await bot.stop();
  }
});

test('a burst of 20 notifications in one project: one or two list calls, no detail call, all recorded', async () => {
  const bot = await startBot({
    extraManifests: { 'push.yaml': RUNBOOK },
    env: { HARNESS_WEBHOOK_SECRET: SECRET, POLL_INTERVAL_MS: '60000' },
  });
  try {
    bot.harness.program('push_pipe', { statuses: ['Running'] });
    const runs = Array.from({ length: 20 }, () =>
      bot.app.engine.startRun({ runbookId: 'push-watch', requester: 'U0PUSH' }),
    );
    bot.app.scheduler.kick();
    const idOf = (runId: string) => bot.app.store.runs.steps(runId)[0]?.externalId;
    assert.ok(await until(() => runs.every((r) => idOf(r.id) != null), 5000), 'all pipelines executed');
    const ids = runs.map((r) => idOf(r.id)!);
    for (const id of ids) bot.harness.setStatus(id, 'Success');
    const lists = bot.harness.requestsTo('list').length;
    const details = bot.harness.requestsTo('status').length;
    const answers = await Promise.all(ids.map((id) => post(bot, { eventData: { planExecutionId: id } })));
    assert.ok(answers.every((a) => a.status === 202 && a.json.matched === 1));
    assert.ok(
      await until(() => runs.every((r) => bot.app.store.runs.get(r.id)!.state === 'succeeded'), 3000),
      'every run recorded from the push',
    );
    // The events are debounced per project (100 ms): one call, two if the burst straddles it.
    const used = bot.harness.requestsTo('list').length - lists;
    assert.ok(used >= 1 && used <= 2, `${used} list calls for 20 events`);
    assert.equal(bot.harness.requestsTo('status').length, details, 'no detail call per event');
  } finally {
    await bot.stop();
  }
});

test('refusals: wrong or missing secret, bad bodies, wrong method; off without a secret', async () => {
  const bot = await startBot({ env: { HARNESS_WEBHOOK_SECRET: SECRET } });
  try {
    assert.equal((await post(bot, { planExecutionId: 'x' }, 'wrong')).status, 401);
    const missing = await post(bot, { planExecutionId: 'x' }, null);
    assert.equal(missing.status, 401);
    assert.match(String(missing.json.error), new RegExp(HARNESS_SECRET_HEADER));
    const noId = await post(bot, { eventData: { eventType: 'PipelineEnd' } });
    assert.equal(noId.status, 400);
    assert.match(String(noId.json.error), /planExecutionId/);
    assert.equal((await post(bot, '{not json')).status, 400);
    assert.equal((await post(bot, { planExecutionId: 'x'.repeat(70_000) })).status, 413);
    const get = await fetch(`${bot.url}/api/harness/events`, {
      headers: { [HARNESS_SECRET_HEADER]: SECRET },
    });
    assert.equal(get.status, 405);
  } finally {
    await bot.stop();
  }
  const off = await startBot();
  try {
    const r = await post(off, { planExecutionId: 'x' });
    assert.equal(r.status, 404);
    assert.match(String(r.json.error), /HARNESS_WEBHOOK_SECRET/);
  } finally {
    await off.stop();
  }
});

test('parseHarnessEvent names what is wrong', () => {
  assert.deepEqual(
    parseHarnessEvent({ eventData: { planExecutionId: 'abc_1-2', eventType: 'PipelineEnd' } }),
    {
      planExecutionId: 'abc_1-2',
      eventType: 'PipelineEnd',
    },
  );
  assert.throws(() => parseHarnessEvent([]), /JSON object/);
  assert.throws(() => parseHarnessEvent({ planExecutionId: '../x' }), /planExecutionId/);
  assert.throws(() => parseHarnessEvent({ planExecutionId: 7 }), /planExecutionId/);
});
