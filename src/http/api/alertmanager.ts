/**
 * `POST /api/alertmanager`: Alertmanager's webhook receiver. A firing group opens its incident (or
 * updates it, see firingPatch); a resolved group resolves it and never creates one. Alertmanager
 * retries on 5xx only, so a payload we cannot use gets a 400 that names the problem.
 */
import { ALERTMANAGER_ACTOR, type ApiDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import type { ApiReply } from './incidents.ts';
import { incidentLink } from './incidents.ts';
import { alertmanagerPayload, firingPatch, mapAlertGroup } from './alertmanager-map.ts';
import { problemsOf } from './schemas.ts';
import { upsertIncident } from './upsert.ts';

export async function receiveAlertmanager(deps: ApiDeps, raw: unknown): Promise<ApiReply> {
  const parsed = alertmanagerPayload.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const errors = problemsOf(parsed.error.issues, []);
    const message =
      errors.length === 1
        ? `not an Alertmanager webhook payload: ${errors[0]!.message}`
        : `not an Alertmanager webhook payload (version "4"): ${errors.length} problems`;
    throw new HttpError(400, message, errors);
  }
  const group = mapAlertGroup(parsed.data);
  const log = deps.log.child({
    externalId: group.externalId,
    status: group.status,
    alerts: group.alertCount,
  });

  if (group.status === 'resolved') {
    const existing = deps.store.incidents.byExternalId(group.externalId);
    if (!existing) {
      log.info('resolved alert group without an incident: ignored');
      return { status: 200, body: { action: 'ignored', reason: 'no incident for this alert group' } };
    }
    const m = deps.incidents.resolve(existing.id, ALERTMANAGER_ACTOR);
    const action = m.changes.length ? 'resolved' : 'unchanged';
    log.info({ incident: existing.id, action }, 'alert group resolved');
    return { status: 200, body: { action, ...incidentLink(deps, m.incident), changes: m.changes } };
  }

  const r = await upsertIncident(
    deps,
    {
      summary: group.summary,
      severity: group.severity,
      service: group.service,
      environment: group.environment,
      externalId: group.externalId,
      ...(group.test ? { test: true } : {}),
    },
    (existing) => firingPatch(existing, group),
    ALERTMANAGER_ACTOR,
  );
  const action = r.created ? 'created' : r.changes.length ? 'updated' : 'unchanged';
  log.info({ incident: r.incident.id, action }, 'alert group firing');
  return {
    status: r.created ? 201 : 200,
    body: {
      action,
      ...incidentLink(deps, r.incident),
      changes: r.changes,
      ...(r.warnings.length ? { warnings: r.warnings } : {}),
    },
  };
}
