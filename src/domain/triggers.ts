/**
 * Would a runbook trigger fire for this incident event? Pure; used by the trigger service, dry-run
 * and `explain`, so all three give the same answer for the same facts.
 *
 * Rules (DESIGN.md §4: peers re-run a rollback every time someone toggles P1↔P2):
 *  - edge-triggered: an update fires only when the condition turns true (false before, true after);
 *  - never on resolved incidents; only when the runbook's `context.incidentType` fits the incident;
 *  - `once: per_incident` (default): at most one firing per incident and runbook, by any trigger;
 *    `once: per_change`: again after the condition was seen false (re-armed);
 *  - `cooldown`: no firing while an earlier firing of this runbook for this incident is that recent.
 * The history (armed, counts, last firing) lives in SQLite; the store enforces the same rules with one
 * conditional update, so concurrent handlers fire once.
 */
import type { Runbook, Trigger } from '../manifests/schema.ts';
import type { Incident } from './types.ts';
import type { ConditionMap } from './condition-schema.ts';
import { evaluateCondition, formatTraceLines, formatTrace, type TraceNode } from './conditions.ts';
import { formatDuration, parseDuration } from './duration.ts';

export interface IncidentEvent {
  type: 'incident.created' | 'incident.updated';
  incident: Incident;
  previous?: Incident;
}

/** What happened before for this incident (absent: nothing yet, as in dry-run). */
export interface TriggerHistory {
  /** This trigger may fire again: false after it fired, until its condition is seen false. */
  armed: boolean;
  /** Firings of any trigger of this runbook for this incident. */
  runbookFireCount: number;
  /** Time (ms) of the last firing of any trigger of this runbook for this incident. */
  runbookLastFiredAt: number | null;
}
export const FRESH_HISTORY: TriggerHistory = { armed: true, runbookFireCount: 0, runbookLastFiredAt: null };

export interface TriggerDecision {
  fires: boolean;
  reason: string;
  trace?: TraceNode;
  traceLines: string[];
  /** The condition was evaluated and is false now: a per_change trigger re-arms. */
  rearm?: boolean;
  /** once/cooldown in words, e.g. "once per incident · cooldown 30m". */
  policy?: string;
}

export interface EvaluateOptions {
  /** For the incidentType fit. */
  runbook?: Pick<Runbook, 'context'>;
  history?: TriggerHistory;
  /** Needed for cooldown (ms since the epoch). */
  now?: number;
}

/** Trigger paths are incident-relative (`severity`, `fields.x`); `incident.severity` works too. */
export function triggerContext(incident: Incident): Record<string, unknown> {
  return { ...incident, incident };
}

/** `any` runbooks apply to every incident; typed ones only to incidents of their type. */
export function runbookFits(runbook: Pick<Runbook, 'context'>, incident: Pick<Incident, 'type'>): boolean {
  const want = runbook.context.incidentType;
  return want === 'any' || want === incident.type;
}

export function cooldownMs(trigger: Trigger): number | null {
  return trigger.cooldown ? parseDuration(trigger.cooldown) : null;
}

export function triggerPolicy(trigger: Trigger): string {
  const once =
    trigger.once === 'per_change' ? 'again each time the condition turns true' : 'once per incident';
  return trigger.cooldown ? `${once} · cooldown ${trigger.cooldown}` : once;
}

/** Why history stops a firing, or null when it does not. Mirrors the store's conditional claim. */
export function historyBlock(trigger: Trigger, h: TriggerHistory, now: number | undefined): string | null {
  if (trigger.once === 'per_incident' && h.runbookFireCount > 0)
    return 'this runbook already fired for this incident (once: per_incident)';
  if (trigger.once === 'per_change' && !h.armed)
    return 'already fired; fires again after the condition turns false (once: per_change)';
  const cd = cooldownMs(trigger);
  if (cd !== null && h.runbookLastFiredAt !== null && now !== undefined && now - h.runbookLastFiredAt < cd)
    return `cooldown ${trigger.cooldown}: this runbook fired ${formatDuration(now - h.runbookLastFiredAt)} ago`;
  return null;
}

