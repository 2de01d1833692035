/**
 * Would a runbook trigger fire for this incident event? Pure; used by dry-run and `explain` now and by
 * the trigger service later. Edge-triggered: an update fires only when the condition turns true
 * (false before the change, true after). Never on resolved incidents.
 */
import type { Trigger } from '../manifests/schema.ts';
import type { Incident } from './types.ts';
import { evaluateCondition, formatTraceLines, formatTrace, type TraceNode } from './conditions.ts';

export interface IncidentEvent {
  type: 'incident.created' | 'incident.updated';
  incident: Incident;
  previous?: Incident;
}

export interface TriggerDecision {
  fires: boolean;
  reason: string;
  trace?: TraceNode;
  traceLines: string[];
}

/** Trigger paths are incident-relative (`severity`, `fields.x`); `incident.severity` works too. */
export function triggerContext(incident: Incident): Record<string, unknown> {
  return { ...incident, incident };
}

export function evaluateTrigger(trigger: Trigger, ev: IncidentEvent): TriggerDecision {
  if (trigger.on !== ev.type)
    return { fires: false, reason: `listens to ${trigger.on}, this is ${ev.type}`, traceLines: [] };
  if (ev.incident.status === 'resolved')
    return { fires: false, reason: 'the incident is resolved', traceLines: [] };
  if (!trigger.when) return { fires: true, reason: 'no condition', traceLines: [] };
  const previous = ev.previous ? triggerContext(ev.previous) : undefined;
  const now = evaluateCondition(trigger.when, {
    current: triggerContext(ev.incident),
    ...(previous ? { previous } : {}),
  });
  const lines = formatTraceLines(now.trace);
  if (!now.passed)
    return {
      fires: false,
      reason: `condition is false: ${formatTrace(now.trace)}`,
      trace: now.trace,
      traceLines: lines,
    };
  if (ev.type === 'incident.updated' && previous) {
    const before = evaluateCondition(trigger.when, { current: previous });
    if (before.passed) {
      return {
        fires: false,
        reason: 'condition was already true before this change (fires when it becomes true)',
        trace: now.trace,
        traceLines: lines,
      };
    }
  }
  return {
    fires: true,
    reason: `condition holds: ${formatTrace(now.trace)}`,
    trace: now.trace,
    traceLines: lines,
  };
}
