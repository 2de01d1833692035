/**
 * The batched watcher against the loopback Harness fake with the real client: waiting steps of one
 * project share one execution-list call naming them, a terminal row is used without a detail call,
 * a push is confirmed by a list call, and the fake answers the list call as Harness documents it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarnessFake, type HarnessFake } from '../fakes/harness-fake.ts';
import { createHarnessClient } from '../../src/harness/client.ts';
import { createRateLimiter } from '../../src/harness/rate-limit.ts';
import { sameStatus, watcherOf, withWatchBatching } from '../../src/engine/watch-batcher.ts';
import type { HarnessClient } from '../../src/harness/types.ts';

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return cond();
}

const YAML = 'pipeline:\n  identifier: p\n';

async function setup(t: { after(fn: () => Promise<void>): void }) {
  const fake = await startHarnessFake();
  t.after(() => fake.close());
  const client = createHarnessClient({
    baseUrl: fake.url,
    uiUrl: 'https://app.harness.io',
    apiKey: fake.apiKey,
    accountId: fake.accountId,
  });
  return { fake, client };
}

async function startMany(client: HarnessClient, fake: HarnessFake, projects: string[], perProject: number) {
  fake.program('p', { statuses: ['Running'] });
  const ids: { project: string; executionId: string }[] = [];
  for (const project of projects)
    for (let i = 0; i < perProject; i++) {
      const r = await client.execute({ org: 'default', project, pipeline: 'p', yaml: YAML });
      ids.push({ project, executionId: r.executionId });
    }
  return ids;
}

test('list call: Spring page of the project executions, newest first, filtered by repeated status', async (t) => {
  const { fake, client } = await setup(t);
  const ids = await startMany(client, fake, ['alpha', 'beta'], 3);
  fake.setStatus(ids[0]!.executionId, 'Success');
  const page = await client.listExecutions({
    org: 'default',
    project: 'alpha',
    statuses: ['Running', 'Queued'],
    size: 2,
  });
  assert.equal(page.items.length, 2);
  assert.equal(page.totalPages, 1, 'two running alpha executions fit one page of 2');
  assert.equal(page.last, true);
  assert.deepEqual(
    page.items.map((i) => i.executionId),
    [ids[2]!.executionId, ids[1]!.executionId],
  );
  assert.ok(page.items.every((i) => i.status === 'Running' && i.phase === 'running'));
  const req = fake.requestsTo('list')[0]!;
  assert.equal(req.method, 'POST');
  assert.deepEqual(JSON.parse(req.body), { filterType: 'PipelineExecution' });
  assert.equal(req.query.projectIdentifier, 'alpha');
  const all = await client.listExecutions({ org: 'default', project: 'alpha', size: 1, page: 2 });
  assert.equal(all.totalPages, 3);
  assert.equal(all.items[0]!.executionId, ids[0]!.executionId);
  assert.equal(all.items[0]!.outcome, 'succeeded');
  await assert.rejects(client.listExecutions({ org: 'default', project: 'alpha', size: 0 }), /size 1-1000/);
});

test('the fake refuses a list without the PipelineExecution filter body', async (t) => {
  const { fake } = await setup(t);
  const res = await fetch(
    `${fake.url}/pipeline/api/pipelines/execution/summary?accountIdentifier=${fake.accountId}&orgIdentifier=o&projectIdentifier=p`,
    { method: 'POST', headers: { 'x-api-key': fake.apiKey }, body: '{}' },
  );
  assert.equal(res.status, 400);
  assert.match(await res.text(), /filterType/);
});

test('40 waiting executions over 2 projects: 2 list calls naming them, no detail call at all', async (t) => {
  const { fake, client } = await setup(t);
  const ids = await startMany(client, fake, ['alpha', 'beta'], 20);
  let now = 0;
  const watched = withWatchBatching(client, { freshMs: 1000, pageSize: 100, now: () => now });
  const w = watcherOf(watched)!;
  const read = (x: { project: string; executionId: string }) =>
    w.read({ org: 'default', project: x.project, executionId: x.executionId, lastStatus: 'RUNNING' });
  const first = await Promise.all(ids.map(read));
  assert.ok(first.every((r) => !r.changed));
  const lists = fake.requestsTo('list');
  assert.equal(lists.length, 2, 'one list per project');
  const named = JSON.parse(lists[0]!.body) as { filterType: string; planExecutionIds: string[] };
  assert.equal(named.filterType, 'PipelineExecution');
  assert.deepEqual(
    [...named.planExecutionIds].sort(),
    ids
      .filter((x) => x.project === lists[0]!.query.projectIdentifier)
      .map((x) => x.executionId)
      .sort(),
  );
  assert.equal(fake.requestsTo('status').length, 0);

  // Within freshMs the rows are reused; a stale row answers at once and is refreshed behind it.
  await Promise.all(ids.map(read));
  assert.equal(fake.requestsTo('list').length, 2);
  now += 1000;
  fake.setStatus(ids[5]!.executionId, 'Failed');
  const second = await Promise.all(ids.map(read));
  assert.ok(
    second.every((r) => !r.changed),
    'answered from the stale rows',
  );
  assert.ok(await until(() => fake.requestsTo('list').length === 4, 3000), 'one refresh per project');
  await new Promise((r) => setTimeout(r, 200)); // the fake saw the calls: let their answers land
  const third = await Promise.all(ids.map(read));
  const changed = third.filter((r) => r.changed);
  assert.equal(changed.length, 1, 'only the finished execution changed');
  const c = changed[0]!;
  assert.ok(c.summary.executionId === ids[5]!.executionId && c.summary.outcome === 'failed');
  assert.ok(c.summary.stages.list.length > 0 && c.summary.failureMessage, 'stages and failure from the row');
  assert.equal(fake.requestsTo('status').length, 0, 'a terminal list row needs no detail call');
  assert.deepEqual(w.stats(), {
    listCalls: 4,
    detailCalls: 0,
    unchanged: 40 + 40 + 40 + 39,
    fromList: 1,
    hinted: 0,
    watched: 39,
  });
});

test('a changed status is answered from the list row; a push is confirmed by a list call', async (t) => {
  const { fake, client } = await setup(t);
  const [a] = await startMany(client, fake, ['alpha'], 1);
  const w = watcherOf(withWatchBatching(client, { freshMs: 60_000, confirmDelayMs: 10 }))!;
  const ref = { org: 'default', project: 'alpha', executionId: a!.executionId };
  const changed = await w.read({ ...ref, lastStatus: 'Queued' });
  assert.equal(changed.changed, true);
  const same = await w.read({ ...ref, lastStatus: 'Running' });
  assert.ok(
    !same.changed && (same.notBefore ?? 0) >= Date.now() + 50_000,
    'not worth reading before its row is refreshed',
  );
  fake.setStatus(a!.executionId, 'Success');
  assert.equal(await w.confirm(a!.executionId), true, 'the push was read in a list call');
  assert.equal(fake.requestsTo('list').length, 2);
  const done = await w.read({ ...ref, lastStatus: 'Running' });
  assert.ok(done.changed && done.summary.outcome === 'succeeded');
  assert.equal(fake.requestsTo('list').length, 2, 'the confirmed row answers the read');
  assert.equal(fake.requestsTo('status').length, 0);
  assert.equal(await w.confirm('not-watched-here'), false);
  assert.equal(w.stats().watched, 0, 'a finished execution is no longer watched');
});

test('list failures surface as the client error (the step runner retries the check)', async (t) => {
  const { fake, client } = await setup(t);
  const [a] = await startMany(client, fake, ['alpha'], 1);
  fake.failNext('list', 10, '500');
  const quick = createHarnessClient({
    baseUrl: fake.url,
    uiUrl: 'https://app.harness.io',
    apiKey: fake.apiKey,
    accountId: fake.accountId,
    maxRetries: 0,
  });
  const wq = watcherOf(withWatchBatching(quick, { freshMs: 0 }))!;
  await assert.rejects(
    wq.read({ org: 'default', project: 'alpha', executionId: a!.executionId, lastStatus: 'Running' }),
    (e: Error & { retryable?: boolean }) => e.retryable === true,
  );
  assert.equal(fake.requestsTo('status').length, 0, 'no fallback storm of detail calls');
});

test('sameStatus: engine and display spellings match, null never matches', () => {
  assert.equal(sameStatus('RUNNING', 'Running'), true);
  assert.equal(sameStatus('ASYNC_WAITING', 'AsyncWaiting'), true);
  assert.equal(sameStatus('Running', 'Success'), false);
  assert.equal(sameStatus(null, 'Running'), false);
});

test('the shared rate limiter holds every call of the client to its budget', async (t) => {
  const { fake } = await setup(t);
  const limiter = createRateLimiter({ perMinute: 1200, burst: 2 }); // 20/s after 2
  const client = createHarnessClient({
    baseUrl: fake.url,
    uiUrl: 'https://app.harness.io',
    apiKey: fake.apiKey,
    accountId: fake.accountId,
    limiter,
  });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 12 }, () => client.listExecutions({ org: 'default', project: 'alpha' })),
  );
  const took = performance.now() - started;
  assert.ok(took >= 450, `12 calls at 20/s after a burst of 2 took ${Math.round(took)} ms`);
  assert.equal(limiter.stats().granted, 12);
  fake.failNext('list', 1, '429');
  await client.listExecutions({ org: 'default', project: 'alpha' });
  assert.equal(limiter.stats().throttled, 1, 'the 429 paused the shared budget');
});

test('with many projects, rows are reused longer so lists keep within their share of the budget', async (t) => {
  const { fake, client } = await setup(t);
  const projects = ['p1', 'p2', 'p3', 'p4'];
  const ids = await startMany(client, fake, projects, 2);
  let now = 0;
  // 4 projects × 1 call within half of 240 list calls/minute → rows are fresh for 2 s, not 100 ms.
  const w = watcherOf(withWatchBatching(client, { freshMs: 100, listBudgetPerMin: 240, now: () => now }))!;
  const readAll = () =>
    Promise.all(
      ids.map((x) =>
        w.read({ org: 'default', project: x.project, executionId: x.executionId, lastStatus: 'Running' }),
      ),
    );
  await readAll();
  assert.equal(fake.requestsTo('list').length, 4);
  now += 1000;
  await readAll();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(fake.requestsTo('list').length, 4, 'still fresh after 1 s');
  now += 1000;
  await readAll();
  assert.ok(await until(() => fake.requestsTo('list').length === 8, 5000), 'read again after 2 s');
});

test('a push burst of 25 executions in one project is confirmed by ONE list call, no detail call', async (t) => {
  const { fake, client } = await setup(t);
  fake.program('p', { statuses: ['Running'] });
  // Started through the watching client: watched from the execute on, before any read.
  const watched = withWatchBatching(client, { freshMs: 60_000, confirmDelayMs: 50 });
  const w = watcherOf(watched)!;
  const ids: string[] = [];
  for (let i = 0; i < 25; i++)
    ids.push(
      (await watched.execute({ org: 'default', project: 'alpha', pipeline: 'p', yaml: YAML })).executionId,
    );
  assert.equal(w.stats().watched, 25);
  for (const id of ids) fake.setStatus(id, 'Success');
  const confirmed = await Promise.all(ids.map((id) => w.confirm(id)));
  assert.ok(confirmed.every(Boolean));
  const lists = fake.requestsTo('list');
  assert.equal(lists.length, 1, 'one list call for the whole burst');
  assert.deepEqual(
    [...(JSON.parse(lists[0]!.body) as { planExecutionIds: string[] }).planExecutionIds].sort(),
    [...ids].sort(),
  );
  const reads = await Promise.all(
    ids.map((executionId) =>
      w.read({ org: 'default', project: 'alpha', executionId, lastStatus: 'RUNNING' }),
    ),
  );
  assert.ok(
    reads.every((r) => r.changed && r.summary.outcome === 'succeeded' && r.summary.stages.list.length > 0),
  );
  assert.equal(fake.requestsTo('list').length, 1, 'the reads use the confirmed rows');
  assert.equal(fake.requestsTo('status').length, 0, 'no detail call');
  assert.equal(w.stats().watched, 0);
});

test('paging: more ids than a page holds are read over several pages of one filtered list', async (t) => {
  const { fake, client } = await setup(t);
  const ids = await startMany(client, fake, ['alpha'], 5);
  fake.setStatus(ids[1]!.executionId, 'Aborted');
  const w = watcherOf(withWatchBatching(client, { freshMs: 60_000, pageSize: 2, idsPerCall: 5 }))!;
  const reads = await Promise.all(
    ids.map((x) =>
      w.read({ org: 'default', project: 'alpha', executionId: x.executionId, lastStatus: 'Running' }),
    ),
  );
  const lists = fake.requestsTo('list');
  assert.deepEqual(
    lists.map((r) => [r.query.page, r.query.size]),
    [
      ['0', '2'],
      ['1', '2'],
      ['2', '2'],
    ],
  );
  assert.ok(
    lists.every((r) => (JSON.parse(r.body) as { planExecutionIds: string[] }).planExecutionIds.length === 5),
  );
  assert.deepEqual(
    reads.map((r) => r.changed),
    [false, true, false, false, false],
  );
  assert.equal(reads[1]!.summary.outcome, 'cancelled');
  assert.equal(fake.requestsTo('status').length, 0);
});

test('idsPerCall splits a project: 7 watched executions, 3 per call → 3 list calls', async (t) => {
  const { fake, client } = await setup(t);
  const ids = await startMany(client, fake, ['alpha'], 7);
  const w = watcherOf(withWatchBatching(client, { freshMs: 60_000, idsPerCall: 3 }))!;
  await Promise.all(
    ids.map((x) =>
      w.read({ org: 'default', project: 'alpha', executionId: x.executionId, lastStatus: 'Running' }),
    ),
  );
  const named = fake
    .requestsTo('list')
    .map((r) => (JSON.parse(r.body) as { planExecutionIds: string[] }).planExecutionIds);
  // The last call has room for 2 more: it is filled with the stalest rows, free of charge.
  assert.deepEqual(
    named.map((n) => n.length),
    [3, 3, 3],
  );
  assert.deepEqual(new Set(named.flat()), new Set(ids.map((x) => x.executionId)));
});

test('a terminal list row without stages is completed by one detail call; a missing row too', async (t) => {
  const { fake, client } = await setup(t);
  const ids = await startMany(client, fake, ['alpha'], 2);
  // A Harness whose list rows lack the layout (stages): the detail call has them.
  const thin: HarnessClient = {
    ...client,
    async listExecutions(req) {
      const page = await client.listExecutions(req);
      return {
        ...page,
        items: page.items
          .filter((i) => i.executionId !== ids[1]!.executionId)
          .map((i) => ({ ...i, stages: { ...i.stages, list: [] } })),
      };
    },
  };
  const w = watcherOf(withWatchBatching(thin, { freshMs: 60_000 }))!;
  fake.setStatus(ids[0]!.executionId, 'Failed');
  const [done, missing] = await Promise.all(
    ids.map((x) =>
      w.read({ org: 'default', project: 'alpha', executionId: x.executionId, lastStatus: 'Running' }),
    ),
  );
  assert.ok(done!.changed && done!.summary.outcome === 'failed' && done!.summary.stages.list.length > 0);
  assert.ok(!missing!.changed || missing!.summary.status === 'Running');
  assert.equal(fake.requestsTo('list').length, 1);
  assert.equal(
    fake.requestsTo('status').length,
    2,
    'one for the stage-less terminal row, one for the missing row',
  );
  assert.equal(w.stats().detailCalls, 2);
});
