/**
 * Runs and their steps. State changes are conditional updates (`WHERE state = ?`) so that a
 * transition happens exactly once even when two callers race; the engine wraps each transition,
 * with its timeline events, in one transaction.
 */
import type { DB } from './db.ts';
import type { Statement } from 'better-sqlite3';
import type { RunState, StepState, TriggerKind } from '../domain/types.ts';
import type { Runbook } from '../manifests/schema.ts';
import { parseJson, toJson } from './json.ts';
import { nextCounter } from './counters.ts';

export interface RunRecord {
  id: string;
  seq: number;
  incidentId: string | null;
  runbookId: string;
  runbook: Runbook;
  trigger: TriggerKind;
  triggerDetail: string | null;
  requester: string | null;
  approver: string | null;
  inputs: Record<string, unknown>;
  state: RunState;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
  /** While awaiting approval: when the request expires (ms). */
  approvalExpiresAt: number | null;
  /** When the approval was decided: approved, rejected or expired. */
  decidedAt: number | null;
  /** Who approved or rejected (null when it expired or needed no approval). */
  decidedBy: string | null;
  /** Which of the runbook's triggers started it (automatic runs). */
  triggerIndex: number | null;
}

export interface StepRecord {
  runId: string;
  idx: number;
  stepId: string;
  uses: string;
  status: StepState;
  resolvedYaml: string | null;
  resolved: unknown;
  dispatching: boolean;
  externalId: string | null;
  externalStatus: string | null;
  url: string | null;
  progress: unknown;
  attempts: number;
  nextAttemptAt: number | null;
  deadlineAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
  output: Record<string, unknown> | null;
  error: string | null;
  errorCode: string | null;
  skipReason: string | null;
}

const RUN_COLUMNS = {
  state: 'state',
  error: 'error',
  approver: 'approver',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  triggerDetail: 'trigger_detail',
  inputs: 'inputs_json',
  approvalExpiresAt: 'approval_expires_at',
  decidedAt: 'decided_at',
  decidedBy: 'decided_by',
} as const;
export type RunPatch = Partial<Pick<RunRecord, keyof typeof RUN_COLUMNS>>;

const STEP_COLUMNS = {
  status: 'status',
  resolvedYaml: 'resolved_yaml',
  resolved: 'resolved_json',
  dispatching: 'dispatching',
  externalId: 'external_id',
  externalStatus: 'external_status',
  url: 'url',
  progress: 'progress_json',
  attempts: 'attempts',
  nextAttemptAt: 'next_attempt_at',
  deadlineAt: 'deadline_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  output: 'output_json',
  error: 'error',
  errorCode: 'error_code',
  skipReason: 'skip_reason',
} as const;
export type StepPatch = Partial<Pick<StepRecord, keyof typeof STEP_COLUMNS>>;
const JSON_COLUMNS = new Set(['inputs_json', 'resolved_json', 'progress_json', 'output_json']);

type Row = Record<string, unknown>;

function runFromRow(r: Row): RunRecord {
  return {
    id: r.id as string,
    seq: r.seq as number,
    incidentId: r.incident_id as string | null,
    runbookId: r.runbook_id as string,
    runbook: parseJson(r.runbook_json as string, {} as Runbook),
    trigger: r.trigger as TriggerKind,
    triggerDetail: r.trigger_detail as string | null,
    requester: r.requester as string | null,
    approver: r.approver as string | null,
    inputs: parseJson(r.inputs_json as string, {}),
    state: r.state as RunState,
    error: r.error as string | null,
    createdAt: r.created_at as number,
    startedAt: r.started_at as number | null,
    finishedAt: r.finished_at as number | null,
    updatedAt: r.updated_at as number,
    approvalExpiresAt: (r.approval_expires_at as number | null) ?? null,
    decidedAt: (r.decided_at as number | null) ?? null,
    decidedBy: (r.decided_by as string | null) ?? null,
    triggerIndex: (r.trigger_index as number | null) ?? null,
  };
}

