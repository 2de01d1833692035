import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import { createHarnessClient } from '../../src/harness/client.ts';
import type { HarnessClientOptions, RequestInfo } from '../../src/harness/types.ts';
import { startHarnessFake } from '../fakes/harness-fake.ts';

const UI = 'https://app.harness.io';
const SCOPE = { org: 'default', project: 'payments' };

async function setup(t: TestContext, overrides: Partial<HarnessClientOptions> = {}) {
  const fake = await startHarnessFake();
  t.after(() => fake.close());
  const sleeps: number[] = [];
  const calls: RequestInfo[] = [];
  const client = createHarnessClient({
    baseUrl: fake.url,
    uiUrl: UI,
    apiKey: fake.apiKey,
    accountId: fake.accountId,
    timeoutMs: 2000,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    onRequest: (info) => void calls.push(info),
    ...overrides,
  });
  return { fake, client, sleeps, calls };
}

const RUN_YAML = `pipeline:
  identifier: "rollback_service"
  variables:
    - name: "service"
      type: "String"
      value: "checkout"
    - name: "note"
      type: "String"
      value: "line one\\nfoo: bar"
    - name: "confirm"
      type: "String"
      value: "<+input>.default(yes).executionInput()"
`;

test('execute sends the documented request and returns the id, status and link', async (t) => {
  const { fake, client, calls } = await setup(t);
  const res = await client.execute({
    ...SCOPE,
    pipeline: 'rollback_service',
    yaml: RUN_YAML,
    module: 'cd',
    notes: 'runbook-bot run 7 for INC-1',
  });

  const [exec] = fake.executions();
  assert.ok(exec);
  assert.equal(res.executionId, exec.id);
  assert.equal(res.status, 'RUNNING');
  assert.equal(
    res.url,
    `${UI}/ng/account/${fake.accountId}/all/orgs/default/projects/payments/pipelines/rollback_service/executions/${exec.id}/pipeline`,
  );

  const reqs = fake.requestsTo('execute');
  assert.equal(reqs.length, 1);
  const req = reqs[0]!;
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/pipeline/api/pipeline/execute/rollback_service');
  assert.deepEqual(req.query, {
    accountIdentifier: fake.accountId,
    orgIdentifier: 'default',
    projectIdentifier: 'payments',
    moduleType: 'cd',
    notesForPipelineExecution: 'runbook-bot run 7 for INC-1',
  });
  assert.equal(req.apiKey, 'valid');
  assert.equal(req.headers['x-api-key'], '[redacted]');
  assert.equal(req.headers['harness-account'], fake.accountId);
  assert.equal(req.headers['content-type'], 'application/yaml');
  assert.equal(req.headers['accept'], 'application/json');
  assert.equal(req.body, RUN_YAML);
  assert.equal(exec.module, 'cd');

  assert.equal(calls.length, 1);
  assert.deepEqual(
    { ...calls[0], ms: 0 },
    { method: 'POST', path: '/pipeline/api/pipeline/execute/rollback_service', status: 200, ms: 0 },
  );
  assert.doesNotMatch(JSON.stringify(calls), new RegExp(fake.apiKey));
});

test('execute with an empty body (no runtime inputs) and a /gateway base URL', async (t) => {
  const { fake } = await setup(t);
  const client = createHarnessClient({
    baseUrl: `${fake.url}/gateway/`,
    uiUrl: UI,
    apiKey: fake.apiKey,
    accountId: fake.accountId,
  });
  const res = await client.execute({ ...SCOPE, pipeline: 'cleanup', yaml: '' });
  const req = fake.requestsTo('execute')[0]!;
  assert.equal(req.path, '/gateway/pipeline/api/pipeline/execute/cleanup');
  assert.equal(req.body, '');
  assert.deepEqual(Object.keys(req.query).sort(), [
    'accountIdentifier',
    'orgIdentifier',
    'projectIdentifier',
  ]);
  assert.equal(fake.executions()[0]?.id, res.executionId);
});

