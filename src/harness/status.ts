import type { HarnessOutcome, HarnessPhase } from './types.ts';

/**
 * The one table that maps every Harness execution status to our phase/outcome.
 *
 * Harness has two spellings of the same enum: display values in `pipelineExecutionSummary.status`
 * (`ApprovalWaiting`) and engine values in the execute response (`APPROVAL_WAITING`), plus legacy
 * values that still appear in old data. Matching ignores case and underscores, so one row covers
 * both spellings; rows list extra aliases only where the names really differ
 * (`Success`/`SUCCEEDED`, `AbortedByFreeze`/`FREEZE_FAILED`).
 * Source: reference/harness-api.md §2c (CORE ExecutionStatus, StatusUtils.FINAL_STATUSES,
 * MCP poll-execution.ts, UI statusHelpers.ts).
 */
interface StatusRow {
  names: readonly string[];
  phase: HarnessPhase;
  outcome?: HarnessOutcome;
}

const ROWS: readonly StatusRow[] = [
  // Terminal: exactly StatusUtils.FINAL_STATUSES.
  { names: ['Success', 'SUCCEEDED'], phase: 'terminal', outcome: 'succeeded' },
  // The UI counts IgnoreFailed as success: a failure the pipeline was told to ignore.
  { names: ['IgnoreFailed'], phase: 'terminal', outcome: 'succeeded' },
  { names: ['Failed'], phase: 'terminal', outcome: 'failed' },
  { names: ['Errored'], phase: 'terminal', outcome: 'failed' },
  { names: ['ApprovalRejected'], phase: 'terminal', outcome: 'failed' },
  // A freeze window stopped the run: it did not do its job, so it failed (not a user cancel).
  { names: ['AbortedByFreeze', 'FREEZE_FAILED'], phase: 'terminal', outcome: 'failed' },
  { names: ['Suspended'], phase: 'terminal', outcome: 'failed' },
  { names: ['Aborted'], phase: 'terminal', outcome: 'cancelled' },
  { names: ['Expired'], phase: 'terminal', outcome: 'timed_out' },
  { names: ['Skipped'], phase: 'terminal', outcome: 'skipped' },
  // Waiting on a person: not terminal, Harness keeps the execution alive (MCP poll-execution.ts).
  { names: ['ApprovalWaiting'], phase: 'waiting_on_human' },
  { names: ['InterventionWaiting'], phase: 'waiting_on_human' },
  { names: ['InputWaiting'], phase: 'waiting_on_human' },
  { names: ['Paused'], phase: 'paused' },
  { names: ['Pausing'], phase: 'paused' },
  // Not started yet: waiting for a slot, a licence, a resource constraint, or the plan itself.
  { names: ['Queued'], phase: 'queued' },
  { names: ['QueuedLicenseLimitReached'], phase: 'queued' },
  { names: ['QueuedExecutionConcurrencyReached'], phase: 'queued' },
  { names: ['NotStarted'], phase: 'queued' },
  { names: ['ResourceWaiting'], phase: 'queued' },
  // Everything else is work in progress.
  { names: ['Running'], phase: 'running' },
  { names: ['AsyncWaiting'], phase: 'running' },
  { names: ['TaskWaiting'], phase: 'running' },
  { names: ['TimedWaiting'], phase: 'running' },
  { names: ['WaitStepRunning'], phase: 'running' },
  // Abort in progress: not over until Harness reports Aborted.
  { names: ['Discontinuing'], phase: 'running' },
  { names: ['NO_OP'], phase: 'running' },
  // Legacy generic WAITING (old data): no human is implied, so it counts as in progress.
  { names: ['WAITING'], phase: 'running' },
];

function normalize(raw: string): string {
  return raw.replace(/[\s_-]/g, '').toLowerCase();
}

const TABLE: ReadonlyMap<string, StatusRow> = new Map(
  ROWS.flatMap((row) => row.names.map((name) => [normalize(name), row] as const)),
);

export interface MappedStatus {
  phase: HarnessPhase;
  outcome?: HarnessOutcome;
  /** False when Harness sent a status this table does not know (treated as running). */
  known: boolean;
}

/**
 * Maps a raw Harness status (any spelling) to phase and outcome. Never throws: an unknown or
 * missing status is `running` with `known: false`, so a new Harness status makes the poller keep
 * waiting instead of crashing or declaring a wrong result.
 */
export function mapHarnessStatus(raw: string | null | undefined): MappedStatus {
  const row = typeof raw === 'string' ? TABLE.get(normalize(raw)) : undefined;
  if (row === undefined) return { phase: 'running', known: false };
  return row.outcome === undefined
    ? { phase: row.phase, known: true }
    : { phase: row.phase, outcome: row.outcome, known: true };
}

export function isTerminalStatus(raw: string | null | undefined): boolean {
  return mapHarnessStatus(raw).phase === 'terminal';
}
