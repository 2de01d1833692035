/**
 * The Harness freeze window that mirrors a closed gate (reference harness-api.md §6), pure: its
 * deterministic identifier, its YAML, and the reading of a window's end from Harness's YAML. One
 * window per gate; one rule (entityConfig) per distinct scope of the incidents that hold it, named
 * after them, so two incidents on different services never freeze each other's cross product.
 */
import { parse, stringify } from 'yaml';
import type { DeploymentGate } from '../manifests/schema.ts';
import type { Axis, GateHold } from './evaluate.ts';

export const MIN_FREEZE_MS = 30 * 60_000;

/** Harness identifiers: letters, digits, _ and $; deterministic so a repeated create is harmless. */
export function freezeIdentifier(gateId: string): string {
  return `runbook_bot_${gateId.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 128);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 'YYYY-MM-DD hh:mm A' in UTC (the Harness UI's DATE_PARSE_FORMAT), minutes rounded down. */
export function formatFreezeTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(h12)}:${pad(d.getUTCMinutes())} ${h < 12 ? 'AM' : 'PM'}`;
}

/** The inverse of formatFreezeTime (UTC); undefined for anything else. */
export function parseFreezeTime(text: unknown): number | undefined {
  const m =
    typeof text === 'string'
      ? /^(\d{4})-(\d{2})-(\d{2}) (\d{1,2}):(\d{2}) (AM|PM)$/i.exec(text.trim())
      : null;
  if (!m) return undefined;
  const [, y, mo, d, hh, mm, ap] = m;
  const h = (Number(hh) % 12) + (ap!.toUpperCase() === 'PM' ? 12 : 0);
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), h, Number(mm));
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Harness window durations: 30m, 1h, 2d, 1w (combinations like 1h30m too). */
export function parseFreezeDuration(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^(\d+[mhdw])+$/.test(text.trim())) return undefined;
  let total = 0;
  for (const [, n, u] of text.trim().matchAll(/(\d+)([mhdw])/g)) total += Number(n) * UNIT_MS[u!]!;
  return total;
}

