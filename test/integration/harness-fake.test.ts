import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startHarnessFake } from '../fakes/harness-fake.ts';

// The fake checks requests the way Harness does; these tests keep it honest with raw fetch.

async function fakeAndPost(t: TestContext) {
  const fake = await startHarnessFake();
  t.after(() => fake.close());
  const q = `accountIdentifier=${fake.accountId}&orgIdentifier=o&projectIdentifier=p`;
  const post = async (
    pipeline: string,
    body: string,
    opts: { query?: string; type?: string; key?: string } = {},
  ) => {
    const res = await fetch(`${fake.url}/pipeline/api/pipeline/execute/${pipeline}?${opts.query ?? q}`, {
      method: 'POST',
      headers: { 'x-api-key': opts.key ?? fake.apiKey, 'content-type': opts.type ?? 'application/yaml' },
      body,
    });
    return {
      status: res.status,
      json: (await res.json()) as {
        status: string;
        code?: string;
        message?: string;
        errors?: unknown[];
        data?: { planExecution?: { uuid?: string } };
      },
    };
  };
  return { fake, post, q };
}

test('fake execute: checks key, query, content type and YAML like Harness', async (t) => {
  const { fake, post } = await fakeAndPost(t);
  assert.equal((await post('p', '', { key: 'wrong' })).status, 401);
  const missing = await post('p', '', { query: `accountIdentifier=${fake.accountId}` });
  assert.equal(missing.status, 400);
  assert.equal(missing.json.status, 'FAILURE');
  assert.equal(missing.json.errors?.length, 2);
  assert.equal(
    (await post('p', '', { query: 'accountIdentifier=other&orgIdentifier=o&projectIdentifier=p' })).status,
    403,
  );
  assert.equal((await post('p', '{}', { type: 'application/json' })).status, 415);
  assert.equal((await post('p', 'pipeline: [unclosed')).json.code, 'INVALID_YAML_ERROR');
  assert.equal((await post('p', 'pipeline:\n  identifier: other\n')).status, 400);
  const bare = await post(
    'p',
    'pipeline:\n  identifier: p\n  variables:\n    - {name: a, value: <+input>}\n',
  );
  assert.match(
    bare.json.message ?? '',
    /Value not provided for required variable: pipeline\.variables\[0\]\.value/,
  );
  const runbookPlaceholder = await post(
    'p',
    'pipeline:\n  identifier: p\n  variables:\n    - {name: a, value: "<+input.service>"}\n',
  );
  assert.equal(runbookPlaceholder.json.code, 'UNRESOLVED_EXPRESSIONS_ERROR');
  assert.equal(fake.executions().length, 0);

  const ok = await post(
    'p',
    'pipeline:\n  identifier: p\n  variables:\n    - {name: a, value: "<+input>.executionInput()"}\n    - {name: b, value: "<+input>.default(x)"}\n',
  );
  assert.equal(ok.status, 200);
  assert.equal(ok.json.status, 'SUCCESS');
  assert.match(ok.json.data?.planExecution?.uuid ?? '', /^[A-Za-z0-9_-]{22}$/);
  assert.equal(fake.executions().length, 1);
});

test('fake status: by-time sequences, scope checks, unknown routes', async (t) => {
  const { fake, post, q } = await fakeAndPost(t);
  fake.program('timed', { statuses: ['Running', 'Success'], advanceEveryMs: 60 });
  const id = (await post('timed', '')).json.data?.planExecution?.uuid ?? '';
  const get = (query = q) =>
    fetch(`${fake.url}/pipeline/api/pipelines/execution/v2/${id}?${query}`, {
      headers: { 'x-api-key': fake.apiKey },
    });
  const statusNow = async () =>
    ((await (await get()).json()) as { data: { pipelineExecutionSummary: { status: string } } }).data
      .pipelineExecutionSummary.status;
  assert.equal(await statusNow(), 'Running');
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(await statusNow(), 'Success');
  assert.equal(
    (await get(`accountIdentifier=${fake.accountId}&orgIdentifier=other&projectIdentifier=p`)).status,
    404,
  );
  assert.equal(
    (await fetch(`${fake.url}/pipeline/api/nothing`, { headers: { 'x-api-key': fake.apiKey } })).status,
    404,
  );
  const wrongMethod = await fetch(`${fake.url}/pipeline/api/pipelines/execution/v2/${id}?${q}`, {
    method: 'DELETE',
    headers: { 'x-api-key': fake.apiKey },
  });
  assert.equal(wrongMethod.status, 405);
  const noType = await fetch(
    `${fake.url}/pipeline/api/pipeline/execute/interrupt/${id}?${q}&interruptType=Pause`,
    { method: 'PUT', headers: { 'x-api-key': fake.apiKey } },
  );
  assert.equal(noType.status, 400);
  assert.ok(fake.requests.every((r) => r.headers['x-api-key'] === '[redacted]'));
});
