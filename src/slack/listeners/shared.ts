/** Small helpers shared by the listeners: which runbooks apply, input defaults, ephemeral replies. */
import type { Runbook } from '../../manifests/schema.ts';
import type { IncidentRecord } from '../../store/index.ts';
import { inputDefaults } from '../../domain/inputs.ts';
import { incidentScope } from '../../engine/scope.ts';
import type { SlackDeps } from '../deps.ts';
import { runbookInputModal } from '../blocks/index.ts';
import { createModalCache } from '../modal-cache.ts';

/** Runbooks whose context fits the incident (any, or the incident's type); all of them without one. */
export function applicableRunbooks(d: SlackDeps, incident: IncidentRecord | null): Runbook[] {
  const all = [...d.catalog().runbooks.values()];
  if (!incident) return all;
  return all.filter((r) => r.context.incidentType === 'any' || r.context.incidentType === incident.type);
}

export function inputModalFor(
  d: SlackDeps,
  runbook: Runbook,
  incident: IncidentRecord | null,
  channelId: string,
  edit?: { defaults: Record<string, unknown>; runId: string },
) {
  return runbookInputModal({
    runbook,
    incident,
    openIncidents: incident ? [] : d.incidents.listOpen(),
    channelId,
    defaults: edit?.defaults ?? inputDefaults(runbook.inputs, { incident: incidentScope(incident) }),
    ...(edit ? { runId: edit.runId } : {}),
  });
}

const modals = createModalCache();

/**
 * Opens the runbook's input modal (views.open through the lean caller). Called from after-ack jobs:
 * the trigger_id is only good for 3 s after the click.
 */
export function openInputModal(
  d: SlackDeps,
  triggerId: string,
  runbook: Runbook,
  incident: IncidentRecord | null,
  channelId: string,
  edit?: { defaults: Record<string, unknown>; runId: string },
) {
  const view =
    incident && !edit
      ? modals.json(runbook, incident, channelId, () => inputModalFor(d, runbook, incident, channelId))
      : JSON.stringify(inputModalFor(d, runbook, incident, channelId, edit));
  return d.slackApi.send('views.open', `{"trigger_id":${JSON.stringify(triggerId)},"view":${view}}`);
}

export const ephemeral = (m: { text: string; blocks?: unknown[] } | string) =>
  typeof m === 'string'
    ? { response_type: 'ephemeral' as const, text: m }
    : { response_type: 'ephemeral' as const, ...m };
