/**
 * Advances one due step: decide whether it runs (`if:` and earlier failures), claim it durably,
 * call the action outside any transaction, then record the result in one transaction.
 * For a test incident the step first goes through planForIncident (actions/test-incident.ts): its
 * staging target in place of production, or skipped.
 */
import type { Logger } from 'pino';
import { evaluateCondition, conditionPaths, formatTrace } from '../domain/conditions.ts';
import { isFailedStep } from '../domain/run-state.ts';
import { isAppError, toAppError } from '../errors.ts';
import type { Store, StepRecord, RunRecord } from '../store/index.ts';
import type { Step } from '../manifests/schema.ts';
import type { ActionContext, ActionDeps, ActionDefinition, StepResult } from './ports.ts';
import type { ActionRegistry } from './actions/index.ts';
import { addEvent, applyResult, retryLater, skipStep } from './transitions.ts';
import { planForIncident, targetSpec, targetStep, type TestIncidentPlan } from './actions/test-incident.ts';
import { runScope } from './scope.ts';
import { formatDuration } from '../domain/duration.ts';

/** Retry cadence for a start that certainly never reached the vendor (e.g. Harness down). */
export const START_RETRY = { baseMs: 5_000, maxMs: 60_000, maxAttempts: 20 };

/** Attempts a step's start gets: its `retries:` + 1, else the action's default, else START_RETRY's. */
export function maxAttempts(spec: Step, def: ActionDefinition): number {
  return (spec.retries ?? def.defaultRetries ?? START_RETRY.maxAttempts - 1) + 1;
}

/** Exponential backoff after attempt `n`, but never sooner than the target's `Retry-After`. */
export function retryDelay(attempt: number, retryAfterMs?: number): number {
  const backoff = Math.min(START_RETRY.maxMs, START_RETRY.baseMs * 2 ** (attempt - 1));
  return Math.max(backoff, retryAfterMs ?? 0);
}

type Retry = { retry: true; error: string; code: string; retryAfterMs?: number };

export interface StepRunnerDeps {
  store: Store;
  actions: ActionRegistry;
  deps: ActionDeps;
  log: Logger;
}

/**
 * Whether a pending step runs; the reason is shown in the timeline and by dry-run. Like GitHub's
 * `if: failure()`: after a blocking failure, only steps whose `if:` looks at that step's status run.
 */
export function shouldRun(
  specs: Step[],
  steps: Pick<StepRecord, 'idx' | 'stepId' | 'status'>[],
  idx: number,
  scope: Record<string, unknown>,
): { run: boolean; reason: string } {
  const spec = specs[idx];
  if (!spec) return { run: false, reason: 'no such step' };
  const refs = new Set(spec.if ? conditionPaths(spec.if) : []);
  const unhandled = steps
    .slice(0, idx)
    .find(
      (s) =>
        isFailedStep(s.status) && !specs[s.idx]?.continue_on_error && !refs.has(`steps.${s.stepId}.status`),
    );
  if (unhandled)
    return { run: false, reason: `step ${unhandled.stepId} ${unhandled.status.replace('_', ' ')}` };
  if (!spec.if) return { run: true, reason: 'no condition' };
  const r = evaluateCondition(spec.if, { current: scope });
  return { run: r.passed, reason: `if: ${formatTrace(r.trace)}` };
}

function errorResult(e: unknown, phase: 'start' | 'check'): StepResult | Retry {
  const err = toAppError(e);
  if (err.code === 'HARNESS_AMBIGUOUS')
    return { kind: 'done', status: 'unknown', error: err.message, errorCode: err.code };
  if (err.retryable) {
    const after = err.details.retryAfterMs;
    return {
      retry: true,
      error: err.message,
      code: err.code,
      ...(typeof after === 'number' && after > 0 ? { retryAfterMs: after } : {}),
    };
  }
  return {
    kind: 'done',
    status: phase === 'start' ? 'failed' : 'unknown',
    error: err.message,
    errorCode: err.code,
  };
}

