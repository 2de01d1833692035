import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiPaths, apiUrl, executionsListUrl, executionUrl } from '../../src/harness/urls.ts';

test('execution links follow the Harness UI route', () => {
  assert.equal(
    executionUrl('https://app.harness.io', {
      accountId: 'px7xd_BFRCi-pfWPYXVjvw',
      org: 'default',
      project: 'payments',
      pipeline: 'rollback_service',
      executionId: 'puqa4ivwRzGDUrYJdrcPbg',
    }),
    'https://app.harness.io/ng/account/px7xd_BFRCi-pfWPYXVjvw/all/orgs/default/projects/payments/pipelines/rollback_service/executions/puqa4ivwRzGDUrYJdrcPbg/pipeline',
  );
});

test('trailing slashes on the UI base are dropped and segments are encoded', () => {
  const url = executionUrl('https://harness.example.com/', {
    accountId: 'a/b',
    org: 'o rg',
    project: 'p?x=1',
    pipeline: 'p#1',
    executionId: '../../admin',
  });
  assert.equal(
    url,
    'https://harness.example.com/ng/account/a%2Fb/all/orgs/o%20rg/projects/p%3Fx%3D1/pipelines/p%231/executions/..%2F..%2Fadmin/pipeline',
  );
  assert.equal(new URL(url).search, '');
  assert.equal(
    executionsListUrl('https://app.harness.io//', { accountId: 'a', org: 'o', project: 'p', pipeline: 'x' }),
    'https://app.harness.io/ng/account/a/all/orgs/o/projects/p/pipelines/x/executions',
  );
});

test('API URLs: paths per endpoint, encoded query, undefined values skipped', () => {
  assert.equal(apiPaths.execute('rollback'), '/pipeline/api/pipeline/execute/rollback');
  assert.equal(apiPaths.executionDetail('a/b'), '/pipeline/api/pipelines/execution/v2/a%2Fb');
  assert.equal(apiPaths.interrupt('x'), '/pipeline/api/pipeline/execute/interrupt/x');
  const url = apiUrl('https://app.harness.io/gateway/', apiPaths.execute('rollback'), {
    accountIdentifier: 'acc',
    orgIdentifier: 'default',
    projectIdentifier: 'payments',
    moduleType: undefined,
    notesForPipelineExecution: 'run 1 & more=yes',
  });
  const u = new URL(url);
  assert.equal(u.pathname, '/gateway/pipeline/api/pipeline/execute/rollback');
  assert.deepEqual(Object.fromEntries(u.searchParams), {
    accountIdentifier: 'acc',
    orgIdentifier: 'default',
    projectIdentifier: 'payments',
    notesForPipelineExecution: 'run 1 & more=yes',
  });
});
