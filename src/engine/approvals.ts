/**
 * Approvals in the engine: a run that needs one is recorded as `awaiting_approval`; `decide` moves it
 * to pending (then running) or rejected with ONE conditional update, so two commanders clicking at
 * once, a double click or a retried delivery give one decision and at most one execution; the expiry
 * sweep moves forgotten requests to `expired`. Each change and its timeline/audit entries are one
 * transaction. Who may decide is checked by the callers (domain/approval.ts canDecide).
 */
import { AppError } from '../errors.ts';
import type { Runbook } from '../manifests/schema.ts';
import type { Incident, RunState } from '../domain/types.ts';
import { approvalRequired } from '../domain/approval.ts';
import { triggerStillHolds } from '../domain/triggers.ts';
import { formatDuration, parseDuration } from '../domain/duration.ts';
import { isPlainObject } from '../domain/conditions-values.ts';
import type { Store, RunRecord } from '../store/index.ts';
import type { Clock } from './ports.ts';
import { prepareRun } from './prepare.ts';
import { incidentScope } from './scope.ts';
import { addEvent, skipPendingSteps } from './transitions.ts';

export const DEFAULT_APPROVAL_TIMEOUT = '30m';

export type ApprovalMode = 'required' | 'none' | 'auto';

export interface Decision {
  decision: 'approve' | 'reject';
  actor: string;
  inputs?: Record<string, unknown>;
  force?: boolean;
}

export interface DecideResult {
  applied: boolean;
  run: RunRecord;
  reason?: string;
  needsConfirmation?: string;
}

export interface ApprovalDeps {
  store: Store;
  clock: Clock;
  /** pending → running (inside the decision's transaction). */
  begin(run: RunRecord): void;
  notify(runId: string): void;
}

export function approvalTimeoutMs(runbook: Pick<Runbook, 'approval_timeout'>): number {
  return parseDuration(runbook.approval_timeout ?? DEFAULT_APPROVAL_TIMEOUT) ?? 30 * 60_000;
}

/**
 * Whether a new run waits for approval. `auto`: manual runs follow `access.approval`; automatic ones
 * always ask (the trigger's `approval: none` arrives here as 'none').
 */
export function approvalFor(
  mode: ApprovalMode | undefined,
  automatic: boolean,
  runbook: Runbook,
  scope: Record<string, unknown>,
): { required: boolean; reason: string } {
  if (mode === 'required')
    return {
      required: true,
      reason: automatic ? 'automatic runs of this trigger need approval' : 'approval was requested',
    };
  if (mode === 'none') return { required: false, reason: 'no approval needed' };
  if (automatic) return { required: true, reason: 'automatic runs need approval' };
  return approvalRequired(runbook, scope);
}

const at = (ms: number) => new Date(ms).toISOString().slice(11, 16) + ' UTC';

/** Inside startRun's transaction: the request's timeline (key event) and audit entries. */
export function recordApprovalRequest(store: Store, run: RunRecord, reason: string, now: number): void {
  const expires = run.approvalExpiresAt ?? now;
  const roles = run.runbook.access.approve.join(', ') || 'nobody';
  const why = run.triggerDetail ? ` It fired because ${run.triggerDetail}.` : '';
  addEvent(
    store,
    run,
    {
      kind: 'run.approval_requested',
      text: `Approval requested for ${run.id} (${run.runbook.name}): ${reason}.${why} Approvers: ${roles}; expires at ${at(expires)} (in ${formatDuration(expires - now)}).`,
      key: true,
      actor: run.requester,
      data: { reason, expiresAt: expires, approvers: run.runbook.access.approve, inputs: run.inputs },
    },
    now,
    `${run.id}:approval-requested`,
  );
  store.audit.add({
    at: now,
    actor: run.requester,
    action: 'run.approval_request',
    subject: run.id,
    detail: { runbook: run.runbookId, incident: run.incidentId, reason, expiresAt: expires },
  });
}

function checkDecision(runId: unknown, d: Decision): void {
  const problems: string[] = [];
  if (typeof runId !== 'string' || runId.trim() === '') problems.push('run id must be text like RUN-12');
  if (!isPlainObject(d)) problems.push('the decision must be an object');
  else {
    if (d.decision !== 'approve' && d.decision !== 'reject')
      problems.push(`decision must be approve or reject, got ${JSON.stringify(d.decision)}`);
    if (typeof d.actor !== 'string' || d.actor.trim() === '')
      problems.push('actor must be the deciding user id, e.g. U012ABCDEF');
    if (d.inputs !== undefined && !isPlainObject(d.inputs))
      problems.push('inputs must be an object of input name → value');
  }
  if (problems.length)
    throw new AppError('INPUT_INVALID', `Cannot decide: ${problems.join('; ')}.`, { details: { problems } });
}

/** Why a run cannot be decided any more, in words. */
function alreadyDecided(run: RunRecord): string {
  const by = run.decidedBy ? ` by <@${run.decidedBy}>` : '';
  const when = run.decidedAt ? ` at ${at(run.decidedAt)}` : '';
  const what: Partial<Record<RunState, string>> = {
    expired: `its approval request expired${when}`,
    rejected: `it was rejected${by}${when}`,
    cancelled: 'it was cancelled',
  };
  return (
    what[run.state] ??
    (run.decidedAt
      ? `it was approved${by}${when} and is ${run.state.replace('_', ' ')}`
      : `it is ${run.state.replace('_', ' ')}`)
  );
}

