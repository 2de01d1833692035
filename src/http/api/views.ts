/**
 * What the API returns for incidents, timeline events, runs and steps. Times are ISO-8601 strings
 * (the store keeps milliseconds); a run's manifest snapshot is left out (it can be large and the
 * runbook id names it), the rest is returned as stored.
 */
import type { IncidentRecord, RunRecord, StepRecord, TimelineEvent } from '../../store/index.ts';

const iso = (ms: number | null | undefined) => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

export function incidentView(i: IncidentRecord) {
  return {
    id: i.id,
    summary: i.summary,
    severity: i.severity,
    status: i.status,
    service: i.service,
    environment: i.environment,
    type: i.type,
    commander: i.commander,
    channel: i.channel,
    fields: i.fields,
    externalId: i.externalId ?? null,
    /** Always present, so tools can filter rehearsals out without guessing. */
    test: i.test === true,
    createdAt: i.createdAt,
    updatedAt: iso(i.updatedAt),
    version: i.version,
  };
}

export function timelineView(e: TimelineEvent) {
  return {
    id: e.id,
    at: iso(e.at),
    kind: e.kind,
    text: e.text,
    key: e.key,
    actor: e.actor,
    runId: e.runId,
    data: e.data,
  };
}

export function runView(r: RunRecord) {
  return {
    id: r.id,
    incidentId: r.incidentId,
    runbookId: r.runbookId,
    runbookName: r.runbook?.name ?? r.runbookId,
    trigger: r.trigger,
    triggerDetail: r.triggerDetail,
    requester: r.requester,
    approver: r.approver,
    inputs: r.inputs,
    state: r.state,
    error: r.error,
    createdAt: iso(r.createdAt),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    updatedAt: iso(r.updatedAt),
  };
}

export function stepView(s: StepRecord) {
  return {
    idx: s.idx,
    id: s.stepId,
    uses: s.uses,
    status: s.status,
    externalId: s.externalId,
    externalStatus: s.externalStatus,
    url: s.url,
    attempts: s.attempts,
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    deadlineAt: iso(s.deadlineAt),
    output: s.output,
    error: s.error,
    errorCode: s.errorCode,
    skipReason: s.skipReason,
    resolved: s.resolved,
    resolvedYaml: s.resolvedYaml,
    progress: s.progress,
  };
}
