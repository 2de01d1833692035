/**
 * Durable transitions. Each function runs inside ONE SQLite transaction that changes the state and
 * writes the timeline events describing it, so a crash can never leave one without the other.
 */
import type { Store, RunRecord, StepRecord } from '../store/index.ts';
import type { StepState } from '../domain/types.ts';
import { finalRunState, isFailedStep } from '../domain/run-state.ts';
import { formatDuration } from '../domain/duration.ts';
import type { ActionEvent, StepResult } from './ports.ts';

export function addEvent(
  store: Store,
  run: RunRecord,
  ev: ActionEvent & { actor?: string | null },
  at: number,
  dedupeKey: string,
) {
  store.timeline.add({
    incidentId: run.incidentId,
    runId: run.id,
    at,
    kind: ev.kind,
    text: ev.text,
    key: ev.key ?? false,
    actor: ev.actor ?? null,
    data: ev.data,
    dedupeKey,
  });
}

const stepKey = (step: StepRecord, suffix: string) => `${step.runId}:${step.idx}:${step.attempts}:${suffix}`;

/** Writes an action's result; returns false when the step was no longer running (someone else won). */
export function applyResult(
  store: Store,
  run: RunRecord,
  step: StepRecord,
  result: StepResult,
  now: number,
): boolean {
  return store.tx(() => {
    const common = {
      ...(result.externalId !== undefined ? { externalId: result.externalId } : {}),
      ...(result.externalStatus !== undefined ? { externalStatus: result.externalStatus } : {}),
      ...(result.url !== undefined ? { url: result.url } : {}),
      ...(result.progress !== undefined ? { progress: result.progress } : {}),
      ...(result.output !== undefined ? { output: result.output } : {}),
      dispatching: false,
    };
    const ok =
      result.kind === 'wait'
        ? store.runs.updateStep(
            run.id,
            step.idx,
            { ...common, nextAttemptAt: result.nextCheckAt, error: null },
            ['running'],
          )
        : store.runs.updateStep(
            run.id,
            step.idx,
            {
              ...common,
              status: result.status,
              finishedAt: now,
              nextAttemptAt: null,
              error: result.error ?? null,
              errorCode: result.errorCode ?? null,
            },
            ['running'],
          );
    if (!ok) return false;
    (result.events ?? []).forEach((ev, i) => addEvent(store, run, ev, now, stepKey(step, `${ev.kind}:${i}`)));
    if (result.kind === 'done' && isFailedStep(result.status) && !(result.events ?? []).some((e) => e.key)) {
      addEvent(
        store,
        run,
        {
          kind: 'step.failed',
          text: `Step ${step.stepId} ${result.status.replace('_', ' ')}: ${result.error ?? 'no detail'}`,
          key: true,
        },
        now,
        stepKey(step, 'failed'),
      );
    }
    if (result.kind === 'done') advance(store, run.id, now);
    return true;
  });
}

/**
 * Marks a pending step skipped with its reason, then moves on. `event` replaces the default
 * timeline line (a test incident's skip says what was not sent, and is flagged in its data).
 */
export function skipStep(
  store: Store,
  run: RunRecord,
  step: StepRecord,
  reason: string,
  now: number,
  event?: { text: string; data?: Record<string, unknown> },
): boolean {
  return store.tx(() => {
    const ok = store.runs.updateStep(
      run.id,
      step.idx,
      { status: 'skipped', skipReason: reason, finishedAt: now, nextAttemptAt: null },
      ['pending'],
    );
    if (!ok) return false;
    addEvent(
      store,
      run,
      event
        ? { kind: 'step.skipped', text: event.text, data: { step: step.stepId, ...event.data } }
        : { kind: 'step.skipped', text: `Step ${step.stepId} skipped: ${reason}` },
      now,
      stepKey(step, 'skipped'),
    );
    advance(store, run.id, now);
    return true;
  });
}

