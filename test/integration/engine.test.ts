import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  setupEngine,
  runbookFromYaml,
  runToEnd,
  ROLLBACK_YAML,
  type EngineSetup,
} from '../support/engine-setup.ts';

const rollback = runbookFromYaml(ROLLBACK_YAML);

function declare(
  s: EngineSetup,
  over: Partial<{ service: string; environment: string; severity: 'P1' }> = {},
) {
  return s.store.tx(() =>
    s.store.incidents.insert(
      {
        summary: 'Checkout 500s',
        severity: 'P1',
        status: 'investigating',
        service: over.service ?? 'checkout',
        environment: over.environment ?? 'prod',
        type: 'any',
        commander: null,
        channel: 'C1',
        fields: {},
      },
      s.clock.now(),
    ),
  );
}

test('a wait-mode run succeeds: exact YAML sent once, status followed, timeline written, gated steps', async () => {
  const s = await setupEngine([rollback]);
  try {
    s.fake.program('rollback_service', { statuses: ['Running', 'Running', 'Success'] });
    const inc = declare(s);
    const run = s.engine.startRun({ runbookId: 'rollback', incidentId: inc.id, requester: 'U123' });
    assert.equal(run.state, 'running');
    await runToEnd(s, run.id);
    const { run: done, steps } = s.engine.getRun(run.id)!;
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(
      steps.map((x) => x.status),
      ['succeeded', 'succeeded', 'skipped'],
    );
    const executes = s.fake.requestsTo('execute');
    assert.equal(executes.length, 1);
    const sent = parse(executes[0]!.body);
    assert.deepEqual(
      sent.pipeline.variables.map((v: { value: string }) => v.value),
      ['checkout', 'prod', inc.id, '<+pipeline.name> run by <+pipeline.triggeredBy.name>'],
    );
    assert.equal(executes[0]!.headers['content-type'], 'application/yaml');
    assert.equal(executes[0]!.query.projectIdentifier, 'payments');
    assert.equal(steps[0]!.resolvedYaml, executes[0]!.body, 'what is stored is exactly what was sent');
    assert.match(steps[0]!.url!, /\/ng\/account\/.+\/pipelines\/rollback_service\/executions\/.+\/pipeline$/);
    assert.match(steps[2]!.skipReason!, /if: steps\.rollback\.status="succeeded" in/);
    const kinds = s.store.timeline.forIncident(inc.id).map((e) => e.kind);
    assert.deepEqual(kinds, [
      'run.requested',
      'pipeline.started',
      'pipeline.finished',
      'custom',
      'step.skipped',
      'run.finished',
    ]);
    const custom = s.store.timeline.forIncident(inc.id).find((e) => e.kind === 'custom')!;
    assert.equal(custom.text, `Rolled back checkout in prod: ${steps[0]!.url}`);
    assert.equal(custom.key, true);
  } finally {
    await s.cleanup();
  }
});

test('a failed pipeline fails the run; the failure handler step still runs; key events recorded', async () => {
  const s = await setupEngine([rollback]);
  try {
    s.fake.program('rollback_service', {
      statuses: ['Running', 'Failed'],
      failureMessage: 'Deployment failed: image not found',
    });
    const inc = declare(s);
    const run = s.engine.startRun({ runbookId: 'emergency-rollback', incidentId: inc.id, requester: 'U1' });
    await runToEnd(s, run.id);
    const { run: done, steps } = s.engine.getRun(run.id)!;
    assert.equal(done.state, 'failed');
    assert.deepEqual(
      steps.map((x) => x.status),
      ['failed', 'skipped', 'succeeded'],
    );
    assert.match(
      done.error!,
      /step rollback failed: Harness status Failed — Deployment failed: image not found/,
    );
    const finished = s.store.timeline.forIncident(inc.id).find((e) => e.kind === 'pipeline.finished')!;
    assert.equal(finished.key, true);
    assert.match(finished.text, /finished: Failed after/);
  } finally {
    await s.cleanup();
  }
});

test('invalid inputs are refused before anything is recorded or sent, naming every problem', async () => {
  const s = await setupEngine([rollback]);
  try {
    const inc = declare(s, { environment: 'staging' });
    assert.throws(
      () =>
        s.engine.startRun({
          runbookId: 'rollback',
          incidentId: inc.id,
          requester: 'U1',
          inputs: { enviroment: 'prod' },
        }),
      (e: Error & { code?: string }) =>
        e.code === 'INPUT_INVALID' &&
        /enviroment is not an input/.test(e.message) &&
        /environment must be one of dev, qa, prod; got "staging"/.test(e.message),
    );
    assert.equal(s.store.runs.recent().length, 0);
    assert.equal(s.fake.requests.length, 0);
  } finally {
    await s.cleanup();
  }
});

