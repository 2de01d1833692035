/**
 * Core domain vocabulary shared by every layer. Pure data: no I/O, no clock.
 */
export const SEVERITIES = ['P0', 'P1', 'P2', 'P3', 'P4'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Lower rank = more severe (P0 is the most severe). */
export function severityRank(s: string): number | undefined {
  const i = (SEVERITIES as readonly string[]).indexOf(s.toUpperCase());
  return i < 0 ? undefined : i;
}

export const INCIDENT_STATUSES = [
  'investigating',
  'identified',
  'monitoring',
  'mitigated',
  'resolved',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export type FieldValue = string | number | boolean | null | string[];

/** Base incident fields as DESIGN.md lists them; custom fields live under `fields`. */
export const INCIDENT_BASE_FIELDS = [
  'id',
  'summary',
  'severity',
  'status',
  'service',
  'environment',
  'type',
  'commander',
  'channel',
  'createdAt',
] as const;
export type IncidentBaseField = (typeof INCIDENT_BASE_FIELDS)[number];

export interface Incident {
  id: string; // short id, e.g. INC-42
  summary: string;
  severity: Severity;
  status: IncidentStatus;
  service: string | null;
  environment: string | null;
  type: string; // IncidentType id, or 'any' (base fields only)
  commander: string | null; // Slack user id
  channel: string | null; // Slack channel id
  createdAt: string; // ISO-8601
  fields: Record<string, FieldValue>;
  /** A test incident (`/incident declare --test`, API `"test": true`): set at creation, never changed. */
  test?: boolean;
}

export const RUN_STATES = [
  'pending',
  'awaiting_approval', // an automatic run (or a manual one that needs approval) waits for a decision
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'rejected', // a commander said no
  'expired', // nobody decided within the runbook's approval_timeout
] as const;
export type RunState = (typeof RUN_STATES)[number];

export const STEP_STATES = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'timed_out',
  'unknown',
  'cancelled',
] as const;
export type StepState = (typeof STEP_STATES)[number];

export type TriggerKind = 'manual' | 'incident.created' | 'incident.updated';