export async function runDueStep(d: StepRunnerDeps, due: StepRecord, now: number): Promise<void> {
  const run = d.store.runs.get(due.runId);
  if (!run || run.state !== 'running') return;
  const steps = d.store.runs.steps(run.id);
  const step = steps[due.idx];
  const spec = run.runbook.steps[due.idx];
  if (!step || !spec || (step.status !== 'pending' && step.status !== 'running')) return;
  const incident = run.incidentId ? (d.store.incidents.get(run.incidentId) ?? null) : null;
  const scope = runScope(run, incident, steps);
  const plan = planForIncident(spec, incident, scope);
  // A test incident's step talks to its staging target on every call (start, check, cancel).
  const target = targetSpec(spec, plan);
  const def = d.actions.get(step.uses);
  // Every line logged while this step is processed names its incident, run and step.
  const log = d.log.child({ incident: run.incidentId, run: run.id, step: step.stepId });
  d = { ...d, log };
  log.debug({ status: step.status, attempts: step.attempts }, 'step due');
  const ctx = (s: StepRecord): ActionContext => ({
    run,
    step: targetStep(s, plan),
    spec: target,
    incident,
    scope,
    now,
    deps: d.deps,
    log,
  });
  if (!def) {
    const claimed = claim(d.store, step, undefined, now);
    if (claimed)
      applyResult(
        d.store,
        run,
        claimed,
        { kind: 'done', status: 'failed', error: `No action implements uses: ${step.uses}` },
        now,
      );
    return;
  }
  if (step.status === 'pending') return startStep(d, run, step, spec, def, scope, steps, now, ctx, plan);
  return checkStep(d, run, step, def, now, ctx);
}

function claim(
  store: Store,
  step: StepRecord,
  def: ActionDefinition | undefined,
  now: number,
  spec?: Step,
): StepRecord | undefined {
  const timeout = spec && def?.timeoutMs?.(spec);
  const patch = {
    status: 'running' as const,
    dispatching: true,
    attempts: step.attempts + 1,
    startedAt: step.startedAt ?? now,
    deadlineAt: step.deadlineAt ?? (timeout ? now + timeout : null),
    nextAttemptAt: null,
  };
  if (!store.tx(() => store.runs.updateStep(step.runId, step.idx, patch, ['pending']))) return undefined;
  return { ...step, ...patch };
}

async function startStep(
  d: StepRunnerDeps,
  run: RunRecord,
  step: StepRecord,
  spec: Step,
  def: ActionDefinition,
  scope: Record<string, unknown>,
  steps: StepRecord[],
  now: number,
  ctx: (s: StepRecord) => ActionContext,
  plan: TestIncidentPlan,
): Promise<void> {
  if (step.attempts === 0) {
    const gate = shouldRun(run.runbook.steps, steps, step.idx, scope);
    if (!gate.run) {
      skipStep(d.store, run, step, gate.reason, now);
      return;
    }
  }
  // Checked before every attempt, not just the first: a test incident never reaches production.
  if (plan.kind === 'skip') {
    skipStep(d.store, run, step, plan.reason, now, { text: plan.event, data: { testIncident: true } });
    return;
  }
  const claimed = claim(d.store, step, def, now, spec);
  if (!claimed) return;
  let result: StepResult | Retry;
  try {
    result = await def.start(ctx(claimed));
  } catch (e) {
    result = errorResult(e, 'start');
    d.log.warn({ err: isAppError(e) ? e.code : String(e) }, 'step start failed');
  }
  if ('retry' in result) {
    const next = nextAttempt(claimed, spec, def, result, now);
    if (typeof next === 'number') {
      retryLater(
        d.store,
        run,
        claimed,
        next,
        `attempt ${claimed.attempts} failed, retrying: ${result.error}`,
        result.code,
      );
      return;
    }
    result = next;
  }
  if (plan.kind === 'staging')
    result = {
      ...result,
      events: [
        { kind: 'step.staging', text: plan.note, data: { step: step.stepId } },
        ...(result.events ?? []),
      ],
    };
  applyResult(d.store, run, claimed, result, now);
}

/**
 * When to try a temporarily failed start again, or the final result: out of attempts (failed), or
 * out of time (timed_out) — including when the target's Retry-After reaches past the step's deadline.
 * The last retry is pulled in to the deadline so a step gets a final try rather than ending early.
 */
