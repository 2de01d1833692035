/**
 * Shared wording of the Slack surfaces: state emoji and labels, durations, Harness stage progress.
 * One table each, so the run message, the thread, App Home and `/runbook status` say the same thing.
 */
import type { RunState, StepState } from '../../domain/types.ts';
import type { RunRecord, StepRecord } from '../../store/index.ts';
import { formatDuration } from '../../domain/duration.ts';
import { isSafeUrl, oneLine, textOf } from './text.ts';

export const RUN_EMOJI: Record<RunState, string> = {
  pending: '⏳',
  awaiting_approval: '⏸️',
  running: '🔄',
  succeeded: '✅',
  failed: '❌',
  timed_out: '⌛',
  cancelled: '🛑',
  rejected: '🚫',
  expired: '⌛',
};

export const RUN_LABEL: Record<RunState, string> = {
  pending: 'Pending',
  awaiting_approval: 'Awaiting approval',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  timed_out: 'Timed out',
  cancelled: 'Cancelled',
  rejected: 'Rejected',
  expired: 'Approval expired',
};

export const STEP_EMOJI: Record<StepState, string> = {
  pending: '⏳',
  running: '🔄',
  succeeded: '✅',
  failed: '❌',
  skipped: '⏭️',
  timed_out: '⌛',
  unknown: '❓',
  cancelled: '🛑',
};

export const SEVERITY_EMOJI: Record<string, string> = { P0: '🔴', P1: '🟠', P2: '🟡', P3: '🔵', P4: '⚪' };
export const STATUS_EMOJI: Record<string, string> = {
  investigating: '🔍',
  identified: '🎯',
  monitoring: '👀',
  mitigated: '🩹',
  resolved: '✅',
};

// Stored data may predate a state added later: never print "undefined".
export const runEmoji = (s: string): string => RUN_EMOJI[s as RunState] ?? '❓';
export const runLabel = (s: string): string => RUN_LABEL[s as RunState] ?? oneLine(s).slice(0, 40);
export const stepEmoji = (s: string): string => STEP_EMOJI[s as StepState] ?? '❓';
export const stepLabel = (s: string): string => oneLine(s).replace(/_/g, ' ').slice(0, 40);

/** Runs that can still be cancelled. */
export function isActive(state: string): boolean {
  return state === 'pending' || state === 'running' || state === 'awaiting_approval';
}

/** How long the run has taken so far, or took. */
export function runElapsed(run: RunRecord, now: number): string {
  const from = run.startedAt ?? run.createdAt;
  const to = run.finishedAt ?? now;
  return formatDuration(to - from);
}

export function stepElapsed(step: StepRecord, now: number): string | null {
  if (step.startedAt === null) return null;
  return formatDuration((step.finishedAt ?? now) - step.startedAt);
}

/** "2m ago" style relative time; a future time (clock skew) reads "just now". */
export function ago(at: number, now: number): string {
  const ms = now - at;
  if (!Number.isFinite(ms) || ms < 1000) return 'just now';
  return `${formatDuration(ms).split(' ')[0]} ago`;
}

interface Stage {
  name: string;
  phase: string;
  outcome?: string;
}

/** Reads the harness step's `progress.stages` (an ExecutionSummary's stages, stored as JSON). */
export function stagesOf(progress: unknown): { total: number; list: Stage[] } | null {
  if (typeof progress !== 'object' || progress === null) return null;
  const stages = (progress as { stages?: unknown }).stages;
  if (typeof stages !== 'object' || stages === null) return null;
  const raw = (stages as { list?: unknown }).list;
  const list: Stage[] = (Array.isArray(raw) ? raw : []).flatMap((s): Stage[] => {
    if (typeof s !== 'object' || s === null) return [];
    const o = s as Record<string, unknown>;
    const name = oneLine(textOf(o.name ?? o.identifier)) || 'stage';
    return [{ name, phase: textOf(o.phase), ...(o.outcome ? { outcome: textOf(o.outcome) } : {}) }];
  });
  const declared = (stages as { total?: unknown }).total;
  const total = typeof declared === 'number' && declared >= list.length ? declared : list.length;
  return total > 0 ? { total, list } : null;
}

/**
 * "Stage 2/3 · Deploy" for the running stage (with a note when Harness waits for a person),
 * "Failed at stage 2/3 · Deploy" after a failure, "3/3 stages done" at the end. Plain text:
 * the caller escapes it. Null when there is nothing to say.
 */
export function stageLine(progress: unknown): string | null {
  const s = stagesOf(progress);
  if (!s) return null;
  const at = (i: number) => `${i + 1}/${s.total} · ${s.list[i]!.name}`;
  const current = s.list.findIndex((x) => ['running', 'waiting_on_human', 'paused'].includes(x.phase));
  if (current >= 0) {
    const phase = s.list[current]!.phase;
    const note =
      phase === 'waiting_on_human'
        ? ' (waiting for input or approval in Harness)'
        : phase === 'paused'
          ? ' (paused)'
          : '';
    return `Stage ${at(current)}${note}`;
  }
  const failed = s.list.findIndex((x) => x.outcome === 'failed' || x.outcome === 'timed_out');
  if (failed >= 0) return `Failed at stage ${at(failed)}`;
  const done = s.list.filter((x) => x.phase === 'terminal').length;
  if (done === 0) return `${s.total} stage${s.total === 1 ? '' : 's'} queued`;
  return `${done}/${s.total} stages done`;
}

/** The Harness link a run message shows: the running harness step's, else the last one with a url. */
export function harnessUrlOf(steps: readonly StepRecord[]): string | null {
  const withUrl = steps.filter((s) => s.uses === 'harness.pipeline' && s.url && isSafeUrl(s.url));
  const running = withUrl.find((s) => s.status === 'running');
  return (running ?? withUrl[withUrl.length - 1])?.url ?? null;
}

/** The step whose stages the message shows: the running harness step, else the last one that ran. */
export function progressStep(steps: readonly StepRecord[]): StepRecord | undefined {
  const harness = steps.filter((s) => s.uses === 'harness.pipeline' && s.progress !== null);
  return harness.find((s) => s.status === 'running') ?? harness[harness.length - 1];
}