function stepFromRow(r: Row): StepRecord {
  return {
    runId: r.run_id as string,
    idx: r.idx as number,
    stepId: r.step_id as string,
    uses: r.uses as string,
    status: r.status as StepState,
    resolvedYaml: r.resolved_yaml as string | null,
    resolved: parseJson(r.resolved_json as string | null, null),
    dispatching: r.dispatching === 1,
    externalId: r.external_id as string | null,
    externalStatus: r.external_status as string | null,
    url: r.url as string | null,
    progress: parseJson(r.progress_json as string | null, null),
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as number | null,
    deadlineAt: r.deadline_at as number | null,
    startedAt: r.started_at as number | null,
    finishedAt: r.finished_at as number | null,
    output: parseJson(r.output_json as string | null, null),
    error: r.error as string | null,
    errorCode: r.error_code as string | null,
    skipReason: r.skip_reason as string | null,
  };
}

function toParams(patch: Record<string, unknown>, columns: Record<string, string>) {
  const sets: string[] = [];
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(patch)) {
    const col = columns[k];
    if (!col || v === undefined) continue;
    sets.push(`${col} = @${k}`);
    params[k] = JSON_COLUMNS.has(col) ? toJson(v) : typeof v === 'boolean' ? (v ? 1 : 0) : v;
  }
  return { sets, params };
}

export interface NewRun {
  incidentId: string | null;
  runbook: Runbook;
  trigger: TriggerKind;
  triggerDetail?: string | null;
  requester: string | null;
  inputs: Record<string, unknown>;
  state: RunState;
  approvalExpiresAt?: number | null;
  triggerIndex?: number | null;
}
export interface NewStep {
  stepId: string;
  uses: string;
  resolvedYaml?: string | null;
  resolved?: unknown;
  nextAttemptAt?: number | null;
}

