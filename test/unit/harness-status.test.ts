import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTerminalStatus, mapHarnessStatus } from '../../src/harness/status.ts';
import type { HarnessOutcome, HarnessPhase } from '../../src/harness/types.ts';

// Expected values written out from reference/harness-api.md §2c, not derived from the table.
type Expect = [HarnessPhase, HarnessOutcome?];
const DISPLAY: Record<string, Expect> = {
  Running: ['running'],
  AsyncWaiting: ['running'],
  TaskWaiting: ['running'],
  TimedWaiting: ['running'],
  Failed: ['terminal', 'failed'],
  Errored: ['terminal', 'failed'],
  IgnoreFailed: ['terminal', 'succeeded'],
  NotStarted: ['queued'],
  Expired: ['terminal', 'timed_out'],
  Aborted: ['terminal', 'cancelled'],
  Discontinuing: ['running'],
  Queued: ['queued'],
  Paused: ['paused'],
  ResourceWaiting: ['queued'],
  InterventionWaiting: ['waiting_on_human'],
  ApprovalWaiting: ['waiting_on_human'],
  WaitStepRunning: ['running'],
  QueuedLicenseLimitReached: ['queued'],
  QueuedExecutionConcurrencyReached: ['queued'],
  Success: ['terminal', 'succeeded'],
  Suspended: ['terminal', 'failed'],
  Skipped: ['terminal', 'skipped'],
  Pausing: ['paused'],
  ApprovalRejected: ['terminal', 'failed'],
  InputWaiting: ['waiting_on_human'],
  AbortedByFreeze: ['terminal', 'failed'],
};
const LEGACY: Record<string, Expect> = {
  NOT_STARTED: ['queued'],
  INTERVENTION_WAITING: ['waiting_on_human'],
  APPROVAL_WAITING: ['waiting_on_human'],
  APPROVAL_REJECTED: ['terminal', 'failed'],
  WAITING: ['running'],
};
const ENGINE: Record<string, Expect> = {
  NO_OP: ['running'],
  RUNNING: ['running'],
  INTERVENTION_WAITING: ['waiting_on_human'],
  TIMED_WAITING: ['running'],
  ASYNC_WAITING: ['running'],
  TASK_WAITING: ['running'],
  DISCONTINUING: ['running'],
  PAUSING: ['paused'],
  QUEUED: ['queued'],
  SKIPPED: ['terminal', 'skipped'],
  PAUSED: ['paused'],
  ABORTED: ['terminal', 'cancelled'],
  ERRORED: ['terminal', 'failed'],
  FAILED: ['terminal', 'failed'],
  EXPIRED: ['terminal', 'timed_out'],
  SUSPENDED: ['terminal', 'failed'],
  SUCCEEDED: ['terminal', 'succeeded'],
  IGNORE_FAILED: ['terminal', 'succeeded'],
  APPROVAL_WAITING: ['waiting_on_human'],
  RESOURCE_WAITING: ['queued'],
  APPROVAL_REJECTED: ['terminal', 'failed'],
  INPUT_WAITING: ['waiting_on_human'],
  WAIT_STEP_RUNNING: ['running'],
  FREEZE_FAILED: ['terminal', 'failed'],
  QUEUED_LICENSE_LIMIT_REACHED: ['queued'],
  QUEUED_EXECUTION_CONCURRENCY_REACHED: ['queued'],
};

for (const [label, table] of [
  ['display', DISPLAY],
  ['legacy', LEGACY],
  ['engine', ENGINE],
] as const) {
  test(`every ${label} status maps to its phase and outcome`, () => {
    for (const [raw, [phase, outcome]] of Object.entries(table)) {
      const got = mapHarnessStatus(raw);
      assert.equal(got.phase, phase, `${raw} phase`);
      assert.equal(got.outcome, outcome, `${raw} outcome`);
      assert.equal(got.known, true, `${raw} known`);
      assert.equal(isTerminalStatus(raw), phase === 'terminal', `${raw} terminal`);
    }
  });
}

test('the terminal set is exactly the ten final statuses', () => {
  const terminal = Object.keys(DISPLAY).filter((s) => mapHarnessStatus(s).phase === 'terminal');
  assert.deepEqual(terminal.sort(), [
    'Aborted',
    'AbortedByFreeze',
    'ApprovalRejected',
    'Errored',
    'Expired',
    'Failed',
    'IgnoreFailed',
    'Skipped',
    'Success',
    'Suspended',
  ]);
});

test('matching ignores case and underscores', () => {
  for (const raw of [
    'success',
    'SUCCESS',
    'Success',
    'approval_waiting',
    'approvalwaiting',
    'Queued_License_Limit_Reached',
  ]) {
    assert.equal(mapHarnessStatus(raw).known, true, raw);
  }
  assert.equal(mapHarnessStatus('aborted_by_freeze').outcome, 'failed');
});

test('an outcome is only given for terminal statuses', () => {
  for (const raw of [...Object.keys(DISPLAY), ...Object.keys(ENGINE)]) {
    const got = mapHarnessStatus(raw);
    assert.equal(got.outcome !== undefined, got.phase === 'terminal', raw);
  }
});

test('unknown, empty and missing statuses are running and never throw', () => {
  for (const raw of ['UNRECOGNIZED', 'SomethingNew2027', '', '   ', null, undefined]) {
    const got = mapHarnessStatus(raw);
    assert.equal(got.phase, 'running');
    assert.equal(got.outcome, undefined);
    assert.equal(got.known, false);
  }
});
