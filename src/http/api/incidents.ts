/**
 * `POST /api/incidents`, `PATCH|GET /api/incidents/{id}`, `GET /api/runs/{id}`.
 * Bodies are shape-checked here (schemas.ts) and value-checked by the incident service.
 */
import type { IncidentPatch } from '../../incidents/service.ts';
import type { IncidentRecord } from '../../store/index.ts';
import { ANY_TYPE } from '../../incidents/validate.ts';
import { API_ACTOR, defaultChannelUrl, type ApiDeps } from './deps.ts';
import { HttpError } from './errors.ts';
import { createIncidentBody, parseBody, patchIncidentBody, type CreateIncidentBody } from './schemas.ts';
import { upsertIncident } from './upsert.ts';
import { incidentView, runView, stepView, timelineView } from './views.ts';

export interface ApiReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function incidentLink(deps: ApiDeps, incident: IncidentRecord) {
  const url = incident.channel ? (deps.channelUrl ?? defaultChannelUrl)(incident.channel) : null;
  return { id: incident.id, channel: incident.channel, url, test: incident.test === true };
}

/** What a test incident is, for the 400s below (it cannot be switched either way after creation). */
function testFixed(incident: IncidentRecord): string {
  const is = incident.test === true;
  return `test cannot change: ${incident.id} ${is ? 'is' : 'is not'} a test incident, fixed when it was created; allowed: ${is} or leave test out (to rehearse, create a new incident with "test": true)`;
}

/** A repeated create names the same incident: its values become a patch (the type cannot change). */
function patchFromCreate(body: CreateIncidentBody, existing: IncidentRecord): IncidentPatch {
  const wanted = body.type === undefined || !body.type.trim() ? ANY_TYPE : body.type.trim().toLowerCase();
  if (body.type !== undefined && wanted !== existing.type) {
    const message = `type cannot change: ${existing.id} (externalId ${existing.externalId}) is of type ${existing.type}; allowed: ${existing.type} or leave type out`;
    throw new HttpError(400, message, [{ field: 'type', message }]);
  }
  if (body.test !== undefined && body.test !== (existing.test === true)) {
    const message = testFixed(existing);
    throw new HttpError(400, message, [{ field: 'test', message }]);
  }
  const { type: _type, externalId: _externalId, test: _test, ...patch } = body;
  return patch;
}

export async function createIncident(deps: ApiDeps, raw: unknown): Promise<ApiReply> {
  const body = parseBody(createIncidentBody, raw);
  const r = await upsertIncident(deps, body, (existing) => patchFromCreate(body, existing), API_ACTOR);
  const reply = {
    ...incidentLink(deps, r.incident),
    created: r.created,
    changes: r.changes,
    incident: incidentView(r.incident),
    ...(r.warnings.length ? { warnings: r.warnings } : {}),
  };
  return r.created
    ? { status: 201, body: reply, headers: { location: `/api/incidents/${r.incident.id}` } }
    : { status: 200, body: reply };
}

function incidentOr404(deps: ApiDeps, id: string): IncidentRecord {
  const incident = deps.incidents.get(id);
  if (!incident) throw new HttpError(404, `there is no incident ${JSON.stringify(id)}; ids look like INC-42`);
  return incident;
}

export function patchIncident(deps: ApiDeps, id: string, raw: unknown): ApiReply {
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && Object.hasOwn(raw, 'test')) {
    // Not just "unknown field": say why, so nobody turns a real incident into a test (or back).
    const message = testFixed(incidentOr404(deps, id));
    throw new HttpError(400, message, [{ field: 'test', message }]);
  }
  const patch = parseBody(patchIncidentBody, raw);
  const current = incidentOr404(deps, id);
  const m = deps.incidents.update(current.id, patch, API_ACTOR);
  return {
    status: 200,
    body: { ...incidentLink(deps, m.incident), changes: m.changes, incident: incidentView(m.incident) },
  };
}

export function getIncident(deps: ApiDeps, id: string): ApiReply {
  const incident = incidentOr404(deps, id);
  return {
    status: 200,
    body: {
      incident: incidentView(incident),
      timeline: deps.store.timeline.forIncident(incident.id).map(timelineView),
      runs: deps.store.runs.forIncident(incident.id).map(runView),
    },
  };
}

export function getRun(deps: ApiDeps, id: string): ApiReply {
  const run = deps.store.runs.get(id);
  if (!run) throw new HttpError(404, `there is no run ${JSON.stringify(id)}; ids look like RUN-7`);
  return {
    status: 200,
    body: {
      run: runView(run),
      steps: deps.store.runs.steps(run.id).map(stepView),
      timeline: deps.store.timeline.forRun(run.id).map(timelineView),
    },
  };
}
