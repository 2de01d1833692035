/**
 * Trigger firing state per incident, runbook and trigger. The claim is ONE conditional UPDATE that
 * re-checks armed / once / cooldown, so two handlers (or two processes) seeing the same edge fire once.
 */
import type { DB } from './db.ts';
import type { TriggerHistory } from '../domain/triggers.ts';

export interface TriggerKey {
  incidentId: string;
  runbookId: string;
  triggerIndex: number;
}

export interface TriggerStateRow extends TriggerKey {
  armed: boolean;
  lastFiredAt: number | null;
  fireCount: number;
  updatedAt: number;
}

interface Row {
  incident_id: string;
  runbook_id: string;
  trigger_index: number;
  armed: number;
  last_fired_at: number | null;
  fire_count: number;
  updated_at: number;
}

const fromRow = (r: Row): TriggerStateRow => ({
  incidentId: r.incident_id,
  runbookId: r.runbook_id,
  triggerIndex: r.trigger_index,
  armed: r.armed === 1,
  lastFiredAt: r.last_fired_at,
  fireCount: r.fire_count,
  updatedAt: r.updated_at,
});

export function createTriggerStateRepo(db: DB) {
  const ensure = db.prepare(`INSERT INTO trigger_state (incident_id, runbook_id, trigger_index, updated_at)
    VALUES (@incidentId, @runbookId, @triggerIndex, @now) ON CONFLICT DO NOTHING`);
  const rows = db.prepare<[string, string], Row>(
    'SELECT * FROM trigger_state WHERE incident_id = ? AND runbook_id = ? ORDER BY trigger_index',
  );
  const forIncident = db.prepare<[string], Row>(
    'SELECT * FROM trigger_state WHERE incident_id = ? ORDER BY runbook_id, trigger_index',
  );
  const rearm = db.prepare(`UPDATE trigger_state SET armed = 1, updated_at = @now
    WHERE incident_id = @incidentId AND runbook_id = @runbookId AND trigger_index = @triggerIndex AND armed = 0`);
  // Same rules as domain/triggers.ts historyBlock, checked and applied in one statement.
  const claim = db.prepare(`UPDATE trigger_state
    SET armed = 0, fire_count = fire_count + 1, last_fired_at = @now, updated_at = @now
    WHERE incident_id = @incidentId AND runbook_id = @runbookId AND trigger_index = @triggerIndex
      AND (@perChange = 0 OR armed = 1)
      AND (@perChange = 1 OR NOT EXISTS (SELECT 1 FROM trigger_state o
        WHERE o.incident_id = @incidentId AND o.runbook_id = @runbookId AND o.fire_count > 0))
      AND (@cooldownMs IS NULL OR NOT EXISTS (SELECT 1 FROM trigger_state o
        WHERE o.incident_id = @incidentId AND o.runbook_id = @runbookId
          AND o.last_fired_at IS NOT NULL AND o.last_fired_at > @now - @cooldownMs))`);

  return {
    /** What the pure rules need; a trigger never seen is armed and the runbook never fired. */
    history(key: TriggerKey): TriggerHistory {
      const all = rows.all(key.incidentId, key.runbookId).map(fromRow);
      const own = all.find((r) => r.triggerIndex === key.triggerIndex);
      const fired = all.filter((r) => r.lastFiredAt !== null).map((r) => r.lastFiredAt!);
      return {
        armed: own?.armed ?? true,
        runbookFireCount: all.reduce((n, r) => n + r.fireCount, 0),
        runbookLastFiredAt: fired.length ? Math.max(...fired) : null,
      };
    },
    forIncident(incidentId: string): TriggerStateRow[] {
      return forIncident.all(incidentId).map(fromRow);
    },
    /** The condition was seen false: a per_change trigger may fire again. */
    rearm(key: TriggerKey, now: number): void {
      rearm.run({ ...key, now });
    },
    /** Records a firing if the rules still allow it; false when another handler got there first. */
    claim(
      key: TriggerKey,
      rule: { once: 'per_incident' | 'per_change'; cooldownMs: number | null },
      now: number,
    ): boolean {
      return db.transaction(() => {
        ensure.run({ ...key, now });
        return (
          claim.run({
            ...key,
            now,
            perChange: rule.once === 'per_change' ? 1 : 0,
            cooldownMs: rule.cooldownMs,
          }).changes === 1
        );
      })();
    },
  };
}
export type TriggerStateRepo = ReturnType<typeof createTriggerStateRepo>;
