/**
 * Prometheus Alertmanager webhook (payload version "4") → incident values. Pure.
 *
 * One incident per alert group: Alertmanager's `groupKey` identifies the group across repeat
 * notifications, so it becomes the incident's externalId (`am:<groupKey>`). The default label
 * mapping (documented in the README, "Incident API"):
 *   service     ← labels service | job | app
 *   environment ← labels env | environment
 *   severity    ← label priority P0..P4, else label severity: critical → P1, error | high → P2,
 *                 warning → P3, info → P4; the most severe alert of the group wins; none → P3
 *   summary     ← annotation summary, else label alertname (+ "(+N more)" when alerts differ)
 *   test        ← label runbook_bot_test="true": a test incident (issue 8), for rehearsing an
 *                 alert-driven runbook with a synthetic alert (amtool alert add … runbook_bot_test=true)
 * Labels are looked up in commonLabels, then groupLabels, then the group's first alert.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SEVERITIES, severityRank, type Severity } from '../../domain/types.ts';
import type { IncidentRecord } from '../../store/index.ts';
import type { IncidentPatch } from '../../incidents/service.ts';
import { EXTERNAL_ID_MAX, SUMMARY_MAX } from '../../incidents/validate.ts';

const labels = z.record(z.string(), z.string());
const alertStatus = z.enum(['firing', 'resolved']);

// Loose objects: Alertmanager (and tools that imitate it) add fields over time; we read what we map.
export const alertSchema = z.looseObject({
  status: alertStatus.optional(),
  labels: labels.default({}),
  annotations: labels.default({}),
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const alertmanagerPayload = z.looseObject({
  version: z.literal('4'),
  groupKey: z.string().min(1),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: alertStatus,
  receiver: z.string().optional(),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(alertSchema),
});
export type AlertmanagerPayload = z.infer<typeof alertmanagerPayload>;
export type Alert = z.infer<typeof alertSchema>;

export const SEVERITY_LABELS: Readonly<Record<string, Severity>> = {
  critical: 'P1',
  error: 'P2',
  high: 'P2',
  warning: 'P3',
  info: 'P4',
};
export const DEFAULT_SEVERITY: Severity = 'P3';
const NAME_MAX = 100;

export interface AlertGroupIncident {
  externalId: string;
  status: 'firing' | 'resolved';
  summary: string;
  severity: Severity;
  service: string | null;
  environment: string | null;
  /** Alerts in the group, counting those Alertmanager left out (`truncatedAlerts`). */
  alertCount: number;
  /** Present (true) only for a test alert group. */
  test?: true;
}

/** The label that makes an alert group a test incident; only the value "true" counts. */
export const TEST_LABEL = 'runbook_bot_test';

/** Label values may hold newlines and any length; incident values are one short line. */
function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

export function externalIdFor(groupKey: string): string {
  const id = `am:${groupKey}`;
  // Deep routing trees make long keys; a digest keeps them unique and within the column's limit.
  return id.length <= EXTERNAL_ID_MAX
    ? id
    : `am:sha256:${createHash('sha256').update(groupKey).digest('hex')}`;
}

/** The alerts that describe the group's current state: the firing ones while it fires. */
function relevantAlerts(p: AlertmanagerPayload): Alert[] {
  const firing = p.alerts.filter((a) => (a.status ?? p.status) === 'firing');
  return p.status === 'firing' && firing.length ? firing : p.alerts;
}

function pick(p: AlertmanagerPayload, names: readonly string[]): string | null {
  const first = relevantAlerts(p)[0]?.labels ?? {};
  for (const source of [p.commonLabels, p.groupLabels, first]) {
    for (const name of names) {
      const v = source[name];
      if (v !== undefined && v.trim()) return oneLine(v, NAME_MAX);
    }
  }
  return null;
}

/** The severity one label set asks for: a `priority` label wins over a `severity` label. */
export function severityOfLabels(l: Record<string, string>): Severity | null {
  const priority = l.priority?.trim().toUpperCase();
  if (priority && (SEVERITIES as readonly string[]).includes(priority)) return priority as Severity;
  const sev = l.severity?.trim().toLowerCase();
  return (sev && SEVERITY_LABELS[sev]) || null;
}

function mostSevere(list: (Severity | null)[]): Severity | null {
  let best: Severity | null = null;
  for (const s of list) if (s && (best === null || severityRank(s)! < severityRank(best)!)) best = s;
  return best;
}

function summaryOf(p: AlertmanagerPayload, alerts: Alert[], count: number): string {
  const common = p.commonAnnotations.summary?.trim();
  if (common) return oneLine(common, SUMMARY_MAX);
  const first = alerts[0];
  const base =
    first?.annotations.summary?.trim() ||
    pick(p, ['alertname']) ||
    `Alertmanager alert group${p.receiver ? ` for ${p.receiver}` : ''}`;
  // The first alert's own summary speaks for one alert only; say that there are more.
  const more = count > 1 && !p.commonAnnotations.summary ? ` (+${count - 1} more)` : '';
  return oneLine(`${oneLine(base, SUMMARY_MAX - more.length)}${more}`, SUMMARY_MAX);
}

export function mapAlertGroup(p: AlertmanagerPayload): AlertGroupIncident {
  const alerts = relevantAlerts(p);
  const count = alerts.length + (p.truncatedAlerts ?? 0);
  const severity =
    mostSevere([severityOfLabels(p.commonLabels), ...alerts.map((a) => severityOfLabels(a.labels))]) ??
    DEFAULT_SEVERITY;
  return {
    externalId: externalIdFor(p.groupKey),
    status: p.status,
    summary: summaryOf(p, alerts, count),
    severity,
    service: pick(p, ['service', 'job', 'app']),
    environment: pick(p, ['env', 'environment']),
    alertCount: count,
    ...(pick(p, [TEST_LABEL])?.toLowerCase() === 'true' ? { test: true as const } : {}),
  };
}

/**
 * What a repeat "firing" notification changes on the group's incident. Alertmanager re-sends the
 * group every repeat_interval, so the update must never undo a responder: severity only goes up,
 * service and environment are only filled in when empty, and a resolved incident is reopened.
 */
export function firingPatch(current: IncidentRecord, group: AlertGroupIncident): IncidentPatch {
  const patch: IncidentPatch = {};
  if (severityRank(group.severity)! < severityRank(current.severity)!) patch.severity = group.severity;
  if (!current.service && group.service) patch.service = group.service;
  if (!current.environment && group.environment) patch.environment = group.environment;
  if (current.status === 'resolved') patch.status = 'investigating';
  return patch;
}