export function evaluateTrigger(
  trigger: Trigger,
  ev: IncidentEvent,
  opts: EvaluateOptions = {},
): TriggerDecision {
  const policy = triggerPolicy(trigger);
  if (trigger.on !== ev.type)
    return { fires: false, reason: `listens to ${trigger.on}, this is ${ev.type}`, traceLines: [], policy };
  if (ev.incident.status === 'resolved')
    return { fires: false, reason: 'the incident is resolved', traceLines: [], policy };
  if (opts.runbook && !runbookFits(opts.runbook, ev.incident))
    return {
      fires: false,
      reason: `the runbook is for incidents of type ${opts.runbook.context.incidentType}; this one is ${ev.incident.type}`,
      traceLines: [],
      policy,
    };
  const previous = ev.previous ? triggerContext(ev.previous) : undefined;
  const now = trigger.when
    ? evaluateCondition(trigger.when, {
        current: triggerContext(ev.incident),
        ...(previous ? { previous } : {}),
      })
    : null;
  const trace = now ? { trace: now.trace, traceLines: formatTraceLines(now.trace) } : { traceLines: [] };
  if (now && !now.passed)
    return {
      fires: false,
      reason: `condition is false: ${formatTrace(now.trace)}`,
      ...trace,
      rearm: true,
      policy,
    };
  // Without a condition there is no edge: an updated-trigger fires on an update, and `once` limits it.
  if (trigger.when && ev.type === 'incident.updated' && previous) {
    const before = evaluateCondition(trigger.when, { current: previous });
    if (before.passed) {
      return {
        fires: false,
        reason: 'condition was already true before this change (fires when it becomes true)',
        ...trace,
        policy,
      };
    }
  }
  const blocked = opts.history ? historyBlock(trigger, opts.history, opts.now) : null;
  if (blocked) return { fires: false, reason: blocked, ...trace, policy };
  return {
    fires: true,
    reason: now ? `condition holds: ${formatTrace(now.trace)}` : 'no condition',
    ...trace,
    policy,
  };
}

/**
 * At approval time: does the incident still match? A level check on the current incident. Change
 * operators describe the event that fired, which is over: `changed_to: v` becomes `equals: v`
 * (the field must still have the value), `changed` and `changed_from` are dropped.
 */
export function triggerStillHolds(
  trigger: Trigger,
  incident: Incident,
): { holds: boolean; reason: string; trace?: TraceNode } {
  if (incident.status === 'resolved') return { holds: false, reason: `${incident.id} is now resolved` };
  const level = trigger.when ? levelCondition(trigger.when) : null;
  if (!level) return { holds: true, reason: 'no condition to re-check' };
  const r = evaluateCondition(level, { current: triggerContext(incident) });
  return r.passed
    ? { holds: true, reason: `still holds: ${formatTrace(r.trace)}`, trace: r.trace }
    : { holds: false, reason: `the condition no longer holds: ${formatTrace(r.trace)}`, trace: r.trace };
}

const CHANGE_OPS = new Set(['changed', 'changed_from']);

/** The condition without its change operators; null when nothing is left to check. */
export function levelCondition(c: ConditionMap): ConditionMap | null {
  const out: ConditionMap = {};
  for (const [key, value] of Object.entries(c)) {
    if (value === undefined) continue;
    if (key === 'all' || key === 'any') {
      const list = (value as ConditionMap[]).map(levelCondition);
      // An `any` branch that checked only a change is satisfied by the firing itself.
      if (key === 'any' && list.some((x) => x === null)) continue;
      const kept = list.filter((x): x is ConditionMap => x !== null);
      if (kept.length) out[key] = kept;
    } else if (key === 'not') {
      const inner = levelCondition(value as ConditionMap);
      if (inner) out.not = inner;
    } else {
      const ops: Record<string, unknown> = {};
      for (const [op, expected] of Object.entries(value as Record<string, unknown>)) {
        if (expected === undefined || CHANGE_OPS.has(op)) continue;
        if (op === 'changed_to') ops.equals = expected;
        else ops[op] = expected;
      }
      if (Object.keys(ops).length) out[key] = ops as ConditionMap[string];
    }
  }
  return Object.keys(out).length ? out : null;
}
