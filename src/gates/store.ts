/**
 * Gate state in SQLite: manual overrides per incident (/incident freeze|unfreeze), the holds last
 * announced (so a change is announced once, and `since` survives restarts), and the Harness sync
 * state per gate (the last error, so a failure is reported once and its recovery too).
 * Tables: migrations/0005_gates.sql, 0007_gate_freeze_scope.sql (where each window lives, so one
 * whose gate is gone can still be disabled).
 */
import type { DB } from '../store/db.ts';
import type { GateOverride } from './evaluate.ts';

/** Where a gate's freeze window lives: undefined when it was recorded before 0007 (unknown). */
export interface WindowScope {
  org: string | undefined;
  project: string | undefined;
}
export interface GateSync {
  error: string | null;
  failingSince: number | null;
  syncedAt: number | null;
  scope?: WindowScope | undefined;
}
type SyncRow = {
  gate_id: string;
  error: string | null;
  failing_since: number | null;
  synced_at: number | null;
  org: string | null;
  project: string | null;
  scope_known: number;
};
const fromRow = (r: SyncRow): GateSync & { gate: string } => ({
  gate: r.gate_id,
  error: r.error,
  failingSince: r.failing_since,
  syncedAt: r.synced_at,
  scope: r.scope_known ? { org: r.org ?? undefined, project: r.project ?? undefined } : undefined,
});

export function createGateStore(db: DB) {
  const q = {
    overrides: db.prepare('SELECT incident_id, mode, reason, actor, at FROM gate_overrides'),
    setOverride: db.prepare(
      `INSERT INTO gate_overrides (incident_id, mode, reason, actor, at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(incident_id) DO UPDATE SET mode = excluded.mode, reason = excluded.reason, actor = excluded.actor, at = excluded.at`,
    ),
    clearOverride: db.prepare('DELETE FROM gate_overrides WHERE incident_id = ?'),
    holds: db.prepare('SELECT gate_id, incident_id, since FROM gate_holds'),
    addHold: db.prepare('INSERT OR IGNORE INTO gate_holds (gate_id, incident_id, since) VALUES (?, ?, ?)'),
    dropHold: db.prepare('DELETE FROM gate_holds WHERE gate_id = ? AND incident_id = ?'),
    sync: db.prepare('SELECT * FROM gate_freeze_sync WHERE gate_id = ?'),
    syncs: db.prepare('SELECT * FROM gate_freeze_sync ORDER BY gate_id'),
    setSync: db.prepare(
      `INSERT INTO gate_freeze_sync (gate_id, error, failing_since, synced_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(gate_id) DO UPDATE SET error = excluded.error, failing_since = excluded.failing_since, synced_at = excluded.synced_at`,
    ),
    setScope: db.prepare(
      'UPDATE gate_freeze_sync SET org = ?, project = ?, scope_known = 1 WHERE gate_id = ?',
    ),
    dropSync: db.prepare('DELETE FROM gate_freeze_sync WHERE gate_id = ?'),
  };
  return {
    overrides(): Map<string, GateOverride> {
      const rows = q.overrides.all() as {
        incident_id: string;
        mode: string;
        reason: string;
        actor: string;
        at: number;
      }[];
      return new Map(
        rows.map((r) => [
          r.incident_id,
          { mode: r.mode === 'unfreeze' ? 'unfreeze' : 'freeze', reason: r.reason, actor: r.actor, at: r.at },
        ]),
      );
    },
    setOverride(incidentId: string, o: GateOverride): void {
      q.setOverride.run(incidentId, o.mode, o.reason, o.actor, o.at);
    },
    clearOverride(incidentId: string): boolean {
      return q.clearOverride.run(incidentId).changes > 0;
    },
    /** `${gate}\u0000${incident}` → since (ms). */
    holds(): Map<string, number> {
      const rows = q.holds.all() as { gate_id: string; incident_id: string; since: number }[];
      return new Map(rows.map((r) => [holdKey(r.gate_id, r.incident_id), r.since]));
    },
    /** true when this call recorded it (a concurrent refresh loses and announces nothing). */
    addHold(gate: string, incident: string, since: number): boolean {
      return q.addHold.run(gate, incident, since).changes > 0;
    },
    dropHold(gate: string, incident: string): boolean {
      return q.dropHold.run(gate, incident).changes > 0;
    },
    sync(gate: string): GateSync | undefined {
      const r = q.sync.get(gate) as SyncRow | undefined;
      return r && fromRow(r);
    },
    /** Every gate whose window the reconciler has managed: the ones it may have created in Harness. */
    syncs(): (GateSync & { gate: string })[] {
      return (q.syncs.all() as SyncRow[]).map(fromRow);
    },
    /** Without `scope`, the recorded scope is kept. */
    setSync(gate: string, s: GateSync): void {
      q.setSync.run(gate, s.error, s.failingSince, s.syncedAt);
      if (s.scope) q.setScope.run(s.scope.org ?? null, s.scope.project ?? null, gate);
    },
    /** The gate's window is retired: nothing left to manage. */
    dropSync(gate: string): void {
      q.dropSync.run(gate);
    },
  };
}
export type GateStore = ReturnType<typeof createGateStore>;

export const holdKey = (gate: string, incident: string): string => `${gate}\u0000${incident}`;