/** Automatic runs: does the incident still match the trigger that fired? */
function recheck(run: RunRecord, incident: Incident | null): string | null {
  if (run.trigger === 'manual' || !incident) return null;
  const triggers = run.runbook.triggers ?? [];
  const fired =
    run.triggerIndex !== null ? [triggers[run.triggerIndex]] : triggers.filter((t) => t.on === run.trigger);
  const checks = fired.filter((t) => t !== undefined).map((t) => triggerStillHolds(t, incident));
  if (checks.length === 0 || checks.some((c) => c.holds)) return null;
  return `${incident.id} no longer matches the trigger: ${checks[0]!.reason}`;
}

export async function decideRun(deps: ApprovalDeps, runId: string, d: Decision): Promise<DecideResult> {
  checkDecision(runId, d);
  const { store } = deps;
  const run = store.runs.get(runId.trim());
  if (!run) throw new AppError('RUN_NOT_FOUND', `No run ${runId}.`);
  if (run.state !== 'awaiting_approval')
    return { applied: false, run, reason: `${run.id} cannot be decided: ${alreadyDecided(run)}` };
  const incident = run.incidentId ? (store.incidents.get(run.incidentId) ?? null) : null;
  const approve = d.decision === 'approve';

  // Edited inputs are validated before anything is decided: a bad value refuses the click only.
  let prepared: ReturnType<typeof prepareRun> | null = null;
  if (approve && d.inputs) {
    prepared = prepareRun(run.runbook, incident, { ...run.inputs, ...d.inputs });
    if (prepared.problems.length)
      throw new AppError(
        'INPUT_INVALID',
        `Cannot approve ${run.id} with these inputs:\n${prepared.problems.map((p) => `• ${p}`).join('\n')}`,
        { details: { problems: prepared.problems } },
      );
  }
  const mismatch = approve ? recheck(run, incident) : null;
  if (mismatch && !d.force) return { applied: false, run, needsConfirmation: mismatch };

  const now = deps.clock.now();
  const actor = d.actor.trim();
  const applied = store.tx(() => {
    const patch = approve
      ? { state: 'pending' as const, approver: actor, decidedAt: now, decidedBy: actor }
      : {
          state: 'rejected' as const,
          decidedAt: now,
          decidedBy: actor,
          finishedAt: now,
          error: `rejected by ${actor}`,
        };
    // THE decision: only one caller can move the run out of awaiting_approval.
    if (!store.runs.updateRun(run.id, patch, now, ['awaiting_approval'])) return false;
    const changed = prepared ? changedInputs(run.inputs, prepared.inputs) : {};
    if (prepared) {
      store.runs.updateRun(run.id, { inputs: prepared.inputs }, now);
      prepared.steps.forEach((s, idx) =>
        store.runs.updateStep(run.id, idx, { resolvedYaml: s.resolvedYaml, resolved: s.resolved }, [
          'pending',
        ]),
      );
    }
    const edited = Object.keys(changed).length
      ? ` with edited inputs ${Object.entries(changed)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(', ')}`
      : '';
    const forced = mismatch ? ` (confirmed although ${mismatch})` : '';
    const text = approve
      ? `Approved by <@${actor}>${edited}: ${run.id} (${run.runbook.name}) starts${forced}`
      : `Rejected by <@${actor}>: ${run.id} (${run.runbook.name}) will not run`;
    addEvent(
      store,
      run,
      {
        kind: approve ? 'run.approved' : 'run.rejected',
        text,
        key: true,
        actor,
        data: { ...(edited ? { inputs: changed } : {}), ...(mismatch ? { forced: mismatch } : {}) },
      },
      now,
      `${run.id}:decided`,
    );
    store.audit.add({
      at: now,
      actor,
      action: approve ? 'run.approve' : 'run.reject',
      subject: run.id,
      detail: {
        runbook: run.runbookId,
        incident: run.incidentId,
        ...(edited ? { inputs: changed } : {}),
        ...(mismatch ? { forced: mismatch } : {}),
      },
    });
    if (approve) deps.begin(store.runs.get(run.id)!);
    else skipPendingSteps(store, run.id, 'run rejected', now);
    return true;
  });
  const fresh = store.runs.get(run.id)!;
  if (!applied)
    return { applied: false, run: fresh, reason: `${run.id} cannot be decided: ${alreadyDecided(fresh)}` };
  deps.notify(run.id);
  return { applied: true, run: fresh };
}

function changedInputs(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) if (JSON.stringify(before[k]) !== JSON.stringify(v)) out[k] = v;
  return out;
}

/** The scope `access.approval.when` reads for a new manual run. */
export function approvalScope(
  inputs: Record<string, unknown>,
  incident: Incident | null,
  run: { requester: string | null; trigger: string; runbook: string },
): Record<string, unknown> {
  return { inputs, incident: incidentScope(incident), run: { ...run, approver: null } };
}
