/**
 * The input modal as JSON, cached per loaded runbook and incident version. Building it is pure
 * (runbook, incident, channel, input defaults derived from the incident), and a burst of clicks on
 * the same Run button asks for the same modal again and again; the JSON string goes straight into
 * the views.open body. Keys: the runbook object itself (a manifest reload makes new objects, so a
 * changed runbook never meets an old entry — the WeakMap lets the old ones go), then incident id +
 * version (every incident update bumps it) + channel. Modals without an incident list the open
 * incidents, which change without a version of their own: those are built every time, as are
 * "Edit inputs" modals (a run's own values).
 */
import type { Runbook } from '../manifests/schema.ts';
import type { IncidentRecord } from '../store/index.ts';

const PER_RUNBOOK = 64;

export interface ModalCache {
  /** The cached JSON for this key, or `build()` serialized (and kept). */
  json(runbook: Runbook, incident: IncidentRecord, channelId: string, build: () => unknown): string;
  /** Entries for `runbook` (tests). */
  size(runbook: Runbook): number;
}

export function createModalCache(perRunbook = PER_RUNBOOK): ModalCache {
  const byRunbook = new WeakMap<Runbook, Map<string, string>>();
  return {
    json(runbook, incident, channelId, build) {
      const key = `${incident.id}\u0000${incident.version}\u0000${incident.updatedAt}\u0000${channelId}`;
      let entries = byRunbook.get(runbook);
      if (!entries) byRunbook.set(runbook, (entries = new Map()));
      const hit = entries.get(key);
      if (hit !== undefined) return hit;
      const json = JSON.stringify(build());
      // Oldest first out: a Map iterates in insertion order.
      if (entries.size >= perRunbook) entries.delete(entries.keys().next().value!);
      entries.set(key, json);
      return json;
    },
    size: (runbook) => byRunbook.get(runbook)?.size ?? 0,
  };
}
