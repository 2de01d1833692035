import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { executionDetailResponseSchema } from '../../src/harness/schemas.ts';
import { extractStages, toExecutionSummary } from '../../src/harness/summary.ts';
import type { LayoutNode } from '../../src/harness/schemas.ts';

const sample: unknown = JSON.parse(
  readFileSync(
    new URL('../fixtures/harness-samples/response-execution-detail-v2.json', import.meta.url),
    'utf8',
  ),
);
const urlFor = (p: string, id: string) => `https://ui/${p}/${id}`;

test('normalizes the real v2 execution detail (Failed, one stage, unreached rollback node)', () => {
  const parsed = executionDetailResponseSchema.parse(sample);
  const s = parsed.data.pipelineExecutionSummary;
  const summary = toExecutionSummary(
    { ...s, pipelineIdentifier: s.pipelineIdentifier ?? '' },
    'ignored',
    urlFor,
  );
  assert.deepEqual(summary, {
    executionId: 'Y24-qC4rQ1G5PqNXsTi9gA',
    pipelineIdentifier: 'ECRPipeline',
    status: 'Failed',
    phase: 'terminal',
    outcome: 'failed',
    runSequence: 2,
    startTs: 1695668775183,
    endTs: 1695668810574,
    failureMessage: 'Shell Script execution failed. Please check execution logs.',
    stages: {
      total: 1,
      succeeded: 0,
      failed: 1,
      running: 0,
      list: [
        {
          identifier: 'Srg1',
          name: 'Srg1',
          status: 'Failed',
          phase: 'terminal',
          outcome: 'failed',
          startTs: 1695668777128,
          endTs: 1695668809405,
        },
      ],
    },
    url: 'https://ui/ECRPipeline/Y24-qC4rQ1G5PqNXsTi9gA',
  });
});

const node = (
  id: string,
  status: string,
  nextIds: string[] = [],
  extra: Partial<LayoutNode> = {},
): LayoutNode => ({
  nodeType: 'Deployment',
  nodeGroup: 'STAGE',
  nodeIdentifier: id,
  name: id.toUpperCase(),
  nodeUuid: `u-${id}`,
  status,
  edgeLayoutList: { currentNodeChildren: [], nextIds: nextIds.map((n) => `u-${n}`) },
  ...extra,
});

test('stages follow nextIds from the starting node, not map order, and expand parallel groups', () => {
  const map: Record<string, LayoutNode> = {
    'u-c': node('c', 'NotStarted'),
    'u-par': {
      nodeType: 'parallel',
      nodeGroup: 'STAGE',
      nodeUuid: 'u-par',
      status: 'Running',
      edgeLayoutList: { currentNodeChildren: ['u-b1', 'u-b2'], nextIds: ['u-c'] },
    },
    'u-b2': node('b2', 'Running'),
    'u-a': node('a', 'Success', ['par']),
    'u-b1': node('b1', 'Success'),
    'u-rb': node('rb', 'NotStarted', [], { nodeType: 'PipelineRollback', name: 'Pipeline Rollback' }),
  };
  const stages = extractStages(map, 'u-a');
  assert.deepEqual(
    stages.map((s) => s.identifier),
    ['a', 'b1', 'b2', 'c'],
  );
  assert.deepEqual(
    stages.map((s) => s.phase),
    ['terminal', 'terminal', 'running', 'queued'],
  );
  assert.equal(stages[0]?.name, 'A');
});

test('an unreached node is listed once it has started (pipeline rollback ran)', () => {
  const map: Record<string, LayoutNode> = {
    'u-a': node('a', 'Failed'),
    'u-rb': node('rb', 'Running', [], { nodeType: 'PipelineRollback', name: 'Pipeline Rollback' }),
  };
  assert.deepEqual(
    extractStages(map, 'u-a').map((s) => s.identifier),
    ['a', 'rb'],
  );
});

test('without a usable starting node the map order is used; cycles and junk do not hang or crash', () => {
  const map: Record<string, LayoutNode | null> = {
    'u-x': node('x', 'Success', ['y']),
    'u-y': node('y', 'Running', ['x']),
    'u-bad': null,
    'u-step': node('step', 'Running', [], { nodeGroup: 'STEP' }),
  };
  assert.deepEqual(
    extractStages(map, undefined).map((s) => s.identifier),
    ['x', 'y'],
  );
  assert.deepEqual(
    extractStages(map, 'u-missing').map((s) => s.identifier),
    ['x', 'y'],
  );
  assert.deepEqual(
    extractStages(map, 'u-y').map((s) => s.identifier),
    ['y', 'x'],
  );
  assert.deepEqual(extractStages(undefined, 'u-x'), []);
});

test('counters fall back to the stage list; unknown statuses stay visible as running', () => {
  const summary = toExecutionSummary(
    {
      pipelineIdentifier: 'p',
      status: 'BrandNewStatus',
      layoutNodeMap: {
        'u-a': node('a', 'Success', ['b']),
        'u-b': node('b', 'Mystery'),
        'u-c': node('c', 'NotStarted'),
      },
      startingNodeId: 'u-a',
    },
    'exec-1',
    urlFor,
  );
  assert.equal(summary.executionId, 'exec-1');
  assert.equal(summary.status, 'BrandNewStatus');
  assert.equal(summary.phase, 'running');
  assert.equal(summary.outcome, undefined);
  assert.deepEqual(
    {
      total: summary.stages.total,
      succeeded: summary.stages.succeeded,
      failed: summary.stages.failed,
      running: summary.stages.running,
    },
    { total: 2, succeeded: 1, failed: 0, running: 1 },
  );
  assert.equal(summary.stages.list[1]?.status, 'Mystery');
});

test('a loose schema: extra fields pass, wrong optional types are dropped, a missing status fails', () => {
  const ok = executionDetailResponseSchema.safeParse({
    data: {
      pipelineExecutionSummary: {
        status: 'Running',
        pipelineIdentifier: 'p',
        startTs: 'soon',
        brandNew: { x: 1 },
      },
    },
  });
  assert.ok(ok.success);
  assert.equal(ok.data.data.pipelineExecutionSummary.startTs, undefined);
  const bad = executionDetailResponseSchema.safeParse({
    data: { pipelineExecutionSummary: { pipelineIdentifier: 'p' } },
  });
  assert.equal(bad.success, false);
});