test('timeout: the step times out, the pipeline is aborted when asked, the run is timed_out', async () => {
  const rb = runbookFromYaml(
    ROLLBACK_YAML.replace('timeout: 30m', 'timeout: 10s\n      abort_on_timeout: true'),
  );
  const s = await setupEngine([rb]);
  try {
    s.fake.program('rollback_service', { statuses: ['Running'] });
    const inc = declare(s);
    const run = s.engine.startRun({ runbookId: 'rollback', incidentId: inc.id, requester: 'U1' });
    await runToEnd(s, run.id, 3000);
    const { run: done, steps } = s.engine.getRun(run.id)!;
    assert.equal(done.state, 'timed_out');
    assert.equal(steps[0]!.status, 'timed_out');
    assert.match(steps[0]!.error!, /no terminal status within 10s; the pipeline was aborted/);
    assert.equal(s.fake.requestsTo('abort').length, 1);
    assert.equal(s.fake.executions()[0]!.status, 'Aborted');
    assert.deepEqual(
      steps.map((x) => x.status),
      ['timed_out', 'skipped', 'succeeded'],
    );
  } finally {
    await s.cleanup();
  }
});

test('fire_and_forget succeeds once Harness accepts, without polling', async () => {
  const rb = runbookFromYaml(ROLLBACK_YAML.replace('mode: wait', 'mode: fire_and_forget'));
  const s = await setupEngine([rb]);
  try {
    s.fake.program('rollback_service', { statuses: ['Running', 'Failed'] });
    const run = s.engine.startRun({ runbookId: 'rollback', incidentId: declare(s).id, requester: 'U1' });
    await runToEnd(s, run.id);
    assert.equal(s.store.runs.get(run.id)!.state, 'succeeded');
    assert.equal(s.fake.requestsTo('status').length, 0);
    assert.equal(s.fake.requestsTo('execute').length, 1);
  } finally {
    await s.cleanup();
  }
});

test('Harness down then back: execute is retried only because it never reached Harness; one execution', async () => {
  const s = await setupEngine([rollback]);
  try {
    s.fake.program('rollback_service', { statuses: ['Running', 'Success'] });
    const inc = declare(s);
    await s.fake.stop();
    const run = s.engine.startRun({ runbookId: 'rollback', incidentId: inc.id, requester: 'U1' });
    await s.engine.drain();
    let step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(step.status, 'pending');
    assert.match(step.error!, /attempt 1 failed, retrying/);
    await s.fake.restart();
    await runToEnd(s, run.id, 5000);
    step = s.engine.getRun(run.id)!.steps[0]!;
    assert.equal(s.store.runs.get(run.id)!.state, 'succeeded');
    assert.equal(step.attempts, 2);
    assert.equal(s.fake.executions().length, 1);
  } finally {
    await s.cleanup();
  }
});

test('an ambiguous execute failure (5xx) makes the step unknown and is never re-sent', async () => {
  const s = await setupEngine([rollback]);
  try {
    s.fake.failNext('execute', 1, '500');
    const run = s.engine.startRun({ runbookId: 'rollback', incidentId: declare(s).id, requester: 'U1' });
    await runToEnd(s, run.id);
    const { run: done, steps } = s.engine.getRun(run.id)!;
    assert.equal(steps[0]!.status, 'unknown');
    assert.equal(done.state, 'failed');
    assert.match(steps[0]!.error!, /may or may not have started/);
    assert.equal(s.fake.requestsTo('execute').length, 1);
    assert.deepEqual(
      steps.map((x) => x.status),
      ['unknown', 'skipped', 'succeeded'],
    );
  } finally {
    await s.cleanup();
  }
});

test('status reads that fail are retried without failing the step', async () => {
  const s = await setupEngine([rollback]);
  try {
    s.fake.program('rollback_service', { statuses: ['Running', 'Success'] });
    s.fake.failNext('status', 6, '500');
    const run = s.engine.startRun({ runbookId: 'rollback', incidentId: declare(s).id, requester: 'U1' });
    await runToEnd(s, run.id);
    assert.equal(s.store.runs.get(run.id)!.state, 'succeeded');
    assert.equal(s.fake.requestsTo('execute').length, 1);
  } finally {
    await s.cleanup();
  }
});

test('cancel aborts the running pipeline and skips the rest', async () => {
  const s = await setupEngine([rollback]);
  try {
    s.fake.program('rollback_service', { statuses: ['Running'] });
    const run = s.engine.startRun({ runbookId: 'rollback', incidentId: declare(s).id, requester: 'U1' });
    await s.engine.drain();
    const cancelled = await s.engine.cancelRun(run.id, 'U9');
    assert.equal(cancelled.state, 'cancelled');
    assert.deepEqual(
      s.engine.getRun(run.id)!.steps.map((x) => x.status),
      ['cancelled', 'skipped', 'skipped'],
    );
    assert.equal(s.fake.requestsTo('abort').length, 1);
    await assert.rejects(() => s.engine.cancelRun(run.id, 'U9'), /already cancelled/);
  } finally {
    await s.cleanup();
  }
});
