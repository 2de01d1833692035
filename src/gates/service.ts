/**
 * The gate service: answers "may this deploy?" from the incidents that are open right now (so the
 * API reflects a new P1 at once, with no cron in between), announces each change of who holds a gate
 * on the incident's timeline and channel exactly once, and records commanders' manual overrides.
 */
import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import type { Catalog, DeploymentGate, Runbook } from '../manifests/schema.ts';
import type { Incident } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import type { Clock } from '../engine/ports.ts';
import {
  blockingHolds,
  computeHolds,
  runTarget,
  runbookBlockers,
  type Axis,
  type DeployTarget,
  type GateHold,
} from './evaluate.ts';
import { createGateStore, holdKey } from './store.ts';

export interface GateServiceDeps {
  store: Store;
  catalog: () => Catalog;
  clock: Clock;
  log: Logger;
  /** Posts a line in a Slack channel; absent: the timeline only. */
  say?: ((channel: string, text: string) => Promise<unknown>) | undefined;
}

export interface GateReason {
  incident: string;
  severity: string;
  summary: string;
  since: string;
  gate: string;
}

export type DeployAnswer = { open: true } | { open: false; reasons: GateReason[] };

export const axisText = (a: Axis): string => (a === 'all' ? 'all' : a.join(', '));
export const scopeText = (h: Pick<GateHold, 'environments' | 'services'>): string =>
  `environments ${axisText(h.environments)} · services ${axisText(h.services)}`;