export function createRunRepo(db: DB) {
  const cache = new Map<string, Statement>();
  const prepared = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const insertRun =
    db.prepare(`INSERT INTO runs (id, seq, incident_id, runbook_id, runbook_json, trigger, trigger_detail,
      requester, inputs_json, state, created_at, updated_at, approval_expires_at, trigger_index)
    VALUES (@id, @seq, @incidentId, @runbookId, @runbookJson, @trigger, @triggerDetail, @requester, @inputsJson, @state, @now, @now,
      @approvalExpiresAt, @triggerIndex)`);
  const insertStep =
    db.prepare(`INSERT INTO run_steps (run_id, idx, step_id, uses, status, resolved_yaml, resolved_json, next_attempt_at)
    VALUES (@runId, @idx, @stepId, @uses, 'pending', @resolvedYaml, @resolvedJson, @nextAttemptAt)`);
  const getRun = db.prepare<[string], Row>('SELECT * FROM runs WHERE id = ?');
  const getSteps = db.prepare<[string], Row>('SELECT * FROM run_steps WHERE run_id = ? ORDER BY idx');
  const getStep = db.prepare<[string, number], Row>('SELECT * FROM run_steps WHERE run_id = ? AND idx = ?');
  const due = db.prepare<[number, number], Row>(`SELECT s.* FROM run_steps s JOIN runs r ON r.id = s.run_id
    WHERE r.state = 'running' AND s.status IN ('pending','running') AND s.next_attempt_at IS NOT NULL
      AND s.next_attempt_at <= ? ORDER BY s.next_attempt_at, s.run_id, s.idx LIMIT ?`);
  const dispatching = db.prepare<[], Row>(`SELECT * FROM run_steps WHERE dispatching = 1`);
  const byState = db.prepare<[string], Row>('SELECT * FROM runs WHERE state = ? ORDER BY seq');
  const recent = db.prepare<[number], Row>('SELECT * FROM runs ORDER BY seq DESC LIMIT ?');
  const forIncident = db.prepare<[string], Row>('SELECT * FROM runs WHERE incident_id = ? ORDER BY seq');
  const expiring = db.prepare<[number], Row>(`SELECT * FROM runs WHERE state = 'awaiting_approval'
    AND approval_expires_at IS NOT NULL AND approval_expires_at <= ? ORDER BY approval_expires_at, seq`);
  const nextDue = db.prepare<[], { at: number | null }>(`SELECT MIN(s.next_attempt_at) AS at FROM run_steps s
    JOIN runs r ON r.id = s.run_id WHERE r.state = 'running' AND s.status IN ('pending','running')`);

  return {
    insert(run: NewRun, steps: NewStep[], now: number): RunRecord {
      const seq = nextCounter(db, 'run');
      const id = `RUN-${seq}`;
      insertRun.run({
        id,
        seq,
        incidentId: run.incidentId,
        runbookId: run.runbook.id,
        runbookJson: JSON.stringify(run.runbook),
        trigger: run.trigger,
        triggerDetail: run.triggerDetail ?? null,
        requester: run.requester,
        inputsJson: JSON.stringify(run.inputs),
        state: run.state,
        now,
        approvalExpiresAt: run.approvalExpiresAt ?? null,
        triggerIndex: run.triggerIndex ?? null,
      });
      steps.forEach((s, idx) =>
        insertStep.run({
          runId: id,
          idx,
          stepId: s.stepId,
          uses: s.uses,
          resolvedYaml: s.resolvedYaml ?? null,
          resolvedJson: toJson(s.resolved),
          nextAttemptAt: s.nextAttemptAt ?? null,
        }),
      );
      return runFromRow(getRun.get(id)!);
    },
    get(id: string): RunRecord | undefined {
      const r = getRun.get(id.toUpperCase());
      return r && runFromRow(r);
    },
    steps(runId: string): StepRecord[] {
      return getSteps.all(runId).map(stepFromRow);
    },
    step(runId: string, idx: number): StepRecord | undefined {
      const r = getStep.get(runId, idx);
      return r && stepFromRow(r);
    },
    /** Conditional update; `from` lists the states the run must be in. Returns whether it applied. */
    updateRun(id: string, patch: RunPatch, now: number, from?: readonly RunState[]): boolean {
      const { sets, params } = toParams(patch, RUN_COLUMNS);
      const guard = from ? ` AND state IN (${from.map((s) => `'${s}'`).join(',')})` : '';
      const sql = `UPDATE runs SET ${[...sets, 'updated_at = @now', 'version = version + 1'].join(', ')} WHERE id = @id${guard}`;
      return prepared(sql).run({ ...params, id, now }).changes === 1;
    },
    updateStep(runId: string, idx: number, patch: StepPatch, from?: readonly StepState[]): boolean {
      const { sets, params } = toParams(patch, STEP_COLUMNS);
      if (sets.length === 0) return true;
      const guard = from ? ` AND status IN (${from.map((s) => `'${s}'`).join(',')})` : '';
      const sql = `UPDATE run_steps SET ${sets.join(', ')} WHERE run_id = @runId AND idx = @idx${guard}`;
      return prepared(sql).run({ ...params, runId, idx }).changes === 1;
    },
    dueSteps(now: number, limit = 100): StepRecord[] {
      return due.all(now, limit).map(stepFromRow);
    },
    /** Steps whose non-idempotent start was in flight when the process stopped. */
    dispatchingSteps(): StepRecord[] {
      return dispatching.all().map(stepFromRow);
    },
    nextDueAt(): number | null {
      return nextDue.get()?.at ?? null;
    },
    /** Runs awaiting approval whose request has expired at `now`. */
    expiredApprovals(now: number): RunRecord[] {
      return expiring.all(now).map(runFromRow);
    },
    byState(state: RunState): RunRecord[] {
      return byState.all(state).map(runFromRow);
    },
    recent(limit = 20): RunRecord[] {
      return recent.all(limit).map(runFromRow);
    },
    forIncident(incidentId: string): RunRecord[] {
      return forIncident.all(incidentId).map(runFromRow);
    },
  };
}
export type RunRepo = ReturnType<typeof createRunRepo>;
