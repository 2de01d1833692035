/**
 * Sits in front of the run-message notifier: every committed run change passes through it, so the
 * step-duration histogram and the failure counter see each finished step — once per process. Steps
 * that had already finished before this process started are not counted again after a restart.
 */
import type { Notifier } from '../engine/ports.ts';
import type { RunRecord, StepRecord } from '../store/index.ts';
import type { Metrics } from './metrics.ts';

const FAILED = new Set(['failed', 'timed_out', 'unknown']);
const TERMINAL = new Set(['succeeded', 'failed', 'timed_out', 'unknown', 'cancelled']);
/** Bound on remembered step keys; older ones are forgotten first (they will not change again). */
const MAX_SEEN = 50_000;

export function observingNotifier(inner: Notifier, metrics: Metrics, startedAt: number): Notifier {
  const seen = new Set<string>();
  return {
    runChanged(run: RunRecord, steps: StepRecord[]) {
      for (const s of steps) {
        if (!TERMINAL.has(s.status) || s.finishedAt === null || s.finishedAt < startedAt) continue;
        const key = `${s.runId}:${s.idx}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (seen.size > MAX_SEEN) seen.delete(seen.values().next().value!);
        const labels = { uses: s.uses, status: s.status };
        if (s.startedAt !== null)
          metrics.stepDuration.observe(labels, Math.max(0, s.finishedAt - s.startedAt) / 1000);
        if (FAILED.has(s.status)) metrics.actionFailures.inc(labels);
      }
      return inner.runChanged(run, steps);
    },
  };
}