test('status polls follow the programmed sequence to Success, with stages in order', async (t) => {
  const { fake, client } = await setup(t);
  fake.program('deploy_pipe', {
    statuses: ['Queued', 'Running', 'Running', 'Success'],
    stages: [
      { identifier: 'build', name: 'Build', statuses: ['NotStarted', 'Running', 'Success', 'Success'] },
      { identifier: 'deploy', name: 'Deploy', statuses: ['NotStarted', 'NotStarted', 'Running', 'Success'] },
    ],
  });
  const { executionId } = await client.execute({ ...SCOPE, pipeline: 'deploy_pipe', yaml: '' });
  const seen = [];
  for (let i = 0; i < 5; i++) seen.push(await client.getExecution({ ...SCOPE, executionId }));

  assert.deepEqual(
    seen.map((s) => s.status),
    ['Queued', 'Running', 'Running', 'Success', 'Success'],
  );
  assert.deepEqual(
    seen.map((s) => s.phase),
    ['queued', 'running', 'running', 'terminal', 'terminal'],
  );
  assert.deepEqual(
    seen.map((s) => s.outcome),
    [undefined, undefined, undefined, 'succeeded', 'succeeded'],
  );
  assert.deepEqual(
    seen[2]!.stages.list.map((s) => [s.identifier, s.name, s.status]),
    [
      ['build', 'Build', 'Success'],
      ['deploy', 'Deploy', 'Running'],
    ],
  );
  assert.deepEqual(
    { ...seen[2]!.stages, list: [] },
    { total: 2, succeeded: 1, failed: 0, running: 1, list: [] },
  );
  const done = seen[3]!;
  assert.equal(done.executionId, executionId);
  assert.equal(done.pipelineIdentifier, 'deploy_pipe');
  assert.equal(done.runSequence, 1);
  assert.ok(done.endTs !== undefined && done.startTs !== undefined && done.endTs >= done.startTs);
  assert.equal(done.url, client.executionUrl({ ...SCOPE, pipeline: 'deploy_pipe', executionId }));
  const poll = fake.requestsTo('status')[0]!;
  assert.equal(poll.path, `/pipeline/api/pipelines/execution/v2/${executionId}`);
  assert.deepEqual(poll.query, {
    accountIdentifier: fake.accountId,
    orgIdentifier: 'default',
    projectIdentifier: 'payments',
  });
});

test('a failed execution reports the failure message and stage counters', async (t) => {
  const { fake, client } = await setup(t);
  fake.program('flaky', {
    statuses: ['Running', 'Failed'],
    stages: [{ identifier: 'a' }, { identifier: 'b' }],
    failureMessage: 'kubectl rollout undo failed',
  });
  const { executionId } = await client.execute({ ...SCOPE, pipeline: 'flaky', yaml: '' });
  await client.getExecution({ ...SCOPE, executionId });
  const s = await client.getExecution({ ...SCOPE, executionId });
  assert.equal(s.phase, 'terminal');
  assert.equal(s.outcome, 'failed');
  assert.equal(s.failureMessage, 'kubectl rollout undo failed');
  assert.deepEqual(
    { ...s.stages, list: s.stages.list.map((x) => x.outcome) },
    { total: 2, succeeded: 1, failed: 1, running: 0, list: ['succeeded', 'failed'] },
  );
});

test('approval waits are reported as waiting on a human', async (t) => {
  const { fake, client } = await setup(t);
  const { executionId } = await client.execute({ ...SCOPE, pipeline: 'gated', yaml: '' });
  fake.setStatus(executionId, 'ApprovalWaiting');
  const s = await client.getExecution({ ...SCOPE, executionId });
  assert.equal(s.phase, 'waiting_on_human');
  assert.equal(s.outcome, undefined);
});

test('abort stops the execution; a second abort (ABORT_ALL_ALREADY_NG) also succeeds', async (t) => {
  const { fake, client } = await setup(t);
  fake.program('long', { statuses: ['Running'] });
  const { executionId } = await client.execute({ ...SCOPE, pipeline: 'long', yaml: '' });
  await client.abort({ ...SCOPE, executionId });
  const s = await client.getExecution({ ...SCOPE, executionId });
  assert.equal(s.status, 'Aborted');
  assert.equal(s.outcome, 'cancelled');
  await client.abort({ ...SCOPE, executionId });
  const aborts = fake.requestsTo('abort');
  assert.equal(aborts.length, 2);
  for (const r of aborts) {
    assert.equal(r.method, 'PUT');
    assert.equal(r.path, `/pipeline/api/pipeline/execute/interrupt/${executionId}`);
    assert.equal(r.query.interruptType, 'AbortAll');
    assert.equal(r.body, '');
  }
  assert.equal(fake.executions()[0]?.aborts, 2);
});