export function formatFreezeDuration(ms: number): string {
  const minutes = Math.max(30, Math.ceil(ms / 60_000));
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

type Entity = { type: string; filterType: 'All' | 'Equals'; entityRefs?: string[] };
export interface EntityConfig {
  name: string;
  entities: Entity[];
}

const axisEntity = (type: string, axis: Axis): Entity =>
  axis === 'all' ? { type, filterType: 'All' } : { type, filterType: 'Equals', entityRefs: [...axis].sort() };

/** One rule per distinct scope; at account level every org and project, at org level every project. */
export function entityConfigs(gate: DeploymentGate, holds: readonly GateHold[]): EntityConfig[] {
  const byScope = new Map<string, { incidents: string[]; entities: Entity[] }>();
  for (const h of holds) {
    if (h.gate !== gate.id) continue;
    const entities: Entity[] = [];
    if (!gate.harness?.org) entities.push({ type: 'Org', filterType: 'All' });
    if (!gate.harness?.project) entities.push({ type: 'Project', filterType: 'All' });
    entities.push(axisEntity('Service', h.services), axisEntity('Environment', h.environments));
    const key = JSON.stringify(entities);
    const entry = byScope.get(key) ?? { incidents: [], entities };
    entry.incidents.push(h.incident);
    byScope.set(key, entry);
  }
  return [...byScope.values()].map((e) => ({
    name: e.incidents.join(' ').slice(0, 128),
    entities: e.entities,
  }));
}

export interface WindowSpec {
  status: 'Enabled' | 'Disabled';
  startMs: number;
  durationMs: number;
}

export function freezeName(gate: DeploymentGate, holds: readonly GateHold[]): string {
  const incidents = [...new Set(holds.filter((h) => h.gate === gate.id).map((h) => h.incident))];
  return `runbook-bot: ${incidents.join(', ') || 'no incident'} (${gate.name})`.slice(0, 128);
}

/** The body for POST/PUT /ng/api/freeze (Content-Type: application/yaml). */
export function freezeYaml(gate: DeploymentGate, holds: readonly GateHold[], w: WindowSpec): string {
  const mine = holds.filter((h) => h.gate === gate.id);
  const freeze: Record<string, unknown> = {
    name: freezeName(gate, mine),
    identifier: freezeIdentifier(gate.id),
    description:
      `Deployment gate ${gate.id} is closed by ${mine.map((h) => `${h.incident} (${h.severity} ${h.summary})`).join('; ')}. Managed by runbook-bot: it is disabled when the incidents resolve.`.slice(
        0,
        1024,
      ),
    ...(gate.harness?.org ? { orgIdentifier: gate.harness.org } : {}),
    ...(gate.harness?.project ? { projectIdentifier: gate.harness.project } : {}),
    status: w.status,
    entityConfigs: entityConfigs(gate, mine),
    windows: [
      {
        timeZone: 'UTC',
        startTime: formatFreezeTime(w.startMs),
        duration: formatFreezeDuration(Math.max(MIN_FREEZE_MS, w.durationMs)),
      },
    ],
    notificationRules: [],
    tags: { managedBy: 'runbook-bot', gate: gate.id },
  };
  return stringify({ freeze });
}

/** What runbook-bot compares in a window Harness holds. */
export interface ActualWindow {
  name?: string;
  entityConfigs?: unknown;
  /** ms; undefined when the YAML has no window we can read (then it is rewritten). */
  endMs?: number;
}

export function readFreezeYaml(text: string): ActualWindow {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return {};
  }
  const f = (doc as { freeze?: Record<string, unknown> } | null)?.freeze;
  if (!f || typeof f !== 'object') return {};
  const w = Array.isArray(f['windows'])
    ? (f['windows'][0] as Record<string, unknown> | undefined)
    : undefined;
  const start = parseFreezeTime(w?.['startTime']);
  const duration = parseFreezeDuration(w?.['duration']);
  const end = parseFreezeTime(w?.['endTime']);
  const endMs = start !== undefined && duration !== undefined ? start + duration : end;
  return {
    ...(typeof f['name'] === 'string' ? { name: f['name'] } : {}),
    entityConfigs: f['entityConfigs'],
    ...(endMs !== undefined ? { endMs } : {}),
  };
}

/** Rules in one canonical form, so key order or list order in Harness's YAML does not count as a change. */
function canonicalRules(rules: unknown): string {
  if (!Array.isArray(rules)) return JSON.stringify(rules ?? null);
  const entity = (e: unknown) => {
    const x = (e ?? {}) as Record<string, unknown>;
    const refs = Array.isArray(x['entityRefs']) ? [...(x['entityRefs'] as unknown[])].map(String).sort() : [];
    return `${String(x['type'])}:${String(x['filterType'])}:${refs.join(',')}`;
  };
  return JSON.stringify(
    rules.map((r) => {
      const x = (r ?? {}) as Record<string, unknown>;
      const entities = Array.isArray(x['entities']) ? x['entities'].map(entity).sort() : [];
      return [String(x['name']), entities];
    }),
  );
}

/** Whether Harness's window must be rewritten: other rules or name, or too close to its end. */
export function needsRewrite(
  actual: ActualWindow,
  wanted: { name: string; rules: EntityConfig[] },
  now: number,
  durationMs: number,
): boolean {
  if (actual.name !== wanted.name) return true;
  if (canonicalRules(actual.entityConfigs) !== canonicalRules(wanted.rules)) return true;
  // Extend before it lapses: with a minute between reconciles, half the duration (≥ 15m) is plenty.
  return actual.endMs === undefined || actual.endMs - now < Math.max(MIN_FREEZE_MS, durationMs) / 2;
}