/** Schedules the next pending step, or finishes the run when none is left. Call inside a transaction. */
export function advance(store: Store, runId: string, now: number): void {
  const run = store.runs.get(runId);
  if (!run || run.state !== 'running') return;
  const steps = store.runs.steps(runId);
  if (steps.some((s) => s.status === 'running')) return;
  const next = steps.find((s) => s.status === 'pending');
  if (next) {
    store.runs.updateStep(runId, next.idx, { nextAttemptAt: now }, ['pending']);
    return;
  }
  const specs = run.runbook.steps;
  const state = finalRunState(
    steps.map((s) => ({ status: s.status, continueOnError: specs[s.idx]?.continue_on_error ?? false })),
  );
  const failed = steps.find((s) => isFailedStep(s.status) && !specs[s.idx]?.continue_on_error);
  const error = failed
    ? `step ${failed.stepId} ${failed.status.replace('_', ' ')}${failed.error ? `: ${failed.error}` : ''}`
    : null;
  if (!store.runs.updateRun(runId, { state, finishedAt: now, error }, now, ['running'])) return;
  const took = formatDuration(now - (run.startedAt ?? run.createdAt));
  addEvent(
    store,
    run,
    {
      kind: 'run.finished',
      text: `Run ${run.id} (${run.runbook.name}) ${state.replace('_', ' ')} after ${took}${error ? ` — ${error}` : ''}`,
      key: state !== 'succeeded',
    },
    now,
    `${run.id}:finished`,
  );
}

/** Puts a step whose start failed retryably back to pending for a later attempt. */
export function retryLater(
  store: Store,
  run: RunRecord,
  step: StepRecord,
  at: number,
  error: string,
  code: string | undefined,
): boolean {
  return store.tx(() =>
    store.runs.updateStep(
      run.id,
      step.idx,
      { status: 'pending', dispatching: false, nextAttemptAt: at, error, errorCode: code ?? null },
      ['running'],
    ),
  );
}

/** Cancels a run and its unfinished steps. Returns the step that was running, if any (to abort it). */
export function cancelRunTx(
  store: Store,
  run: RunRecord,
  actor: string | null,
  now: number,
): StepRecord | undefined | false {
  return store.tx(() => {
    if (
      !store.runs.updateRun(
        run.id,
        { state: 'cancelled', finishedAt: now, error: `cancelled by ${actor ?? 'system'}` },
        now,
        ['pending', 'awaiting_approval', 'running'],
      )
    ) {
      return false;
    }
    const steps = store.runs.steps(run.id);
    const running = steps.find((s) => s.status === 'running');
    for (const s of steps) {
      const to: StepState = s.status === 'running' ? 'cancelled' : 'skipped';
      if (s.status === 'running' || s.status === 'pending') {
        store.runs.updateStep(
          run.id,
          s.idx,
          {
            status: to,
            finishedAt: now,
            nextAttemptAt: null,
            dispatching: false,
            skipReason: to === 'skipped' ? 'run cancelled' : null,
          },
          [s.status],
        );
      }
    }
    addEvent(
      store,
      run,
      {
        kind: 'run.cancelled',
        text: `Run ${run.id} (${run.runbook.name}) cancelled by ${actor ? `<@${actor}>` : 'the system'}`,
        key: true,
        actor,
      },
      now,
      `${run.id}:cancelled`,
    );
    store.audit.add({ at: now, actor, action: 'run.cancel', subject: run.id });
    return running;
  });
}

/** Skips every step that never started (a run rejected, expired…). Call inside a transaction. */
export function skipPendingSteps(store: Store, runId: string, reason: string, now: number): void {
  for (const s of store.runs.steps(runId))
    if (s.status === 'pending')
      store.runs.updateStep(
        runId,
        s.idx,
        { status: 'skipped', skipReason: reason, finishedAt: now, nextAttemptAt: null },
        ['pending'],
      );
}
