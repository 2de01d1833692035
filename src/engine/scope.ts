/**
 * What `{{ templates }}` and `if:` conditions see during a run:
 *   incident.*  inputs.*  steps.<id>.status|url|duration|duration_ms|execution_id|outputs|error  run.*
 */
import type { Incident } from '../domain/types.ts';
import { formatDuration } from '../domain/duration.ts';
import type { RunRecord, StepRecord } from '../store/index.ts';

export function incidentScope(incident: Incident | null): Record<string, unknown> {
  return incident ? { ...incident, fields: { ...incident.fields } } : {};
}

export function stepScope(step: StepRecord): Record<string, unknown> {
  const durationMs =
    step.startedAt !== null && step.finishedAt !== null ? step.finishedAt - step.startedAt : null;
  return {
    status: step.status,
    url: step.url,
    execution_id: step.externalId,
    duration_ms: durationMs,
    duration: durationMs === null ? null : formatDuration(durationMs),
    outputs: step.output ?? {},
    error: step.error,
  };
}

export function runScope(
  run: Pick<RunRecord, 'id' | 'requester' | 'approver' | 'trigger' | 'runbookId' | 'inputs'>,
  incident: Incident | null,
  steps: StepRecord[],
): Record<string, unknown> {
  const byId: Record<string, unknown> = {};
  for (const s of steps) byId[s.stepId] = stepScope(s);
  return {
    incident: incidentScope(incident),
    inputs: { ...run.inputs },
    steps: byId,
    run: {
      id: run.id,
      requester: run.requester,
      approver: run.approver,
      trigger: run.trigger,
      runbook: run.runbookId,
    },
  };
}