function nextAttempt(
  step: StepRecord,
  spec: Step,
  def: ActionDefinition,
  r: Retry,
  now: number,
): number | StepResult {
  const deadline = step.deadlineAt;
  const took = formatDuration(Math.max(0, now - (step.startedAt ?? now)));
  const tries = `${step.attempts} attempt${step.attempts === 1 ? '' : 's'}`;
  if (deadline !== null && now >= deadline) {
    const limit =
      spec.timeout ??
      (spec.uses === 'harness.pipeline'
        ? spec.with.timeout
        : formatDuration(deadline - (step.startedAt ?? deadline)));
    return {
      kind: 'done',
      status: 'timed_out',
      error: `no success within the step's timeout of ${limit} (${tries}): ${r.error}`,
      errorCode: r.code,
    };
  }
  if (step.attempts >= maxAttempts(spec, def)) {
    return {
      kind: 'done',
      status: 'failed',
      error: `gave up after ${tries} in ${took}: ${r.error}`,
      errorCode: r.code,
    };
  }
  if (deadline !== null && r.retryAfterMs !== undefined && now + r.retryAfterMs > deadline) {
    return {
      kind: 'done',
      status: 'timed_out',
      error: `the target asked to retry after ${formatDuration(r.retryAfterMs)}, past the step's timeout (${tries}): ${r.error}`,
      errorCode: r.code,
    };
  }
  const at = now + retryDelay(step.attempts, r.retryAfterMs);
  return deadline !== null ? Math.min(at, deadline) : at;
}

async function checkStep(
  d: StepRunnerDeps,
  run: RunRecord,
  step: StepRecord,
  def: ActionDefinition,
  now: number,
  ctx: (s: StepRecord) => ActionContext,
): Promise<void> {
  if (step.deadlineAt !== null && now >= step.deadlineAt) {
    const spec = run.runbook.steps[step.idx];
    const abort = spec?.uses === 'harness.pipeline' && spec.with.abort_on_timeout;
    let note = '';
    if (abort && def.cancel) {
      try {
        await def.cancel(ctx(step), 'timed_out');
        note = '; the pipeline was aborted';
      } catch (e) {
        note = `; aborting the pipeline failed: ${toAppError(e).message}`;
      }
    }
    const limit = spec?.uses === 'harness.pipeline' ? spec.with.timeout : 'its timeout';
    applyResult(
      d.store,
      run,
      step,
      {
        kind: 'done',
        status: 'timed_out',
        error: `no terminal status within ${limit}${note}`,
        errorCode: 'TIMED_OUT',
        events: [
          {
            kind: 'step.timed_out',
            text: `Step ${step.stepId} timed out after ${limit}${note}${step.url ? `: ${step.url}` : ''}`,
            key: true,
          },
        ],
      },
      now,
    );
    return;
  }
  if (!def.check) return;
  let result: StepResult | Retry;
  try {
    result = await def.check(ctx(step));
  } catch (e) {
    result = errorResult(e, 'check');
  }
  if ('retry' in result) {
    // A failed status read changes nothing in Harness: keep watching, back off, and show why.
    const delay = Math.min(d.deps.poll.maxMs, Math.max(d.deps.poll.minMs, 2 * d.deps.poll.minMs));
    d.store.tx(() => {
      const ok = d.store.runs.updateStep(
        run.id,
        step.idx,
        { nextAttemptAt: now + delay, error: `status check failed, retrying: ${result.error}` },
        ['running'],
      );
      // Once per step (the dedupe key), not on every poll or flap: one thread reply; the live
      // message shows the current error meanwhile.
      if (ok && step.uses === 'harness.pipeline')
        addEvent(
          d.store,
          run,
          { kind: 'step.check_retrying', text: `Harness unreachable, retrying: ${result.error}` },
          now,
          `${run.id}:${step.idx}:${step.attempts}:check-retrying`,
        );
    });
    d.log.warn({ err: result.code }, 'status check failed, retrying');
    return;
  }
  applyResult(d.store, run, step, result, now);
}
