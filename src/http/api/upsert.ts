/**
 * Create-or-update by externalId, shared by `POST /api/incidents` and the Alertmanager webhook.
 * Everything goes through the incident service, so triggers see API incidents like any other.
 * Idempotency: the lookup and the declare run back to back without awaiting, so within one process
 * a second request with the same externalId always finds the first incident; a second process
 * racing on the same database loses at the declare (the service refuses a taken externalId) and
 * is turned into an update here.
 */
import type { DeclareInput, IncidentChange, IncidentPatch } from '../../incidents/service.ts';
import type { IncidentRecord } from '../../store/index.ts';
import { isAppError } from '../../errors.ts';
import type { ApiDeps } from './deps.ts';
import { errorText } from './errors.ts';

export interface UpsertResult {
  created: boolean;
  incident: IncidentRecord;
  changes: IncidentChange[];
  /** Things that went wrong after the incident was safely stored (e.g. the channel set-up). */
  warnings: string[];
}

export async function upsertIncident(
  deps: ApiDeps,
  input: DeclareInput,
  patchFor: (existing: IncidentRecord) => IncidentPatch,
  actor: string,
): Promise<UpsertResult> {
  const update = (existing: IncidentRecord): UpsertResult => {
    const m = deps.incidents.update(existing.id, patchFor(existing), actor);
    return { created: false, incident: m.incident, changes: m.changes, warnings: [] };
  };
  const externalId = input.externalId ?? null;
  const existing = externalId ? deps.store.incidents.byExternalId(externalId) : undefined;
  if (existing) return update(existing);

  let incident: IncidentRecord;
  try {
    incident = deps.incidents.declare(input, actor);
  } catch (e) {
    const winner = externalId && isAppError(e) ? deps.store.incidents.byExternalId(externalId) : undefined;
    if (winner) return update(winner);
    throw e;
  }
  const warnings = await setUpChannel(deps, incident, actor);
  const current = deps.incidents.get(incident.id) ?? incident;
  return { created: true, incident: current, changes: [], warnings };
}

/** The incident exists whatever happens here; a failure is reported, never turned into an error. */
async function setUpChannel(deps: ApiDeps, incident: IncidentRecord, actor: string): Promise<string[]> {
  if (!deps.setupChannel) return [];
  try {
    const channel = await deps.setupChannel(incident);
    if (channel && channel !== incident.channel) deps.incidents.update(incident.id, { channel }, actor);
    return [];
  } catch (e) {
    const why = errorText(e);
    deps.log.warn({ incident: incident.id, err: why }, 'incident channel set-up failed');
    return [`the incident was created but its channel could not be set up: ${why}`];
  }
}
