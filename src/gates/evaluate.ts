/**
 * Deployment gates, pure: which open incidents hold which gates, and whether a deployment to a
 * service/environment may go ahead. No I/O, no clock: the service passes incidents, overrides and
 * the moments each hold began. Rules (issue 6):
 *  - a gate is closed while at least one open (not resolved) incident matches its `when:`;
 *  - `/incident freeze` makes an incident hold every gate whatever its severity, `/incident unfreeze`
 *    makes it hold none (a commander's call, audited by the service);
 *  - a hold covers the gate's scope; `from-incident` takes the incident's own service/environment,
 *    and an incident that has none covers them all (blocking too much beats deploying into a fire);
 *  - a test incident (issue 8) holds nothing, not even by `/incident freeze`: rehearsing a runbook
 *    must never halt real deployments. Everything downstream (the deploy API, Harness freeze
 *    windows, `deploys: true` refusals) is computed from these holds, so this one rule covers them.
 */
import type { DeploymentGate, Runbook } from '../manifests/schema.ts';
import type { Incident } from '../domain/types.ts';
import { evaluateCondition, formatTrace } from '../domain/conditions.ts';
import { triggerContext } from '../domain/triggers.ts';

/** Values one axis of a hold covers: a list (compared case-insensitively) or everything. */
export type Axis = string[] | 'all';

export interface GateOverride {
  mode: 'freeze' | 'unfreeze';
  reason: string;
  actor: string;
  at: number;
}

export interface GateHold {
  gate: string;
  gateName: string;
  incident: string;
  severity: string;
  summary: string;
  environments: Axis;
  services: Axis;
  /** Held by `/incident freeze` rather than by the gate's condition. */
  manual: boolean;
  /** Why, in words: the condition's trace or the freeze reason. */
  why: string;
}

export interface DeployTarget {
  service?: string | null | undefined;
  environment?: string | null | undefined;
}

type AxisSpec = DeploymentGate['scope']['environments'];

export function axisFor(spec: AxisSpec, incidentValue: string | null): Axis {
  if (spec === 'all') return 'all';
  if (Array.isArray(spec)) return spec;
  // from-incident, in either spelling.
  return incidentValue ? [incidentValue] : 'all';
}

/** The hold `incident` puts on `gate`, or null. Resolved incidents and test incidents hold nothing. */
export function holdOf(gate: DeploymentGate, incident: Incident, override?: GateOverride): GateHold | null {
  if (incident.status === 'resolved') return null;
  if (incident.test === true) return null;
  if (override?.mode === 'unfreeze') return null;
  let why: string;
  if (override?.mode === 'freeze') why = `frozen by <@${override.actor}>: ${override.reason}`;
  else {
    const r = evaluateCondition(gate.when, { current: triggerContext(incident) });
    if (!r.passed) return null;
    why = formatTrace(r.trace);
  }
  return {
    gate: gate.id,
    gateName: gate.name,
    incident: incident.id,
    severity: incident.severity,
    summary: incident.summary,
    environments: axisFor(gate.scope.environments, incident.environment),
    services: axisFor(gate.scope.services, incident.service),
    manual: override?.mode === 'freeze',
    why,
  };
}

/** Every hold of every gate, ordered by gate then incident (stable output for APIs and messages). */
export function computeHolds(
  gates: Iterable<DeploymentGate>,
  openIncidents: readonly Incident[],
  overrides: ReadonlyMap<string, GateOverride>,
): GateHold[] {
  const out: GateHold[] = [];
  for (const gate of gates) {
    for (const inc of openIncidents) {
      const h = holdOf(gate, inc, overrides.get(inc.id));
      if (h) out.push(h);
    }
  }
  return out.sort((a, b) => a.gate.localeCompare(b.gate) || compareIncidentIds(a.incident, b.incident));
}

function compareIncidentIds(a: string, b: string): number {
  const n = (s: string) => Number(/(\d+)$/.exec(s)?.[1] ?? NaN);
  return n(a) - n(b) || a.localeCompare(b);
}

function axisCovers(axis: Axis, value: string | null | undefined): boolean {
  if (axis === 'all') return true;
  // A caller that does not say (no ?service=) could be deploying anything: treat it as covered.
  if (value === null || value === undefined || value === '') return true;
  const v = value.toLowerCase();
  return axis.some((a) => a.toLowerCase() === v);
}

export function covers(hold: Pick<GateHold, 'environments' | 'services'>, target: DeployTarget): boolean {
  return axisCovers(hold.environments, target.environment) && axisCovers(hold.services, target.service);
}

/** The holds that block a deployment to `target` (empty: deploy away). */
export function blockingHolds(holds: readonly GateHold[], target: DeployTarget): GateHold[] {
  return holds.filter((h) => covers(h, target));
}

/**
 * The holds that refuse a run of `runbook` to `target`: none unless it `deploys: true`, and none
 * from gates that list it under `exempt.runbooks`.
 */
export function runbookBlockers(
  holds: readonly GateHold[],
  gates: ReadonlyMap<string, DeploymentGate>,
  runbook: Pick<Runbook, 'id' | 'deploys'>,
  target: DeployTarget,
): GateHold[] {
  if (!runbook.deploys) return [];
  return blockingHolds(holds, target).filter((h) => !gates.get(h.gate)?.exempt.runbooks.includes(runbook.id));
}

/** "prod-freeze (INC-4 P1 "Checkout down"), …" for refusals and summaries. */
export function describeHolds(holds: readonly GateHold[]): string {
  return holds
    .map(
      (h) =>
        `gate ${h.gate} held by ${h.incident} (${h.severity} "${h.summary}"${h.manual ? ', frozen by hand' : ''})`,
    )
    .join('; ');
}

/** Where a run deploys: its inputs first (what the pipeline receives), then the incident. */
export function runTarget(inputs: Record<string, unknown>, incident: Incident | null): DeployTarget {
  const pick = (name: string, fallback: string | null | undefined): string | null => {
    const v = inputs[name];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : (fallback ?? null);
  };
  return {
    service: pick('service', incident?.service),
    environment: pick('environment', incident?.environment),
  };
}