export function createGateService(deps: GateServiceDeps) {
  const { store, clock, log } = deps;
  const gs = createGateStore(store.db);
  const gates = (): Map<string, DeploymentGate> => deps.catalog().gates ?? new Map();
  // Who held each gate last, for reporting a failed "disable" after the gate opened.
  const lastHolders = new Map<string, string[]>();

  function holds(): GateHold[] {
    return computeHolds(gates().values(), store.incidents.listOpen(), gs.overrides());
  }

  function sinceOf(h: GateHold, announced: Map<string, number>): number {
    const at = announced.get(holdKey(h.gate, h.incident));
    if (at !== undefined) return at;
    return Date.parse(store.incidents.get(h.incident)?.createdAt ?? '') || clock.now();
  }

  // Incidents opened through the API get their channel a moment after they are declared: what the
  // gate had to say meanwhile is posted once the channel exists (next refresh).
  const unsaid = new Map<string, string[]>();
  function flushUnsaid(): void {
    for (const [id, texts] of unsaid) {
      const incident = store.incidents.get(id);
      if (!incident || incident.status === 'resolved') unsaid.delete(id);
      else if (incident.channel) {
        unsaid.delete(id);
        for (const t of texts) say(incident, t);
      }
    }
  }

  function say(incident: Incident | undefined, text: string): void {
    if (!incident || !deps.say) return;
    if (!incident.channel) return void unsaid.set(incident.id, [...(unsaid.get(incident.id) ?? []), text]);
    deps
      .say(incident.channel, text)
      .catch((e: unknown) =>
        log.warn({ incident: incident.id, err: (e as Error).message }, 'gate message not posted'),
      );
  }

  function note(
    incidentId: string,
    kind: string,
    text: string,
    dedupe: string,
    data: Record<string, unknown>,
  ): void {
    const incident = store.incidents.get(incidentId);
    if (!incident) return;
    const now = clock.now();
    const added = store.timeline.add({ incidentId, at: now, kind, text, key: true, data, dedupeKey: dedupe });
    if (added !== false) say(incident, text);
  }

  const service = {
    gates,
    holds,

    /** GET /api/gates/deploy: open, or the holds that keep it closed (oldest first). */
    check(target: DeployTarget): DeployAnswer {
      const blocking = blockingHolds(holds(), target);
      if (blocking.length === 0) return { open: true };
      const announced = gs.holds();
      const reasons = blocking
        .map((h) => ({ h, since: sinceOf(h, announced) }))
        .sort((a, b) => a.since - b.since)
        .map(({ h, since }) => ({
          incident: h.incident,
          severity: h.severity,
          summary: h.summary,
          since: new Date(since).toISOString(),
          gate: h.gate,
        }));
      return { open: false, reasons };
    },

    /** The holds that refuse this run (the engine asks before recording it). */
    runBlockers(runbook: Runbook, inputs: Record<string, unknown>, incident: Incident | null): GateHold[] {
      if (!runbook.deploys) return [];
      // A test incident's runs never reach production: pipelines run their `staging:` target or are
      // skipped (engine/actions/test-incident.ts), so a real incident's hold does not apply to them.
      if (incident?.test === true) return [];
      return runbookBlockers(holds(), gates(), runbook, runTarget(inputs, incident));
    },

    /**
     * Compares who holds each gate now with what was announced, writes the differences to the
     * incidents' timelines and channels, and returns them. Called on every incident change and by
     * the reconciler, so a change missed by a crash is announced by the next pass.
     */
    refresh(): { closed: GateHold[]; released: { gate: string; incident: string }[] } {
      const now = clock.now();
      flushUnsaid();
      const current = holds();
      const announced = gs.holds();
      const closed: GateHold[] = [];
      const released: { gate: string; incident: string }[] = [];
      const currentKeys = new Set(current.map((h) => holdKey(h.gate, h.incident)));
      for (const h of current) {
        if (announced.has(holdKey(h.gate, h.incident)) || !gs.addHold(h.gate, h.incident, now)) continue;
        closed.push(h);
        note(
          h.incident,
          'gate.closed',
          `:no_entry: Deployment gate *${h.gateName}* is closed by ${h.incident} (${h.why}): deployments to ${scopeText(h)} are halted until it resolves.`,
          `gate:${h.gate}:${h.incident}:closed:${now}`,
          { gate: h.gate, environments: h.environments, services: h.services, manual: h.manual },
        );
      }
      for (const key of announced.keys()) {
        if (currentKeys.has(key)) continue;
        const [gate = '', incident = ''] = key.split('\u0000');
        if (!gs.dropHold(gate, incident)) continue;
        released.push({ gate, incident });
        lastHolders.set(gate, [...new Set([...(lastHolders.get(gate) ?? []), incident])]);
        const name = gates().get(gate)?.name ?? gate;
        const stillHeld = current.filter((h) => h.gate === gate).map((h) => h.incident);
        const rest = stillHeld.length
          ? `it stays closed while ${stillHeld.join(', ')} ${stillHeld.length > 1 ? 'are' : 'is'} open.`
          : 'the gate is open again; deployments may proceed.';
        note(
          incident,
          'gate.released',
          `:white_check_mark: ${incident} no longer holds deployment gate *${name}*: ${rest}`,
          `gate:${gate}:${incident}:released:${now}`,
          {
            gate,
            open: stillHeld.length === 0,
          },
        );
      }
      return { closed, released };
    },

    /** A gate event on each incident's timeline and channel, once per dedupe key. */
    announce(incidents: string[], kind: string, text: string, dedupe: string): void {
      for (const id of incidents) note(id, kind, text, `${dedupe}:${id}`, {});
    },

    lastHolders(gate: string): string[] {
      return lastHolders.get(gate) ?? [];
    },

    /** `/incident freeze <reason>` (callers check that the actor is a commander). */
    setOverride(incidentId: string, mode: 'freeze' | 'unfreeze', actor: string, reason: string): string {
      const incident = store.incidents.get(incidentId);
      if (!incident) throw new AppError('INCIDENT_NOT_FOUND', `No incident ${incidentId}.`);
      if (incident.status === 'resolved')
        throw new AppError(
          'INVALID_TRANSITION',
          `${incident.id} is resolved; a resolved incident holds no gate.`,
        );
      const why = reason.trim();
      if (mode === 'freeze' && why === '')
        throw new AppError(
          'INPUT_INVALID',
          'A freeze needs a reason: /incident freeze <reason>, e.g. /incident freeze bad deploy suspected',
        );
      if (gates().size === 0)
        throw new AppError(
          'INPUT_INVALID',
          'No DeploymentGate manifests are loaded; there is no gate to freeze or unfreeze.',
        );
      const now = clock.now();
      const text =
        mode === 'freeze'
          ? `<@${actor}> froze deployments for ${incident.id}: ${why}`
          : `<@${actor}> lifted the deployment freeze of ${incident.id}${why ? `: ${why}` : ''}`;
      store.tx(() => {
        gs.setOverride(incident.id, { mode, reason: why || 'no reason given', actor, at: now });
        store.audit.add({
          at: now,
          actor,
          action: `gate.${mode}`,
          subject: incident.id,
          detail: { reason: why },
        });
        store.timeline.add({
          incidentId: incident.id,
          at: now,
          kind: `gate.${mode}`,
          text,
          key: true,
          actor,
        });
      });
      service.refresh();
      return text;
    },

    /** Lines for the pinned incident summary and App Home. */
    describeFor(incidentId: string): string[] {
      const mine = holds().filter((h) => h.incident === incidentId);
      const lines = mine.map(
        (h) => `:no_entry: ${h.gateName}: ${scopeText(h)}${h.manual ? ' (frozen by hand)' : ''}`,
      );
      const o = gs.overrides().get(incidentId);
      if (o?.mode === 'unfreeze') lines.push(`Deployment gates released by <@${o.actor}>: ${o.reason}`);
      return lines;
    },

    store: gs,
  };
  return service;
}
export type GateService = ReturnType<typeof createGateService>;
