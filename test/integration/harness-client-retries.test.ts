import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import { createHarnessClient } from '../../src/harness/client.ts';
import type { HarnessClientOptions } from '../../src/harness/types.ts';
import { startHarnessFake } from '../fakes/harness-fake.ts';
import type { HarnessFake } from '../fakes/harness-fake.ts';

const UI = 'https://app.harness.io';
const SCOPE = { org: 'default', project: 'payments' };

async function setup(
  t: TestContext,
  overrides: Partial<HarnessClientOptions> = {},
  onSleep?: (fake: HarnessFake) => Promise<void>,
) {
  const fake = await startHarnessFake();
  t.after(() => fake.close());
  const sleeps: number[] = [];
  const client = createHarnessClient({
    baseUrl: fake.url,
    uiUrl: UI,
    apiKey: fake.apiKey,
    accountId: fake.accountId,
    timeoutMs: 1000,
    // Fake sleep: records the backoff and returns at once, so retry tests stay fast.
    sleep: async (ms) => {
      sleeps.push(ms);
      await onSleep?.(fake);
    },
    random: () => 0,
    ...overrides,
  });
  return { fake, client, sleeps };
}

async function rejects(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

const LIST_URL =
  /Check Harness before running it again: https:\/\/app\.harness\.io\/ng\/account\/[^/]+\/all\/orgs\/default\/projects\/payments\/pipelines\/rollback\/executions$/;

test('read: 429 then success is retried with backoff', async (t) => {
  const { fake, client, sleeps } = await setup(t);
  const { executionId } = await client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' });
  fake.failNext('status', 2, '429');
  const s = await client.getExecution({ ...SCOPE, executionId });
  assert.equal(s.status, 'Running');
  assert.deepEqual(sleeps, [250, 500]);
  assert.equal(fake.requestsTo('status').length, 3);
});

test('execute: 429 is retried (the edge refused it) and exactly one execution is accepted', async (t) => {
  const { fake, client, sleeps } = await setup(t);
  fake.failNext('execute', 1, '429');
  const res = await client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' });
  assert.equal(fake.requestsTo('execute').length, 2);
  assert.equal(fake.executions().length, 1);
  assert.equal(fake.executions()[0]?.id, res.executionId);
  assert.deepEqual(sleeps, [250]);
});

test('execute: 429 every time ends as retryable HARNESS_THROTTLED, never ambiguous', async (t) => {
  const { fake, client, sleeps } = await setup(t, { maxRetries: 2 });
  fake.failNext('execute', 5, '429');
  const err = await rejects(client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' }));
  assert.equal(err.code, 'HARNESS_THROTTLED');
  assert.equal(err.retryable, true);
  assert.equal(err.details.attempts, 3);
  assert.equal(fake.requestsTo('execute').length, 3);
  assert.deepEqual(sleeps, [250, 500]);
});

test('execute: 500 is ambiguous, final, links the executions list, and is never resent', async (t) => {
  const { fake, client, sleeps } = await setup(t);
  fake.failNext('execute', 1, '500');
  const err = await rejects(client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' }));
  assert.equal(err.code, 'HARNESS_AMBIGUOUS');
  assert.equal(err.retryable, false);
  assert.match(err.message, /^Harness may or may not have started the pipeline \(.*HTTP 500, UNEXPECTED.*\)/);
  assert.match(err.message, LIST_URL);
  assert.doesNotMatch(err.message, /try again/);
  assert.equal(err.details.httpStatus, 500);
  assert.equal(fake.requestsTo('execute').length, 1);
  assert.deepEqual(sleeps, []);
});

test('execute: connection refused is retried, and succeeds once Harness is back on the same port', async (t) => {
  let restarts = 0;
  const { fake, client, sleeps } = await setup(t, {}, async (f) => {
    restarts += 1;
    if (restarts === 2) await f.restart();
  });
  await fake.stop();
  const res = await client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' });
  assert.deepEqual(sleeps, [250, 500]);
  assert.equal(fake.requestsTo('execute').length, 1, 'only the attempt after the restart reached Harness');
  assert.equal(fake.executions().length, 1);
  assert.equal(fake.executions()[0]?.id, res.executionId);
});

test('read: connection refused throughout ends as retryable HARNESS_UNAVAILABLE', async (t) => {
  const { fake, client, sleeps } = await setup(t);
  await fake.stop();
  const err = await rejects(client.getExecution({ ...SCOPE, executionId: 'x' }));
  assert.equal(err.code, 'HARNESS_UNAVAILABLE');
  assert.equal(err.retryable, true);
  assert.equal(err.details.networkCode, 'ECONNREFUSED');
  assert.equal(err.details.attempts, 4);
  assert.deepEqual(sleeps, [250, 500, 1000]);
});

test('execute: a timeout (no answer) is ambiguous and not resent', async (t) => {
  const { fake, client, sleeps } = await setup(t, { timeoutMs: 150 });
  fake.failNext('execute', 1, 'hang');
  const started = Date.now();
  const err = await rejects(client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' }));
  assert.ok(Date.now() - started >= 140, 'waited for the timeout');
  assert.equal(err.code, 'HARNESS_AMBIGUOUS');
  assert.match(err.message, /did not answer within 150 ms/);
  assert.match(err.message, LIST_URL);
  assert.equal(fake.requestsTo('execute').length, 1);
  assert.deepEqual(sleeps, []);
});

test('execute: a slow answer past timeoutMs is ambiguous — and Harness did start the run', async (t) => {
  const { fake, client } = await setup(t, { timeoutMs: 150 });
  fake.program('rollback', { executeDelayMs: 600 });
  const err = await rejects(client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' }));
  assert.equal(err.code, 'HARNESS_AMBIGUOUS');
  assert.equal(fake.requestsTo('execute').length, 1);
  assert.equal(fake.executions().length, 1, 'this is why execute is never retried blindly');
});

test('execute: socket reset before or after processing is ambiguous and not resent', async (t) => {
  const { fake, client } = await setup(t);
  fake.failNext('execute', 1, 'reset');
  fake.failNext('execute', 1, 'reset-after-processing');
  const first = await rejects(client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' }));
  assert.equal(first.code, 'HARNESS_AMBIGUOUS');
  assert.equal(fake.executions().length, 0);
  const second = await rejects(client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' }));
  assert.equal(second.code, 'HARNESS_AMBIGUOUS');
  assert.equal(fake.executions().length, 1);
  assert.equal(fake.requestsTo('execute').length, 2, 'one request per call, no retries');
});

test('execute: a 2xx with an unparseable body is ambiguous', async (t) => {
  const { fake, client } = await setup(t);
  fake.failNext('execute', 1, 'invalid-json');
  const err = await rejects(client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' }));
  assert.equal(err.code, 'HARNESS_AMBIGUOUS');
  assert.match(err.message, /could not understand \(HTTP 200\).*invalid JSON/);
  assert.equal(fake.executions().length, 1);
});

test('HTML 502 pages give a readable error: retried on reads, ambiguous on execute', async (t) => {
  const { fake, client, sleeps } = await setup(t, { maxRetries: 1 });
  const { executionId } = await client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' });
  fake.failNext('status', 2, 'html502');
  const err = await rejects(client.getExecution({ ...SCOPE, executionId }));
  assert.equal(err.code, 'HARNESS_UNAVAILABLE');
  assert.equal(err.retryable, true);
  assert.match(
    err.message,
    /^Harness returned an HTML page \(HTTP 502\) — likely a proxy or gateway error \("502 Bad Gateway"\) while reading execution/,
  );
  assert.doesNotMatch(err.message, /<|nginx/);
  assert.deepEqual(sleeps, [250]);

  fake.failNext('execute', 1, 'html502');
  const amb = await rejects(client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' }));
  assert.equal(amb.code, 'HARNESS_AMBIGUOUS');
  assert.match(amb.message, /HTML page \(HTTP 502\)/);
});

test('read: a hang, a reset and a slow answer are retried until one gets through', async (t) => {
  const { fake, client, sleeps } = await setup(t, { timeoutMs: 150 });
  fake.program('rollback', { statuses: ['Running', 'Success'] });
  const { executionId } = await client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' });
  fake.failNext('status', 1, 'hang');
  fake.failNext('status', 1, 'reset');
  fake.failNext('status', 1, '500');
  const s = await client.getExecution({ ...SCOPE, executionId });
  assert.equal(s.status, 'Running');
  assert.equal(sleeps.length, 3);
  assert.equal(fake.requestsTo('status').length, 4);

  fake.program('slow', { statusDelayMs: 600 });
  const slow = await client.execute({ ...SCOPE, pipeline: 'slow', yaml: '' });
  const err = await rejects(client.getExecution({ ...SCOPE, executionId: slow.executionId }));
  assert.equal(err.code, 'HARNESS_UNAVAILABLE');
  assert.match(err.message, /did not answer within 150 ms while reading execution/);
  assert.equal(err.details.attempts, 4);
});

test('abort is retried like a read; a retried abort that already landed still succeeds', async (t) => {
  const { fake, client } = await setup(t);
  fake.program('rollback', { statuses: ['Running'] });
  const { executionId } = await client.execute({ ...SCOPE, pipeline: 'rollback', yaml: '' });
  fake.failNext('abort', 1, 'reset-after-processing');
  await client.abort({ ...SCOPE, executionId });
  assert.equal(fake.requestsTo('abort').length, 2);
  assert.equal(fake.executions()[0]?.status, 'Aborted');
});