async function rejects(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof AppError, `expected AppError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a rejection');
}

test('a wrong API key gives HARNESS_AUTH naming HARNESS_API_KEY, without the key, and no retry', async (t) => {
  const { fake, sleeps } = await setup(t);
  const wrongKey = 'pat.wrong.key.DONOTLEAK';
  const client = createHarnessClient({
    baseUrl: fake.url,
    uiUrl: UI,
    apiKey: wrongKey,
    accountId: fake.accountId,
    sleep: async (ms) => void sleeps.push(ms),
  });
  const err = await rejects(client.execute({ ...SCOPE, pipeline: 'p', yaml: '' }));
  assert.equal(err.code, 'HARNESS_AUTH');
  assert.equal(err.retryable, false);
  assert.match(err.message, /HTTP 401.*HARNESS_API_KEY/);
  assert.doesNotMatch(JSON.stringify({ m: err.message, d: err.details }), /DONOTLEAK/);
  assert.equal(err.details.httpStatus, 401);
  assert.equal(err.details.harnessCode, 'INVALID_TOKEN');
  assert.equal(typeof err.details.correlationId, 'string');
  assert.equal(fake.requests.length, 1);
  assert.deepEqual(sleeps, []);
  assert.equal(fake.executions().length, 0);
});

test('404: a missing pipeline or execution names what was not found', async (t) => {
  const { fake, client } = await setup(t);
  fake.program('gone', { exists: false });
  const err = await rejects(client.execute({ ...SCOPE, pipeline: 'gone', yaml: '' }));
  assert.equal(err.code, 'HARNESS_NOT_FOUND');
  assert.match(err.message, /pipeline "gone" in org "default", project "payments"/);
  assert.equal(err.details.httpStatus, 404);
  const err2 = await rejects(client.getExecution({ ...SCOPE, executionId: 'nope' }));
  assert.equal(err2.code, 'HARNESS_NOT_FOUND');
  assert.match(err2.message, /execution "nope" in org "default", project "payments"/);
  assert.equal(fake.requestsTo('status').length, 1, '404 is not retried');
});

test("400 envelope: an unresolved <+input> is rejected with Harness's message, nothing started", async (t) => {
  const { fake, client } = await setup(t);
  const yaml =
    'pipeline:\n  identifier: rollback\n  variables:\n    - name: env\n      type: String\n      value: <+input>.allowedValues(dev,prod)\n';
  const err = await rejects(client.execute({ ...SCOPE, pipeline: 'rollback', yaml }));
  assert.equal(err.code, 'HARNESS_REQUEST_REJECTED');
  assert.equal(err.retryable, false);
  assert.match(
    err.message,
    /^Harness rejected the request \(INVALID_REQUEST\) while starting pipeline "rollback".*Value not provided for required variable: pipeline\.variables\[0\]\.value.*\[correlationId [0-9a-f-]{36}\]$/,
  );
  assert.equal(err.details.harnessCode, 'INVALID_REQUEST');
  assert.equal(fake.executions().length, 0);
  assert.equal(fake.requestsTo('execute').length, 1);
});

test('bad arguments and bad config fail before any request, naming what is wrong', async (t) => {
  const { fake, client } = await setup(t);
  const err = await rejects(client.execute({ ...SCOPE, pipeline: ' ', yaml: '' }));
  assert.equal(err.code, 'INPUT_INVALID');
  assert.match(err.message, /pipeline must be a non-empty identifier/);
  assert.equal(fake.requests.length, 0);
  assert.throws(
    () => createHarnessClient({ baseUrl: 'app.harness.io', uiUrl: UI, apiKey: 'k', accountId: 'a' }),
    (e: unknown) =>
      e instanceof AppError && e.code === 'CONFIG_INVALID' && /HARNESS_BASE_URL/.test(e.message),
  );
  assert.throws(
    () => createHarnessClient({ baseUrl: fake.url, uiUrl: UI, apiKey: '', accountId: 'a' }),
    (e: unknown) => e instanceof AppError && /HARNESS_API_KEY/.test(e.message),
  );
});
